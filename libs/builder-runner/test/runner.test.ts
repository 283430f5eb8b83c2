// The runner around every phase: status entries, timing, outcome, error mapping, abort, skip.
import { describe, expect, it } from 'vitest';
import { BuilderError } from '../src/errors.js';
import type { PhaseLog, PhaseLogFactory, PhaseName } from '../src/phase-log.js';
import { runPhase } from '../src/runner.js';
import { fakeDocker, memoryLog, phaseContext } from './phases/fake-docker.js';

function logs(): PhaseLogFactory & { opened: PhaseName[]; byPhase: Map<PhaseName, ReturnType<typeof memoryLog>> } {
  const byPhase = new Map<PhaseName, ReturnType<typeof memoryLog>>();
  const opened: PhaseName[] = [];
  return {
    opened,
    byPhase,
    async open(phase): Promise<PhaseLog> {
      opened.push(phase);
      const l = memoryLog();
      byPhase.set(phase, l);
      return l;
    },
    async close() {},
  };
}

describe('runPhase', () => {
  it('times the phase, records its outcome and writes the status', async () => {
    const ctx = phaseContext(fakeDocker([]).ctx, { DEVCONTAINER_GIT_TOKEN: 'git-token-run-1111' });
    const f = logs();
    let saves = 0;
    ctx.save = async () => {
      saves++;
    };
    await runPhase({ name: 'checkout', failureCode: 'git-failed', run: async () => 'warning' }, ctx, f);
    expect(ctx.status.phases.checkout).toMatchObject({ outcome: 'warning', durationMs: expect.any(Number) });
    expect(saves).toBe(2);
    expect(f.byPhase.get('checkout')?.text()).toMatch(/^checkout done in \d+\.\d s$/);
  });

  it("maps an unexpected failure to the phase's own code and reports it redacted", async () => {
    const ctx = phaseContext(fakeDocker([]).ctx, { DEVCONTAINER_GIT_TOKEN: 'git-token-run-2222' });
    const f = logs();
    const run = async () => {
      throw new TypeError('fetch failed for https://x:git-token-run-2222@host');
    };
    const error = await runPhase({ name: 'agent', failureCode: 'agent-failed', run }, ctx, f).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuilderError);
    expect(error).toMatchObject({ code: 'agent-failed', phase: 'agent', cause: expect.any(TypeError) });
    expect(ctx.status).toMatchObject({
      phase: 'failed',
      lastError: { code: 'agent-failed', phase: 'agent', message: 'fetch failed for https://x:***@host' },
    });
    expect(ctx.status.phases.agent?.outcome).toBe('failed');
  });

  it('keeps a BuilderError code from the phase', async () => {
    const ctx = phaseContext(fakeDocker([]).ctx);
    const run = async () => {
      throw new BuilderError('download failed', { code: 'agent-download-failed', phase: 'agent' });
    };
    await expect(runPhase({ name: 'agent', failureCode: 'agent-failed', run }, ctx, logs())).rejects.toMatchObject({
      code: 'agent-download-failed',
    });
  });

  it('is aborted before it starts when the signal fired, and a skip opens no log', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted = phaseContext(fakeDocker([], { signal: controller.signal }).ctx);
    await expect(
      runPhase({ name: 'up', failureCode: 'devcontainer-up-failed', run: async () => {} }, aborted, logs()),
    ).rejects.toMatchObject({ code: 'aborted' });
    const ctx = phaseContext(fakeDocker([]).ctx);
    const f = logs();
    await runPhase({ name: 'extensions', failureCode: 'extensions-failed', run: async () => {}, wanted: async () => false }, ctx, f);
    expect(f.opened).toEqual([]);
    expect(ctx.status.phases.extensions?.outcome).toBe('skipped');
  });

  it('a background phase leaves the current phase alone, also when it fails', async () => {
    const ctx = phaseContext(fakeDocker([]).ctx);
    ctx.status.phase = 'agent';
    await runPhase({ name: 'hooks', failureCode: 'lifecycle-hook-failed', run: async () => 'failed', background: true }, ctx, logs());
    expect(ctx.status.phase).toBe('agent');
    expect(ctx.status.phases.hooks?.outcome).toBe('failed');
    const run = async () => {
      throw new Error('boom');
    };
    await expect(
      runPhase({ name: 'hooks', failureCode: 'lifecycle-hook-failed', run, background: true }, ctx, logs()),
    ).rejects.toMatchObject({ code: 'lifecycle-hook-failed' });
    expect(ctx.status).toMatchObject({ phase: 'agent', lastError: { code: 'lifecycle-hook-failed', phase: 'hooks' } });
  });
});
