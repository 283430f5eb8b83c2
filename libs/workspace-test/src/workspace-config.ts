// I/O shell: read a workspace's devcontainer.json (devcontainer-config), substitute local variables, and merge
// the image metadata label of a running container when one is given — the configuration gossfileFor reads.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { formatProblem, mergeWithImageMetadata, readDevcontainer, substituteVariables } from '@devcontainer-kit/devcontainer-config';
import { type CommandRunner, runCommand } from './command.js';
import { WorkspaceTestError } from './errors.js';
import type { DevcontainerConfig } from './types.js';

export interface LoadWorkspaceConfigOptions {
  /** Local folder holding the repository (with .devcontainer/). */
  workspaceFolder: string;
  /** devcontainer.json path, relative to the workspace folder or absolute. */
  configPath?: string;
  /** A `devcontainer.metadata` label value (JSON text) to merge, e.g. from the built image or container. */
  metadataLabel?: string;
  /** A docker container whose `devcontainer.metadata` label is merged (read with docker inspect). */
  container?: string;
  runner?: CommandRunner;
}

export interface LoadedWorkspaceConfig {
  /** The configuration, variables substituted, merged with the image metadata when given. */
  config: DevcontainerConfig;
  /** Path of the devcontainer.json read. */
  file: string;
  /** `goss.yaml` next to devcontainer.json, when the repository has one (merged over the derived checks). */
  userGossfile?: string;
}

/** Reads the devcontainer configuration a workspace will be checked against. Throws INVALID_OPTIONS on config errors (all of them listed). */
export async function loadWorkspaceConfig(options: LoadWorkspaceConfigOptions): Promise<LoadedWorkspaceConfig> {
  const workspaceFolder = resolve(options.workspaceFolder);
  let read: Awaited<ReturnType<typeof readDevcontainer>>;
  try {
    read = await readDevcontainer({ workspaceFolder, ...(options.configPath ? { configPath: options.configPath } : {}) });
  } catch (error) {
    throw new WorkspaceTestError('INVALID_OPTIONS', (error as Error).message, { cause: error });
  }
  const errors = read.problems.filter((p) => p.severity === 'error');
  if (!read.config || errors.length > 0) {
    throw new WorkspaceTestError('INVALID_OPTIONS', `invalid devcontainer configuration:\n${errors.map(formatProblem).join('\n')}`);
  }
  let config = substituteVariables({ config: read.config, localWorkspaceFolder: workspaceFolder });
  let label = options.metadataLabel;
  if (label === undefined && options.container) {
    const runner = options.runner ?? runCommand;
    const r = await runner('docker', ['inspect', '--format', '{{index .Config.Labels "devcontainer.metadata"}}', options.container]);
    if (r.exitCode !== 0) {
      throw new WorkspaceTestError('COMMAND_FAILED', `docker inspect ${options.container} failed: ${r.stderr.trim()}`, {
        command: ['docker', 'inspect', options.container],
        exitCode: r.exitCode,
      });
    }
    const value = r.stdout.trim();
    label = value && value !== '<no value>' ? value : undefined;
  }
  if (label !== undefined) config = mergeWithImageMetadata(config, label) as DevcontainerConfig;
  const userGossfile = join(dirname(read.file), 'goss.yaml');
  return { config, file: read.file, ...(existsSync(userGossfile) ? { userGossfile } : {}) };
}
