// checkout: clone or update the repository into the workspace folder (git-checkout.ts does the git
// work; the token reaches git through GIT_ASKPASS only). A dirty or diverged checkout is kept: a warning.
// A restart whose last `up` succeeded defers the fetch of an existing clean checkout: the pipeline
// starts the workspace first when it can (warm start) and updates the checkout after the agent runs
// (updateDeferredCheckout); when it can't, it updates before `up` as on any other start.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readDevcontainer } from '@devcontainer-kit/devcontainer-config';
import { BuilderError } from '../errors.js';
import { checkoutRepository, updateCheckout } from '../git-checkout.js';
import { checkoutSettings } from '../settings.js';
import type { PhaseOutcome } from '../status.js';
import { computeConfigHash } from './config.js';
import type { ConfigResult, PhaseContext } from './context.js';

/** Whether the workspace's last `devcontainer up` succeeded (so a warm start may follow). */
async function lastUpSucceeded(stateDir: string): Promise<boolean> {
  try {
    const [up, state] = await Promise.all(
      ['up-result.json', 'state.json'].map(async (f) => JSON.parse(await readFile(join(stateDir, f), 'utf8'))),
    );
    return up?.outcome === 'success' && typeof state?.containerId === 'string';
  } catch {
    return false;
  }
}

export async function runCheckoutPhase(ctx: PhaseContext): Promise<PhaseOutcome | undefined> {
  const deferUpdate = !ctx.settings.repositoryInPlace && (await lastUpSucceeded(ctx.settings.stateDir));
  const r = await checkoutRepository({
    ...checkoutSettings(ctx.settings),
    log: ctx.log,
    redactor: ctx.redactor,
    env: ctx.docker.env,
    deferUpdate,
  });
  if (r.commit) ctx.status.commit = r.commit;
  ctx.state.checkoutAction = r.action;
  return r.action === 'kept-dirty' || r.action === 'kept-diverged' ? 'warning' : undefined;
}

/**
 * The deferred fetch and fast-forward of an existing checkout, into the checkout phase's log.
 * Returns whether HEAD moved. A failure is a `git-failed` BuilderError of the checkout phase.
 */
export async function updateDeferredCheckout(ctx: PhaseContext): Promise<boolean> {
  const before = ctx.status.commit;
  try {
    const r = await updateCheckout({ ...checkoutSettings(ctx.settings), log: ctx.log, redactor: ctx.redactor, env: ctx.docker.env });
    if (r.commit) ctx.status.commit = r.commit;
    ctx.state.checkoutAction = r.action;
    const entry = ctx.status.phases.checkout;
    if (entry && (r.action === 'kept-dirty' || r.action === 'kept-diverged')) entry.outcome = 'warning';
    return r.commit !== before;
  } catch (error) {
    if (error instanceof BuilderError)
      throw error.phase ? error : new BuilderError(error.message, { ...error, code: error.code, phase: 'checkout' });
    throw new BuilderError(`updating the checkout failed: ${(error as Error).message}`, {
      code: 'git-failed',
      phase: 'checkout',
      cause: error,
    });
  }
}

/**
 * After a warm start: the deferred update, then what it means for the running workspace. A changed
 * devcontainer configuration is said (the workspace keeps the one it started with until a restart);
 * a failed fetch is a warning (the workspace runs on the commit it had).
 */
export async function finishDeferredCheckout(ctx: PhaseContext): Promise<void> {
  const { log } = ctx;
  const cfg = ctx.state.config as ConfigResult;
  const before = ctx.status.commit;
  try {
    if (!(await updateDeferredCheckout(ctx))) return;
    const read = await readDevcontainer({
      workspaceFolder: ctx.settings.workspaceFolder,
      ...(ctx.settings.configPath ? { configPath: ctx.settings.configPath } : {}),
    });
    const now = read.config
      ? (
          await computeConfigHash({
            file: read.file,
            config: read.config as Record<string, unknown>,
            workspaceFolder: ctx.settings.workspaceFolder,
          })
        ).hash
      : undefined;
    if (now !== cfg.configHash)
      log.write(
        `the devcontainer configuration changed in the update (${before?.slice(0, 12)} → ${ctx.status.commit?.slice(0, 12)}): the workspace runs the one it started with; restart the workspace to rebuild with the new one`,
        'warn',
      );
  } catch (error) {
    log.write(
      `the checkout was not updated (${ctx.redactor((error as Error).message)}): the workspace runs on ${before?.slice(0, 12) ?? 'the commit it had'}`,
      'warn',
    );
  }
}
