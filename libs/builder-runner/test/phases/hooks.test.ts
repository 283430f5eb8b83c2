// The background hooks phase: the status lists, when it has work, and a run against the real
// pinned devcontainer CLI over a fake docker (no Docker): a failure is recorded, never thrown.
import { describe, expect, it } from 'vitest';
import { buildRunUserCommandsArgs } from '../../src/devcontainer-up.js';
import { moveHook, runHooksPhase, wantsHooks } from '../../src/phases/hooks.js';
import type { HooksStatus } from '../../src/status.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

describe('hooks', () => {
  it('moves a hook from one list to another, never in two', () => {
    const h: HooksStatus = {
      waitFor: 'updateContentCommand',
      pending: ['postCreateCommand', 'postStartCommand'],
      running: [],
      done: [],
      failed: [],
      skipped: [],
    };
    moveHook(h, 'postCreateCommand', 'running');
    expect(h).toMatchObject({ pending: ['postStartCommand'], running: ['postCreateCommand'] });
    moveHook(h, 'postCreateCommand', 'done');
    moveHook(h, 'postStartCommand', 'failed');
    expect(h).toMatchObject({ pending: [], running: [], done: ['postCreateCommand'], failed: ['postStartCommand'] });
  });

  it('has work only when up left hooks and no fallback runs', async () => {
    const plan = { waitFor: 'updateContentCommand', background: ['postCreateCommand' as const], args: [] };
    expect(await wantsHooks({ state: { agentRestarts: 0 } })).toBe(false);
    expect(await wantsHooks({ state: { agentRestarts: 0, hooksPlan: { ...plan, background: [] } } })).toBe(false);
    expect(await wantsHooks({ state: { agentRestarts: 0, hooksPlan: plan } })).toBe(true);
  });

  it('a run-user-commands that fails is logged and recorded in the status, the phase ends failed (fail) or warning (continue)', async () => {
    for (const hookFailure of ['fail', 'continue']) {
      const docker = fakeDocker([{ match: '*', stdout: 'Cannot connect to the Docker daemon', exit: 1 }]);
      const ctx = phaseContext(docker.ctx, { DEVCONTAINER_HOOK_FAILURE: hookFailure });
      ctx.state.hooksPlan = {
        waitFor: 'updateContentCommand',
        background: ['postCreateCommand', 'postStartCommand'],
        args: buildRunUserCommandsArgs({
          workspaceFolder: ctx.settings.workspaceFolder,
          idLabels: { 'devcontainer-kit.workspace': 'app' },
        }),
      };
      const outcome = await runHooksPhase(ctx);
      expect(outcome).toBe(hookFailure === 'fail' ? 'failed' : 'warning');
      // Nothing ran: the hooks the CLI did not reach are skipped, none stays pending.
      expect(ctx.status.hooks).toMatchObject({ pending: [], running: [], done: [], skipped: ['postCreateCommand', 'postStartCommand'] });
      expect(ctx.status.lastError).toMatchObject({ phase: 'hooks', message: expect.stringMatching(/run-user-commands failed/) });
      expect(ctx.log.text()).toMatch(/running postCreateCommand, postStartCommand in the background/);
      expect(ctx.log.text()).toMatch(/The workspace stays up/);
    }
  }, 60_000);
});
