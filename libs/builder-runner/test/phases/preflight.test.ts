import { describe, expect, it } from 'vitest';
import { runPreflightPhase } from '../../src/phases/preflight.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

describe('preflight', () => {
  it('goes on once docker answers, and says where', async () => {
    const docker = fakeDocker([{ match: 'version *', stdout: '20.10.24\n' }], { env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } });
    const ctx = phaseContext(docker.ctx);
    await runPreflightPhase(ctx);
    expect(ctx.log.text()).toBe('Docker 20.10.24 answers at tcp://127.0.0.1:2375');
  });

  it('a daemon that never answers is docker-unavailable, with what docker said', async () => {
    const docker = fakeDocker([{ match: 'version *', stdout: 'Cannot connect to the Docker daemon', exit: 1 }]);
    const ctx = phaseContext(docker.ctx, { DEVCONTAINER_DOCKER_WAIT: '1' });
    await expect(runPreflightPhase(ctx)).rejects.toMatchObject({
      name: 'BuilderError',
      code: 'docker-unavailable',
      phase: 'preflight',
      exitCode: 1,
      message: expect.stringMatching(/did not answer within 1 s: Cannot connect/),
    });
    expect(docker.calls().length).toBeGreaterThanOrEqual(2);
  });

  it('a Coder that does not answer is coder-unreachable (not a Docker problem)', async () => {
    const docker = fakeDocker([{ match: 'version *', stdout: '20.10.24' }]);
    const ctx = phaseContext(docker.ctx, { CODER_AGENT_URL: 'http://127.0.0.1:9/', CODER_AGENT_TOKEN: 'tok-1234' });
    ctx.backoff = { initialMs: 1, maxMs: 1 };
    await expect(runPreflightPhase(ctx)).rejects.toMatchObject({ code: 'coder-unreachable', message: expect.stringMatching(/no network/) });
  }, 30_000);
});
