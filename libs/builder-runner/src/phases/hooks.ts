// hooks: the lifecycle hooks after `waitFor`, in the background. `up` ran the container's hooks up
// to `waitFor` (`--skip-non-blocking-commands`); the agent starts meanwhile, and this phase runs the
// rest with `devcontainer run-user-commands` — the CLI's own markers keep the spec's semantics
// (creation hooks once per container, postStart once per start, postAttach every time). Output goes
// to the "Builder: lifecycle hooks" log source; where each hook is goes to the status file.
//
// A failing background hook never takes the workspace down (the user may already be working in it):
// it is logged as an error and recorded (`hooks.failed`, `lastError`); the hooks after it are not
// run, as the CLI does in `up`. DEVCONTAINER_HOOK_FAILURE decides how the status reads: `fail` — the
// hooks phase `failed`; `continue` — `warning`.
import { runDevcontainerCli } from '@devcontainer-kit/docker-context';
import { failedLifecycleHook, parseHookProgress, type UpResult } from '../devcontainer-up.js';
import type { HooksStatus, PhaseOutcome } from '../status.js';
import type { PhaseContext } from './context.js';

/** Moves a hook between the status lists. */
export function moveHook(h: HooksStatus, hook: string, to: 'pending' | 'running' | 'done' | 'failed' | 'skipped'): void {
  for (const k of ['pending', 'running', 'done', 'failed', 'skipped'] as const) h[k] = h[k].filter((x) => x !== hook);
  h[to].push(hook);
}

/** Whether the background hooks phase has work (none after a fallback start or when all ran in `up`). */
export async function wantsHooks(ctx: Pick<PhaseContext, 'state'>): Promise<boolean> {
  return !ctx.state.failure && (ctx.state.hooksPlan?.background.length ?? 0) > 0;
}

/** One `run-user-commands`: its lines to the log, hook progress to the status. */
async function runOnce(ctx: PhaseContext, hooks: HooksStatus): Promise<{ result: UpResult | undefined; exitCode: number; tail: string }> {
  const { log } = ctx;
  const plan = ctx.state.hooksPlan as NonNullable<PhaseContext['state']['hooksPlan']>;
  const r = await runDevcontainerCli(ctx.docker, plan.args, {
    onLine: (l) => {
      const p = parseHookProgress(l.text);
      if (p) {
        moveHook(hooks, p.hook, p.state === 'running' ? 'running' : p.state === 'succeeded' ? 'done' : 'failed');
        log.write(`${p.hook}: ${p.state}`, p.state === 'failed' ? 'error' : 'info');
        void ctx.save();
        return;
      }
      log.write(l.text, l.level);
    },
  });
  return { result: r.result as UpResult | undefined, exitCode: r.exitCode, tail: r.outputTail };
}

export async function runHooksPhase(ctx: PhaseContext): Promise<PhaseOutcome> {
  const { log, settings, status } = ctx;
  const plan = ctx.state.hooksPlan as NonNullable<PhaseContext['state']['hooksPlan']>;
  ctx.state.hooksLog ??= log;
  const hooks: HooksStatus = status.hooks ?? {
    waitFor: plan.waitFor,
    pending: [...plan.background],
    running: [],
    done: [],
    failed: [],
    skipped: [],
  };
  status.hooks = hooks;
  log.write(`the workspace is usable after ${plan.waitFor} (waitFor); running ${plan.background.join(', ')} in the background`, 'info');
  const { result, exitCode, tail } = await runOnce(ctx, hooks);
  if (ctx.docker.signal?.aborted) return 'skipped';
  if (result?.outcome === 'success') {
    // Hooks the CLI did not need to run (a creation hook after a restart) are done for this container.
    for (const h of [...hooks.pending, ...hooks.running]) moveHook(hooks, h, 'done');
    return await finish(ctx, 'success');
  }
  const hook = result ? failedLifecycleHook(result) : undefined;
  const what = ctx.redactor(`${result?.description ?? ''} ${result?.message ?? ''}`.trim() || tail.split('\n').pop() || `exit ${exitCode}`);
  if (hook) moveHook(hooks, hook, 'failed');
  for (const h of hooks.running) moveHook(hooks, h, 'failed');
  const name = hook ?? 'devcontainer run-user-commands';
  status.lastError = {
    code: hook ? 'lifecycle-hook-failed' : 'devcontainer-up-failed',
    phase: 'hooks',
    message: `${name} failed: ${what}`,
    at: new Date().toISOString(),
  };
  log.write(`${name} failed: ${what}`, 'error');
  // As in `up`, the CLI stops at the failing hook: the ones after it are not run.
  const rest = [...hooks.pending];
  for (const h of rest) moveHook(hooks, h, 'skipped');
  log.write(
    `${rest.length ? `not run: ${rest.join(', ')}. ` : ''}The workspace stays up (DEVCONTAINER_HOOK_FAILURE=${settings.hookFailure}): fix the hook and restart the workspace.`,
    'warn',
  );
  return await finish(ctx, settings.hookFailure === 'continue' ? 'warning' : 'failed');
}

/** The lists and the phase's outcome in one status write (readers never see one without the other). */
async function finish(ctx: PhaseContext, outcome: PhaseOutcome): Promise<PhaseOutcome> {
  const entry = ctx.status.phases.hooks;
  if (entry) entry.outcome = outcome;
  await ctx.save();
  return outcome;
}
