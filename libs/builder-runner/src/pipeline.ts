// The pipeline as data: preflight (alongside checkout → config) → up (→ fallback) → extensions →
// agent → supervise. runPhase (runner.ts) owns timing, status, logs, error mapping and abort; each phase
// lives in src/phases/<name>.ts.

import { dirname, join } from 'node:path';
import type { DockerContext } from '@devcontainer-kit/docker-context';
import { prefetchAgentBinary } from './agent-binary.js';
import { BuilderError } from './errors.js';
import { clearFallbackExplanation } from './fallback/start.js';
import { withLocalEnv } from './local-env.js';
import { createRedactingPhaseLogs, type PhaseLog, type PhaseLogFactory, type PhaseName } from './phase-log.js';
import { runAgentPhase } from './phases/agent.js';
import { finishDeferredCheckout, runCheckoutPhase, updateDeferredCheckout } from './phases/checkout.js';
import { runConfigPhase } from './phases/config.js';
import type { ConfigResult, PhaseContext } from './phases/context.js';
import { runExtensionsPhase, wantsExtensions } from './phases/extensions.js';
import { runFallbackPhase } from './phases/fallback.js';
import { runHooksPhase, wantsHooks } from './phases/hooks.js';
import { runPreflightPhase } from './phases/preflight.js';
import { runSupervisePhase } from './phases/supervise.js';
import { runUpPhase, workspaceIdLabels } from './phases/up.js';
import { findWarmStart, inspectRecordedContainer } from './phases/warm-start.js';
import { createRedactor } from './redact.js';
import { type PhaseDefinition, runPhase } from './runner.js';
import type { BuilderSettings } from './settings.js';
import { type BuilderStatus, createStatus, writeStatusFile } from './status.js';

export interface RunBuilderOptions {
  settings: BuilderSettings;
  logs: PhaseLogFactory;
  /** The one Docker context (createDockerContext): its env is all any child sees; its signal = SIGTERM. */
  docker: DockerContext;
  /**
   * The environment `${localEnv:…}` in devcontainer.json reads (the app passes its own): only the
   * names the config asks for reach the devcontainer CLI, never the builder's tokens. Default: none.
   */
  localEnv?: Readonly<Record<string, string | undefined>>;
  /** Agent restart backoff (ms): first delay and cap. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** For Coder's HTTP API (tests pass their own). */
  fetch?: typeof fetch;
}

export interface RunBuilderResult {
  status: BuilderStatus;
  /** 'completed': supervision was off; 'stopped': a signal ended supervision. */
  reason: 'completed' | 'stopped';
}

/** The phases in order, with the code each one's unexpected failures get. */
export const PIPELINE: Readonly<Record<PhaseName, PhaseDefinition>> = {
  preflight: { name: 'preflight', run: runPreflightPhase, failureCode: 'docker-unavailable' },
  checkout: { name: 'checkout', run: runCheckoutPhase, failureCode: 'git-failed' },
  config: { name: 'config', run: runConfigPhase, failureCode: 'config-invalid' },
  up: { name: 'up', run: runUpPhase, failureCode: 'devcontainer-up-failed' },
  hooks: {
    name: 'hooks',
    run: runHooksPhase,
    failureCode: 'lifecycle-hook-failed',
    wanted: wantsHooks,
    background: true,
    keepLogOpen: true,
  },
  fallback: { name: 'fallback', run: runFallbackPhase, failureCode: 'fallback-start-failed' },
  extensions: { name: 'extensions', run: runExtensionsPhase, failureCode: 'extensions-failed', wanted: wantsExtensions },
  agent: { name: 'agent', run: runAgentPhase, failureCode: 'agent-failed', keepLogOpen: true },
  supervise: { name: 'supervise', run: (ctx) => runSupervisePhase(ctx), failureCode: 'agent-failed' },
};

const FALLBACK_FROM: readonly PhaseName[] = ['checkout', 'config', 'up'];

/**
 * checkout → config → up; with DEVCONTAINER_FALLBACK_IMAGE a failure there starts the fallback instead.
 * A deferred checkout (restart of a clean checkout whose last up succeeded) is updated here, before
 * `up`, unless a warm start is possible: then after the agent (finishDeferredCheckout).
 */
async function prepareContainer(ctx: Omit<PhaseContext, 'log'>, logs: PhaseLogFactory, preflight: Preflight): Promise<void> {
  const applyLocalEnv = () => {
    // From here on every devcontainer CLI run sees what the config's ${localEnv:…} asks for.
    if (ctx.state.localEnv) ctx.docker = withLocalEnv(ctx.docker, ctx.state.localEnv);
  };
  try {
    await runPhase(PIPELINE.checkout, ctx, logs);
    await runPhase(PIPELINE.config, ctx, logs);
    applyLocalEnv();
    // Docker and Coder are needed from here on.
    await preflight.done;
    startAgentBinaryPrefetch(ctx);
    if (ctx.state.checkoutAction === 'deferred') {
      const cfg = ctx.state.config as ConfigResult;
      const warm = ctx.settings.cacheRepo
        ? undefined
        : await withCheckoutLog(ctx, logs, (c) => findWarmStart(c, cfg, workspaceIdLabels(ctx.settings, cfg)));
      if (warm) ctx.state.warmStart = warm;
      else {
        const moved = await withCheckoutLog(ctx, logs, (c) => {
          c.log.write('no warm start: the checkout is updated before devcontainer up', 'info');
          return updateDeferredCheckout(c);
        });
        if (moved) {
          await runPhase(PIPELINE.config, ctx, logs);
          applyLocalEnv();
        }
      }
    }
    await runPhase(PIPELINE.up, ctx, logs);
    await clearFallbackExplanation(ctx.settings.workspaceFolder).catch(() => {});
  } catch (error) {
    const e = error as BuilderError;
    if (
      !ctx.settings.fallbackImage ||
      !(e instanceof BuilderError) ||
      e.code === 'aborted' ||
      !e.phase ||
      !FALLBACK_FROM.includes(e.phase)
    ) {
      preflight.cancel();
      // Its last status write lands before the run ends (a cancelled preflight settles at once).
      const ended = preflight.done.catch(() => undefined);
      await settle(ended, 5000);
      throw error;
    }
    // The fallback needs Docker: preflight's own failure comes first.
    await preflight.done;
    ctx.state.failure = { phase: e.phase, error: e };
    await runPhase(PIPELINE.fallback, ctx, logs);
  }
}

/**
 * Binary mode known in advance: the agent binary downloads while `up` runs. Started once preflight is
 * done, not with the run: its first request loads Node's fetch, CPU that start-up needs more (on a warm
 * restart it overlaps the wait for `docker start` instead).
 */
function startAgentBinaryPrefetch(ctx: Omit<PhaseContext, 'log'>): void {
  const { settings } = ctx;
  if (!settings.coder || ctx.state.agentBinary) return;
  ctx.state.agentBinary = prefetchAgentBinary({
    coder: settings.coder,
    mode: settings.agentMode,
    cacheDir: join(dirname(settings.statusFile), 'cache'),
    fetch: ctx.fetch,
    coderVersion: ctx.state.coderVersion,
  });
}

/**
 * Work for the checkout phase after it ended (a deferred update), written to its log source again: in
 * Coder the same source (its id derives from the name), on the terminal the same prefix.
 */
async function withCheckoutLog<T>(
  ctx: Omit<PhaseContext, 'log'>,
  logs: PhaseLogFactory,
  work: (c: PhaseContext) => Promise<T>,
): Promise<T> {
  const log = await logs.open('checkout');
  try {
    return await work({ ...ctx, log });
  } finally {
    await log.close().catch(() => {});
  }
}

/** After a warm start: the deferred update of the checkout, then the hooks (postStart sees the update). */
async function updateThenHooks(ctx: Omit<PhaseContext, 'log'>, logs: PhaseLogFactory): Promise<void> {
  if (ctx.state.checkoutAction === 'deferred') {
    await withCheckoutLog(ctx, logs, (c) => finishDeferredCheckout(c));
    await ctx.save();
  }
  await runPhase(PIPELINE.hooks, ctx, logs);
}

/** Preflight running alongside checkout and config; `cancel` ends its wait when they failed. */
interface Preflight {
  done: Promise<void>;
  cancel(): void;
}

/** Starts preflight: checkout and config need neither Docker nor Coder, so they don't wait for it. */
function startPreflight(ctx: Omit<PhaseContext, 'log'>, logs: PhaseLogFactory): Preflight {
  const stop = new AbortController();
  const signal = ctx.docker.signal ? AbortSignal.any([ctx.docker.signal, stop.signal]) : stop.signal;
  const done = runPhase(PIPELINE.preflight, { ...ctx, docker: { ...ctx.docker, signal } }, logs).then(() => undefined);
  done.catch(() => {});
  return { done, cancel: () => stop.abort() };
}

/** Waits for a background run to settle, at most `ms`. */
async function settle(p: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!p) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p,
    new Promise((r) => {
      timer = setTimeout(r, ms);
    }),
  ]);
  clearTimeout(timer);
}

export async function runBuilder(options: RunBuilderOptions): Promise<RunBuilderResult> {
  const { settings, docker } = options;
  const redactor = createRedactor([settings.gitToken, settings.coder?.agentToken]);
  const logs = createRedactingPhaseLogs(options.logs, redactor);
  const status = createStatus({ workspace: settings.workspaceName, workspaceFolder: settings.workspaceFolder });
  let saving: Promise<void> = Promise.resolve();
  let queued: Promise<void> | undefined;
  const ctx: Omit<PhaseContext, 'log'> = {
    settings,
    docker,
    localEnv: options.localEnv ?? {},
    status,
    redactor,
    state: { agentRestarts: 0 },
    // One write at a time (the background hooks report while later phases do); saves asked for
    // while one is waiting share it: it writes the status as it is when its turn comes.
    save: () => {
      queued ??= saving = saving.then(() => {
        queued = undefined;
        return writeStatusFile(settings.statusFile, status).catch(() => {});
      });
      return queued;
    },
    backoff: { initialMs: options.backoff?.initialMs ?? 1000, maxMs: options.backoff?.maxMs ?? 30_000 },
    fetch: options.fetch ?? fetch,
  };
  const end = async (phase: BuilderStatus['phase'], reason: RunBuilderResult['reason']): Promise<RunBuilderResult> => {
    await settle(ctx.state.hooksRun, 10_000);
    status.phase = phase;
    await ctx.save();
    await logs.close().catch(() => {});
    return { status, reason };
  };
  try {
    await ctx.save();
    const preflight = startPreflight(ctx, logs);
    // A warm start needs the recorded container's state: asked for now, used after config.
    ctx.state.earlyInspect = inspectRecordedContainer(settings.stateDir, docker);
    await prepareContainer(ctx, logs, preflight);
    // The hooks after waitFor run while extensions install and the agent starts — after a warm
    // start, once the agent runs and the deferred checkout update is done.
    const deferred = ctx.state.checkoutAction === 'deferred';
    if (!deferred) ctx.state.hooksRun = runPhase(PIPELINE.hooks, ctx, logs).catch(() => {});
    await runPhase(PIPELINE.extensions, ctx, logs);
    const agentLog = (await runPhase(PIPELINE.agent, ctx, logs)) as PhaseLog;
    if (deferred) ctx.state.hooksRun = updateThenHooks(ctx, logs).catch(() => {});
    // Without supervision the builder exits next: the background hooks finish first.
    if (!settings.supervise) {
      await ctx.state.hooksRun;
      return await end('done', 'completed');
    }
    await runPhase({ ...PIPELINE.supervise, run: (c) => runSupervisePhase({ ...c, agentLog }) }, ctx, logs);
    return await end('stopped', 'stopped');
  } catch (error) {
    await ctx.state.agent?.stop(3000).catch(() => {});
    await settle(ctx.state.hooksRun, 10_000);
    if (error instanceof BuilderError && error.code === 'aborted') return await end('stopped', 'stopped');
    await logs.close().catch(() => {});
    throw error;
  }
}
