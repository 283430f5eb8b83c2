// The fallback workspace: when checkout, config or build fails, start a known-good image as the
// devcontainer so the user can open the workspace and fix the repository.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type DockerContext, type ProcessResult, runDocker } from '@devcontainer-kit/docker-context';
import { BuilderError, type BuilderErrorCode } from '../errors.js';
import { type FailureReason, renderFailureExplanation } from './explanation.js';

/** Where the explanation goes, relative to the workspace folder. */
export const FALLBACK_EXPLANATION_FILE = '.devcontainer-builder/FAILED.md';
/** Label set on fallback containers (value `true`), next to the caller's labels. */
export const FALLBACK_LABEL = 'devcontainer-kit.fallback';

// Keeps the container running and stops promptly on `docker stop` (sh as PID 1 ignores TERM otherwise).
const KEEP_ALIVE = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

export interface StartFallbackWorkspaceOptions {
  /** `DEVCONTAINER_FALLBACK_IMAGE`. Pulled when not present. Needs /bin/sh and sleep. */
  image: string;
  /** Host path of the workspace (the checkout; created when the clone failed before making it). */
  workspaceFolder: string;
  /** Where it is mounted in the container. Default: the same path. */
  remoteWorkspaceFolder?: string;
  reason: FailureReason;
  /** Labels like the devcontainer's, e.g. `{ 'devcontainer-kit.workspace': name }`; `devcontainer.local_folder` is added. */
  labels?: Record<string, string>;
  /** The user for the agent and the user's shells. Default: the image's `User`, else `root`. */
  remoteUser?: string;
  /** Extra `docker run` arguments. Default `['--network=host']` (the pod's network; bridge is off here). */
  runArgs?: string[];
  /** Secret values that must not appear in the explanation (agent token, git token). */
  secrets?: readonly (string | undefined)[];
  onLog?: (line: string, level: 'info' | 'warn' | 'error') => void;
}

export interface FallbackWorkspace {
  containerId: string;
  remoteUser: string;
  remoteWorkspaceFolder: string;
  image: string;
  /** Host path of the explanation file. */
  explanationFile: string;
  /** True when an existing fallback container for the same labels and image was started again. */
  reused: boolean;
}

export async function startFallbackWorkspace(ctx: DockerContext, options: StartFallbackWorkspaceOptions): Promise<FallbackWorkspace> {
  const { image, workspaceFolder } = options;
  const remoteWorkspaceFolder = options.remoteWorkspaceFolder ?? workspaceFolder;
  const log = options.onLog ?? (() => {});
  const docker = (args: string[]) => runDocker(ctx, args);
  const fail = (code: BuilderErrorCode, message: string, r: ProcessResult, command: string) =>
    new BuilderError(message, {
      code,
      phase: 'fallback',
      command,
      exitCode: r.exitCode,
      outputTail: r.all.split('\n').slice(-10).join('\n'),
    });

  // 1. The explanation, in the workspace (so it is there whatever the container does).
  const explanationFile = join(workspaceFolder, FALLBACK_EXPLANATION_FILE);
  try {
    await mkdir(join(workspaceFolder, '.devcontainer-builder'), { recursive: true });
    const text = renderFailureExplanation({
      reason: options.reason,
      fallbackImage: image,
      time: new Date().toISOString(),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    await writeFile(explanationFile, text, { mode: 0o644 });
  } catch (cause) {
    throw new BuilderError(`cannot write ${explanationFile}: ${(cause as Error).message}`, {
      code: 'fallback-start-failed',
      phase: 'fallback',
      cause,
    });
  }

  // 2. The image.
  let inspect = await docker(['image', 'inspect', '--format', '{{.Config.User}}', image]);
  if (inspect.exitCode !== 0) {
    log(`pulling the fallback image ${image}`, 'info');
    const pull = await docker(['pull', '--quiet', image]);
    if (pull.exitCode !== 0)
      throw fail('fallback-image-unavailable', `fallback image ${image} is not available`, pull, `docker pull ${image}`);
    inspect = await docker(['image', 'inspect', '--format', '{{.Config.User}}', image]);
  }
  const remoteUser = options.remoteUser ?? (inspect.stdout.trim().split(':')[0] || 'root');

  // 3. The container: reuse the fallback container of the same workspace and image, else a new one.
  const labels = { ...options.labels, 'devcontainer.local_folder': workspaceFolder, [FALLBACK_LABEL]: 'true' };
  const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const existing = await docker(['ps', '-a', '--no-trunc', ...filters, '--format', '{{.ID}}\t{{.Image}}']);
  let reused = false;
  let containerId = '';
  for (const line of existing.stdout.split('\n').filter(Boolean)) {
    const [id, img] = line.split('\t');
    if (!reused && img === image) {
      const start = await docker(['start', id!]);
      if (start.exitCode === 0) {
        reused = true;
        containerId = id!;
        continue;
      }
    }
    await docker(['rm', '-f', id!]);
  }
  if (!reused) {
    const args = [
      'run',
      '-d',
      ...(options.runArgs ?? ['--network=host']),
      ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
      '--mount',
      `type=bind,source=${workspaceFolder},target=${remoteWorkspaceFolder}`,
      '--workdir',
      remoteWorkspaceFolder,
      '--entrypoint',
      '/bin/sh',
      image,
      '-c',
      KEEP_ALIVE,
    ];
    const run = await docker(args);
    if (run.exitCode !== 0) throw fail('fallback-start-failed', `cannot start the fallback image ${image}`, run, 'docker run');
    containerId = run.stdout.trim().split('\n').at(-1)!;
  }
  const running = await docker(['inspect', '--format', '{{.State.Running}}', containerId]);
  if (running.stdout.trim() !== 'true') {
    const logs = await docker(['logs', '--tail', '20', containerId]);
    throw fail('fallback-start-failed', `the fallback container ${containerId.slice(0, 12)} is not running`, logs, 'docker run');
  }
  log(
    `started the fallback workspace ${image} (${containerId.slice(0, 12)}${reused ? ', reused' : ''}): the ${options.reason.phase} phase failed — see ${FALLBACK_EXPLANATION_FILE}`,
    'warn',
  );
  return { containerId, remoteUser, remoteWorkspaceFolder, image, explanationFile, reused };
}

/** Removes the explanation file after a normal start (no error when it is absent). */
export async function clearFallbackExplanation(workspaceFolder: string): Promise<void> {
  await rm(join(workspaceFolder, FALLBACK_EXPLANATION_FILE), { force: true });
}
