// Docker Compose devcontainers (`dockerComposeFile` + `service`): which compose files decide the
// containers (they go into the config hash, so a changed compose file rebuilds), which project a
// container belongs to, and stopping every service of that project (`shutdownAction:
// stopCompose`). Pure parts first; the docker shells after them need no compose plugin or files:
// compose marks every container with its project's label, and plain `docker stop` does the rest.
import { dirname, resolve } from 'node:path';
import { type DockerContext, runDocker } from '@devcontainer-kit/docker-context';
import { inspectContainer } from './container.js';

export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

/** Whether the config runs through Docker Compose. Pure. */
export function isComposeConfig(config: Record<string, unknown> | undefined): boolean {
  const files = config?.dockerComposeFile;
  return typeof files === 'string' || Array.isArray(files);
}

/** The config's compose files as absolute paths, in order (relative ones are relative to devcontainer.json's folder). Pure. */
export function composeFilePaths(config: Record<string, unknown>, configFile: string): string[] {
  const files = config.dockerComposeFile;
  const list = typeof files === 'string' ? [files] : Array.isArray(files) ? files : [];
  return list.filter((f): f is string => typeof f === 'string' && f.length > 0).map((f) => resolve(dirname(configFile), f));
}

/** The compose project and service a container belongs to, from its labels. Pure. */
export function composeIdentity(labels: Record<string, string>): { project: string; service: string } | undefined {
  const project = labels[COMPOSE_PROJECT_LABEL];
  return project ? { project, service: labels[COMPOSE_SERVICE_LABEL] ?? '' } : undefined;
}

/**
 * The Docker context for `devcontainer up` of a compose config: `COMPOSE_BAKE=false`. Compose
 * 2.40 builds through `buildx bake` by default, and bake refuses the devcontainer CLI's build
 * without entitlements nobody passes: `--allow=fs.read=<the CLI's Dockerfile-with-features in
 * /tmp>` (outside the build context) and `--allow=network.host` for `build.network: host`.
 * Compose's own BuildKit client builds the same Dockerfile without them. Other configs: unchanged.
 */
export function composeBuildContext(docker: DockerContext, config: Record<string, unknown>): DockerContext {
  return isComposeConfig(config) ? { ...docker, env: { ...docker.env, COMPOSE_BAKE: 'false' } } : docker;
}

/** Ids of the project's containers (running or not), with their service names. */
export async function listComposeProject(
  docker: DockerContext,
  project: string,
): Promise<{ id: string; service: string; running: boolean }[]> {
  const r = await runDocker(docker, [
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=${COMPOSE_PROJECT_LABEL}=${project}`,
    '--format',
    `{{.ID}}\t{{.Label "${COMPOSE_SERVICE_LABEL}"}}\t{{.State}}`,
  ]);
  if (r.exitCode !== 0) return [];
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id = '', service = '', state = ''] = l.split('\t');
      return { id, service, running: state === 'running' };
    });
}

export interface StopComposeResult {
  project: string;
  /** Services stopped (or already stopped). */
  stopped: string[];
  /** Services `docker stop` failed for, with its message. */
  failed: { service: string; message: string }[];
}

/**
 * Stops every running container of the project of `containerId` (all services, not only the
 * devcontainer's), in one `docker stop`. Undefined when the container is not a compose one.
 */
export async function stopComposeProject(
  docker: DockerContext,
  o: { containerId: string; labels: Record<string, string>; timeSeconds?: number },
): Promise<StopComposeResult | undefined> {
  const identity = composeIdentity(o.labels);
  if (!identity) return undefined;
  const members = await listComposeProject(docker, identity.project);
  const running = members.filter((m) => m.running);
  const result: StopComposeResult = {
    project: identity.project,
    stopped: members.filter((m) => !m.running).map((m) => m.service),
    failed: [],
  };
  if (running.length === 0) return result;
  const r = await runDocker(docker, ['stop', '--time', String(o.timeSeconds ?? 8), ...running.map((m) => m.id)]);
  const left = new Set((await listComposeProject(docker, identity.project)).filter((m) => m.running).map((m) => m.id));
  for (const m of running) {
    if (left.has(m.id)) result.failed.push({ service: m.service, message: r.stderr.trim() || `exit ${r.exitCode}` });
    else result.stopped.push(m.service);
  }
  return result;
}

/**
 * `shutdownAction: stopCompose` (the default for compose configs): every service of the
 * devcontainer's project, logged; a container without compose labels is stopped on its own.
 */
export async function stopComposeOnShutdown(
  docker: DockerContext,
  containerId: string,
  log: { write(line: string, level: 'info' | 'warn'): void },
): Promise<void> {
  const state = await inspectContainer(docker, containerId);
  const r = state ? await stopComposeProject(docker, { containerId, labels: state.labels }) : undefined;
  if (!r) {
    const s = await runDocker(docker, ['stop', '--time', '8', containerId]);
    log.write(
      s.exitCode === 0
        ? `stopped the devcontainer ${containerId.slice(0, 12)} (no compose project label)`
        : `docker stop failed: ${s.stderr}`,
      s.exitCode === 0 ? 'info' : 'warn',
    );
    return;
  }
  for (const f of r.failed) log.write(`docker stop of compose service ${f.service} failed: ${f.message}`, 'warn');
  log.write(
    `stopCompose: stopped ${r.stopped.length} service(s) of compose project ${r.project} (${r.stopped.sort().join(', ') || 'none running'})`,
    'info',
  );
}
