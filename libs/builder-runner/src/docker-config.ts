// Registry credentials (DEVCONTAINER_DOCKER_CONFIG): a docker config.json mounted from a Secret.
// The docker client reads `$DOCKER_CONFIG/config.json`, so the builder copies the file into a
// private directory of its own (0700, the file 0600; a Secret mount is read-only and its key may be
// `.dockerconfigjson`) and points the Docker context's DOCKER_CONFIG there. Every docker child then
// sends the credentials to the daemon for pulls, builds and pushes; the devcontainer CLI reads them
// for OCI features; prebuild-cache's lookup reads them for its registry requests. The values are
// never in argv, in an environment variable or in a log line: only the file's path and host names.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerContext } from '@devcontainer-kit/docker-context';
import { parseDockerConfig } from '@devcontainer-kit/prebuild-cache';
import { BuilderError } from './errors.js';

export interface PreparedDockerConfig {
  /** The private directory holding config.json: the Docker context's DOCKER_CONFIG. */
  dir: string;
  /** Registry hosts the file has credentials for (for the log). */
  hosts: string[];
  /** credsStore / credHelpers the file named: dropped (their helper binaries are not in the builder). */
  droppedHelpers: string[];
  /** Removes the directory. */
  remove: () => Promise<void>;
}

/**
 * Pure: the config.json the builder writes — `auths` (and other client settings) kept, credential
 * helpers dropped (docker would try to run `docker-credential-<name>` and fail every pull).
 */
export function privateDockerConfig(text: string): { json: string; hosts: string[]; droppedHelpers: string[] } {
  const parsed = parseDockerConfig(text);
  const o = JSON.parse(text) as Record<string, unknown>;
  delete o.credsStore;
  delete o.credHelpers;
  return { json: `${JSON.stringify(o, null, 2)}\n`, hosts: [...parsed.auths.keys()], droppedHelpers: parsed.helpers };
}

/** Copies the docker config file into a new private directory. Throws `BuilderError` (`settings`) naming the file, never its content. */
export async function prepareDockerConfig({ file, parent = tmpdir() }: { file: string; parent?: string }): Promise<PreparedDockerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new BuilderError(`DEVCONTAINER_DOCKER_CONFIG: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      code: 'settings',
      phase: 'preflight',
      cause: error,
    });
  }
  let config: ReturnType<typeof privateDockerConfig>;
  try {
    config = privateDockerConfig(text);
  } catch (error) {
    throw new BuilderError(`DEVCONTAINER_DOCKER_CONFIG: ${file}: ${(error as Error).message}`, { code: 'settings', phase: 'preflight' });
  }
  const dir = await mkdtemp(join(parent, 'devcontainer-builder-docker-'));
  await writeFile(join(dir, 'config.json'), config.json, { mode: 0o600 });
  return {
    dir,
    hosts: config.hosts,
    droppedHelpers: config.droppedHelpers,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Pure: the same Docker context with DOCKER_CONFIG pointing at `dir`. */
export function withDockerConfig(ctx: DockerContext, dir: string): DockerContext {
  return Object.freeze({ ...ctx, env: Object.freeze({ ...ctx.env, DOCKER_CONFIG: dir }) });
}
