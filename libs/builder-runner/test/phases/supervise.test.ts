import { describe, expect, it } from 'vitest';
import { runSupervisePhase } from '../../src/phases/supervise.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

describe('supervise', () => {
  it('restarts the devcontainer when it stopped, then stops it on the signal', async () => {
    const controller = new AbortController();
    // The container is never running: supervision runs up again, which fails (no config), and retries.
    const docker = fakeDocker([{ match: 'container inspect *', exit: 1 }], { signal: controller.signal });
    const ctx = phaseContext(docker.ctx);
    ctx.state.container = { containerId: 'c0ffee', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    ctx.state.config = { file: '/nonexistent/devcontainer.json', config: {}, configHash: 'h', hashedFiles: [] };
    setTimeout(() => controller.abort(), 300);
    await runSupervisePhase(ctx);
    expect(ctx.log.text()).toMatch(/the devcontainer c0ffee stopped: running devcontainer up again/);
    expect(ctx.status.lastError).toMatchObject({ phase: 'supervise' });
    expect(docker.calls().at(-1)).toBe('stop --time 8 c0ffee');
  }, 30_000);

  it('leaves the devcontainer running when shutdownAction is none', async () => {
    const controller = new AbortController();
    controller.abort();
    const docker = fakeDocker([], { signal: controller.signal });
    const ctx = phaseContext(docker.ctx);
    ctx.state.container = { containerId: 'c0ffee', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    ctx.state.config = { file: '/x', config: { shutdownAction: 'none' }, configHash: 'h', hashedFiles: [] };
    await runSupervisePhase(ctx);
    expect(ctx.log.text()).toMatch(/shutdownAction is none/);
    expect(docker.calls()).not.toContain('stop --time 8 c0ffee');
  });
});
