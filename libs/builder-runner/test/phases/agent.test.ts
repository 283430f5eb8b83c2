import { describe, expect, it } from 'vitest';
import { runAgentPhase } from '../../src/phases/agent.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

const coder = { CODER_AGENT_URL: 'http://127.0.0.1:9/', CODER_AGENT_TOKEN: 'agent-token-9876' };

describe('agent', () => {
  it('is skipped without Coder (local mode)', async () => {
    const ctx = phaseContext(fakeDocker([]).ctx);
    expect(await runAgentPhase(ctx)).toBe('skipped');
  });

  it('a failed agent download is agent-download-failed, not an up failure', async () => {
    const docker = fakeDocker([
      { match: 'inspect *', stdout: '[]\n<no value>' },
      { match: 'exec -u root * sh -c *', stdout: 'tool=none\narch=x86_64\n' },
    ]);
    const ctx = phaseContext(docker.ctx, coder);
    ctx.state.container = { containerId: 'c0ffee', remoteUser: 'dev', remoteWorkspaceFolder: '/workspaces/app' };
    await expect(runAgentPhase(ctx)).rejects.toMatchObject({
      name: 'BuilderError',
      code: 'agent-download-failed',
      phase: 'agent',
      message: expect.stringMatching(/^agent binary download failed: GET http:\/\/127\.0\.0\.1:9\/bin\/coder-linux-amd64/),
    });
    expect(ctx.log.text()).toMatch(/binary mode: no CODER_INIT_SCRIPT; the builder provides coder-linux-amd64/);
    // The token never reached a docker child that does not start the agent.
    expect(docker.environments()).not.toContain('agent-token-9876');
  });

  it('a container it cannot prepare is agent-failed', async () => {
    const docker = fakeDocker([
      { match: 'inspect *', stdout: '[]\n<no value>' },
      { match: 'exec -u root *', stdout: 'permission denied', exit: 3 },
    ]);
    const ctx = phaseContext(docker.ctx, coder);
    ctx.state.container = { containerId: 'c0ffee', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    await expect(runAgentPhase(ctx)).rejects.toMatchObject({ code: 'agent-failed', exitCode: 3 });
  });
});
