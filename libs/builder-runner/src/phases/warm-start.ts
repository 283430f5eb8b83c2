// The warm restart without `devcontainer up`: when the workspace's container exists, its
// configuration is unchanged since it was built and the last `up` succeeded, `up --skip-non-blocking-commands`
// would only `docker start` it — the hooks up to `waitFor` are creation hooks, which the CLI runs
// once per container — so the builder starts it itself and leaves every hook to `run-user-commands`
// in the background (phases/hooks.ts), which reruns exactly what the spec reruns (postStart after a
// start, postAttach). An initializeCommand (it runs on the host before every start) is run by the
// builder first (phases/up.ts). Not taken when anything could make `up` do more: a waitFor later than
// updateContentCommand, Docker Compose, a changed config.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { engineErrorMessage, requestEngine, runDocker } from '@devcontainer-kit/docker-context';
import { type ContainerState, inspectContainer, parseMetadataLabel } from '../container.js';
import type { UpResult } from '../devcontainer-up.js';
import { effectiveWaitFor } from '../devcontainer-up.js';
import type { ConfigResult, PhaseContext } from './context.js';

/** waitFor values whose hooks before them never rerun on a restart. */
const CREATION_ONLY_WAIT_FOR = ['initializeCommand', 'onCreateCommand', 'updateContentCommand'];

export interface WarmStartCandidate {
  containerId: string;
  /** The prebuilt image's config the container was created with (DEVCONTAINER_CACHE_REPO hit). */
  overrideConfig?: string | undefined;
  result: UpResult;
  labels: Record<string, string>;
  running: boolean;
}

/** Why the warm start does not apply (undefined: it does). Pure. */
export function warmStartBlocker(o: {
  config: Record<string, unknown>;
  metadata: readonly unknown[];
  stateHash: string | undefined;
  configHash: string;
  previous: UpResult | undefined;
  containerId: string;
}): string | undefined {
  if (o.config.dockerComposeFile) return 'a Docker Compose configuration';
  if (!o.stateHash || o.stateHash !== o.configHash) return 'the configuration changed or was not recorded';
  if (o.previous?.outcome !== 'success' || o.previous.containerId !== o.containerId)
    return 'the last devcontainer up did not succeed for it';
  const waitFor = effectiveWaitFor(o.metadata.length ? o.metadata : [o.config]);
  if (!CREATION_ONLY_WAIT_FOR.includes(waitFor)) return `waitFor is ${waitFor}`;
  return undefined;
}

/**
 * Inspects the container state.json names, started with the run (alongside preflight, checkout and
 * config) so a warm start finds the answer ready. Never rejects; undefined without a recorded container.
 */
export async function inspectRecordedContainer(
  stateDir: string,
  docker: PhaseContext['docker'],
): Promise<{ id: string; state: ContainerState | undefined } | undefined> {
  try {
    const { containerId } = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as { containerId?: string };
    return typeof containerId === 'string' ? { id: containerId, state: await inspectContainer(docker, containerId) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The container to start without `up`, or undefined (with the reason in the debug log): the one
 * state.json names, inspected once (labels, env, running) — no search by labels on this path.
 */
export async function findWarmStart(
  ctx: PhaseContext,
  cfg: ConfigResult,
  idLabels: Record<string, string>,
): Promise<(WarmStartCandidate & { inspected: ContainerState }) | undefined> {
  const read = async <T>(f: string): Promise<T | undefined> => {
    try {
      return JSON.parse(await readFile(join(ctx.settings.stateDir, f), 'utf8')) as T;
    } catch {
      return undefined;
    }
  };
  const [state, previous] = await Promise.all([
    read<{ containerId?: string; configHash?: string; overrideConfig?: string }>('state.json'),
    read<UpResult>('up-result.json'),
  ]);
  const containerId = state?.containerId;
  if (!containerId) return undefined;
  // The early answer is used once: a later up (supervision, after the container stopped) asks again.
  const early = await ctx.state.earlyInspect;
  ctx.state.earlyInspect = undefined;
  const container = early?.id === containerId && early.state ? early.state : await inspectContainer(ctx.docker, containerId);
  if (!container) return undefined;
  // Still this workspace's container (the labels `devcontainer up` would look it up by).
  if (Object.entries(idLabels).some(([k, v]) => container.labels[k] !== v)) return undefined;
  const blocker = warmStartBlocker({
    config: cfg.config,
    metadata: parseMetadataLabel(container.labels['devcontainer.metadata']).configs,
    stateHash: state?.configHash,
    configHash: cfg.configHash,
    previous,
    containerId: container.id,
  });
  if (blocker) {
    ctx.log.write(`devcontainer up runs (no warm start: ${blocker})`, 'debug');
    return undefined;
  }
  // Created from a prebuilt image: its hooks need that config again; gone, `up` decides.
  const overrideConfig = state?.overrideConfig;
  if (
    overrideConfig &&
    !(await stat(overrideConfig)
      .then((s) => s.isFile())
      .catch(() => false))
  ) {
    ctx.log.write(`devcontainer up runs (no warm start: ${overrideConfig} is gone)`, 'debug');
    return undefined;
  }
  return {
    containerId: container.id,
    ...(overrideConfig ? { overrideConfig } : {}),
    result: previous as UpResult,
    labels: container.labels,
    running: container.running,
    inspected: container,
  };
}

/** `docker start` (when stopped). Throws nothing: false sends the caller to `devcontainer up`. */
export async function warmStart(ctx: PhaseContext, c: WarmStartCandidate): Promise<boolean> {
  if (c.running) {
    ctx.log.write(`container ${c.containerId.slice(0, 12)} runs, configuration unchanged: no devcontainer up needed`, 'info');
    return true;
  }
  // The Engine API when it can (204 started, 304 already running), else the CLI.
  const api = await requestEngine(ctx.docker, { method: 'POST', path: `/containers/${encodeURIComponent(c.containerId)}/start` });
  const failure =
    api && (api.status === 204 || api.status === 304)
      ? undefined
      : api
        ? engineErrorMessage(api)
        : await runDocker(ctx.docker, ['start', c.containerId]).then((r) => (r.exitCode === 0 ? undefined : r.stderr.trim()));
  if (failure !== undefined) {
    ctx.log.write(`docker start ${c.containerId.slice(0, 12)} failed (${failure}): running devcontainer up`, 'warn');
    return false;
  }
  ctx.log.write(
    `started container ${c.containerId.slice(0, 12)} (configuration unchanged, last up succeeded): no devcontainer up needed; its hooks run in the background`,
    'info',
  );
  return true;
}
