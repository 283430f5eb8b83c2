// supervise: the builder is the pod's main process from here on. The agent died → restart it
// (after a backoff); the devcontainer stopped → `up` (or the fallback) again, then the agent.
// SIGTERM (the signal) → stop the agent, then the devcontainer per shutdownAction.

import { setTimeout as sleep } from 'node:timers/promises';
import { createBackoff, runDocker } from '@devcontainer-kit/docker-context';
import { isComposeConfig, stopComposeOnShutdown } from '../compose.js';
import { inspectContainer } from '../container.js';
import { BuilderError } from '../errors.js';
import { runAgentPhase } from './agent.js';
import type { ContainerRef, PhaseContext } from './context.js';
import { runFallbackPhase } from './fallback.js';
import { runHooksPhase, wantsHooks } from './hooks.js';
import { runUpPhase } from './up.js';

async function waitForContainerStop(ctx: PhaseContext, id: string): Promise<void> {
  while (!ctx.docker.signal?.aborted) {
    if (!(await inspectContainer(ctx.docker, id))?.running) return;
    await sleep(2000, undefined, { signal: ctx.docker.signal }).catch(() => {});
  }
}

function recordError(ctx: PhaseContext, code: string, error: unknown): string {
  const message = ctx.redactor((error as Error).message);
  ctx.status.lastError = { code, phase: 'supervise', message, at: new Date().toISOString() };
  return message;
}

/** The devcontainer stopped: `up` (or the fallback) again. False when that failed (retried later). */
async function restartContainer(ctx: PhaseContext, backoff: ReturnType<typeof createBackoff>): Promise<boolean> {
  const { log } = ctx;
  const c = ctx.state.container as ContainerRef;
  const fallback = Boolean(ctx.state.failure);
  log.write(
    `the devcontainer ${c.containerId.slice(0, 12)} stopped: ${fallback ? 'starting the fallback workspace again' : 'running devcontainer up again'}`,
    'warn',
  );
  try {
    await (fallback ? runFallbackPhase(ctx) : runUpPhase(ctx));
    // The hooks after waitFor again (postStart, postAttach after a restart), in the background.
    if (!fallback && (await wantsHooks(ctx)))
      ctx.state.hooksRun = runHooksPhase({ ...ctx, log: ctx.state.hooksLog ?? ctx.log }).catch(() => {});
    ctx.status.phase = 'supervise';
    await ctx.save();
    return true;
  } catch (error) {
    const code = error instanceof BuilderError ? error.code : 'devcontainer-up-failed';
    log.write(`devcontainer up failed: ${recordError(ctx, code, error)}; retrying in ${backoff.next / 1000} s`, 'error');
    await ctx.save();
    await backoff.wait(ctx.docker.signal);
    return false;
  }
}

/** Starts the agent again (its own log keeps going); a failure is recorded and waited out. */
async function restartAgent(ctx: PhaseContext, agentCtx: PhaseContext): Promise<void> {
  const previous = ctx.state.agent;
  try {
    ctx.state.agentRestarts++;
    await runAgentPhase(agentCtx);
    ctx.log.write(`agent running again (pid ${ctx.state.agent?.pid})`, 'info');
  } catch (error) {
    ctx.log.write(`agent restart failed: ${recordError(ctx, error instanceof BuilderError ? error.code : 'agent-failed', error)}`, 'error');
    if (previous) ctx.state.agent = { ...previous, exited: Promise.resolve({ exitCode: undefined }) };
  }
  await ctx.save();
}

/** Stops the agent, then the devcontainer unless its shutdownAction is none. */
async function shutdown(ctx: PhaseContext): Promise<void> {
  const { log } = ctx;
  log.write('stopping: SIGTERM received', 'info');
  await ctx.state.agent?.stop(5000).catch(() => {});
  const config = ctx.state.config?.config;
  const action = (config?.shutdownAction as string | undefined) ?? (config?.dockerComposeFile ? 'stopCompose' : 'stopContainer');
  if (action === 'none') return log.write('shutdownAction is none: leaving the devcontainer running', 'info');
  const id = (ctx.state.container as ContainerRef).containerId;
  // A fresh context: the run's signal has fired, and this stop must still run.
  const docker = { dockerHost: ctx.docker.dockerHost, env: ctx.docker.env };
  if (action === 'stopCompose' && isComposeConfig(config)) return stopComposeOnShutdown(docker, id, log);
  const r = await runDocker(docker, ['stop', '--time', '8', id]);
  log.write(
    r.exitCode === 0 ? `stopped the devcontainer ${id.slice(0, 12)}` : `docker stop failed: ${r.stderr}`,
    r.exitCode === 0 ? 'info' : 'warn',
  );
}

/** Runs until the signal fires. `agentLog` is the agent phase's log, kept open for restarts. */
export async function runSupervisePhase(ctx: PhaseContext & { agentLog?: PhaseContext['log'] }): Promise<void> {
  const signal = ctx.docker.signal;
  const backoff = createBackoff(ctx.backoff);
  const agentCtx = { ...ctx, log: ctx.agentLog ?? ctx.log };
  const agentNote = ctx.state.agent ? `the agent (pid ${ctx.state.agent.pid}) and ` : '';
  ctx.log.write(
    `supervising ${agentNote}container ${(ctx.state.container as ContainerRef).containerId.slice(0, 12)}; SIGTERM stops both`,
    'info',
  );
  const stopped = new Promise<'stop'>((resolve) => {
    if (signal?.aborted) resolve('stop');
    signal?.addEventListener('abort', () => resolve('stop'), { once: true });
  });
  while (!signal?.aborted) {
    const since = Date.now();
    const agent = ctx.state.agent;
    const c = ctx.state.container as ContainerRef;
    const event = await Promise.race([
      stopped,
      agent
        ? agent.exited.then(() => 'agent-exit' as const)
        : waitForContainerStop(ctx, c.containerId).then(() => 'container-stop' as const),
    ]);
    if (event === 'stop') break;
    if (Date.now() - since > 60_000) backoff.reset();
    if (event === 'agent-exit' && agent) {
      ctx.log.write(
        `the agent exited (code ${(await agent.exited).exitCode}); restarting in ${(backoff.next / 1000).toFixed(1)} s`,
        'warn',
      );
      // Backoff first: when the devcontainer is being stopped, its state has settled by then.
      await backoff.wait(signal);
      if (signal?.aborted) break;
    }
    if (!(await inspectContainer(ctx.docker, c.containerId))?.running && !(await restartContainer(ctx, backoff))) continue;
    if (signal?.aborted) break;
    if (ctx.settings.coder) await restartAgent(ctx, agentCtx);
  }
  await shutdown(ctx);
}
