// checkout: clone or update the repository into the workspace folder (git-checkout.ts does the git
// work; the token reaches git through GIT_ASKPASS only). A dirty or diverged checkout is kept: a warning.
import { checkoutRepository } from '../git-checkout.js';
import { checkoutSettings } from '../settings.js';
import type { PhaseOutcome } from '../status.js';
import type { PhaseContext } from './context.js';

export async function runCheckoutPhase(ctx: PhaseContext): Promise<PhaseOutcome | undefined> {
  const r = await checkoutRepository({ ...checkoutSettings(ctx.settings), log: ctx.log, redactor: ctx.redactor, env: ctx.docker.env });
  if (r.commit) ctx.status.commit = r.commit;
  ctx.state.checkoutAction = r.action;
  return r.action === 'kept-dirty' || r.action === 'kept-diverged' ? 'warning' : undefined;
}
