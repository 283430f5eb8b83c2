// preflight: the Docker daemon answers (waiting up to DEVCONTAINER_DOCKER_WAIT), and Coder answers
// when one is configured. It runs alongside checkout and config (which need neither); `up` and
// everything after wait for it (pipeline.ts).
import { createBackoff, requestEngine, runDocker } from '@devcontainer-kit/docker-context';
import { type BuildInfoAnswer, getCoderBuildInfo } from '../coder-buildinfo.js';
import { BuilderError } from '../errors.js';
import { type PhaseContext, throwIfAborted } from './context.js';

/** Polls `docker version` once a second; says what it waits for every 10 s. */
async function waitForDocker(ctx: PhaseContext): Promise<string> {
  const { settings, log } = ctx;
  const target = ctx.docker.dockerHost ?? 'unix:///var/run/docker.sock (default)';
  const started = Date.now();
  let lastSaid = -10_000;
  const tick = createBackoff({ initialMs: 1000, maxMs: 1000 });
  // First the Engine API (no process); when it does not answer, the CLI's loop says why.
  const api = await requestEngine(ctx.docker, { method: 'GET', path: '/version', timeoutMs: 10_000 });
  if (api?.status === 200) {
    const version = (JSON.parse(api.body) as { Version?: unknown }).Version;
    if (typeof version === 'string' && version) return version;
  }
  for (;;) {
    const r = await runDocker(ctx.docker, ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
    if (r.exitCode === 0 && r.stdout) return r.stdout.trim();
    throwIfAborted(ctx);
    const lastError = (r.stderr || r.stdout || '').split('\n').filter(Boolean).pop() || 'no answer';
    const elapsed = Date.now() - started;
    if (elapsed >= settings.dockerWaitSeconds * 1000)
      throw new BuilderError(`the Docker daemon at ${target} did not answer within ${settings.dockerWaitSeconds} s: ${lastError}`, {
        code: 'docker-unavailable',
        phase: 'preflight',
        command: 'docker version',
        exitCode: r.exitCode,
        outputTail: r.all,
      });
    if (elapsed - lastSaid >= 10_000) {
      log.write(
        `waiting for the Docker daemon at ${target} (${Math.round(elapsed / 1000)} s of ${settings.dockerWaitSeconds} s): ${lastError}`,
        'info',
      );
      lastSaid = elapsed;
    }
    await tick.wait(ctx.docker.signal);
  }
}

/** GET api/v2/buildinfo, five attempts with a growing pause (an injected `fetch` when the caller gave one). */
async function waitForCoder(ctx: PhaseContext, agentUrl: string): Promise<void> {
  const backoff = createBackoff({ initialMs: ctx.backoff.initialMs, maxMs: Math.min(5000, ctx.backoff.maxMs) });
  let lastError = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    const answer =
      ctx.fetch === fetch
        ? await getCoderBuildInfo(agentUrl, { timeoutMs: 5000, signal: ctx.docker.signal })
        : await viaFetch(ctx, agentUrl);
    if (answer.ok) {
      if (answer.version) ctx.state.coderVersion = answer.version;
      ctx.log.write(`Coder ${answer.version ?? ''} answers at ${agentUrl}`, 'info');
      return;
    }
    lastError = answer.error;
    throwIfAborted(ctx);
    await backoff.wait(ctx.docker.signal);
  }
  throw new BuilderError(`Coder at ${agentUrl} does not answer: ${lastError}`, { code: 'coder-unreachable', phase: 'preflight' });
}

/** The same question through the context's `fetch` (tests inject one). */
async function viaFetch(ctx: PhaseContext, agentUrl: string): Promise<BuildInfoAnswer> {
  try {
    const r = await ctx.fetch(new URL('api/v2/buildinfo', agentUrl), { signal: AbortSignal.timeout(5000) });
    if (!r.ok) return { ok: false, error: `HTTP ${r.status}` };
    const v = ((await r.json()) as { version?: unknown }).version;
    return { ok: true, version: typeof v === 'string' ? v : undefined };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export async function runPreflightPhase(ctx: PhaseContext): Promise<void> {
  // Both at once: neither depends on the other, and a restart should not wait for them in turn.
  const docker = waitForDocker(ctx).then((version) =>
    ctx.log.write(`Docker ${version} answers${ctx.docker.dockerHost ? ` at ${ctx.docker.dockerHost}` : ''}`, 'info'),
  );
  const coder = ctx.settings.coder ? waitForCoder(ctx, ctx.settings.coder.agentUrl) : Promise.resolve();
  // Docker's failure first when both fail (it is the one the user must fix before anything runs).
  const [d, c] = await Promise.allSettled([docker, coder]);
  if (d.status === 'rejected') throw d.reason;
  if (c.status === 'rejected') throw c.reason;
}
