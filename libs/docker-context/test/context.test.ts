import { describe, expect, it } from 'vitest';
import { createDockerContext, DOCKER_ENV_ALLOW_LIST } from '../src/context.js';

describe('createDockerContext', () => {
  const env = {
    PATH: '/usr/bin',
    HOME: '/home/b',
    CODER_AGENT_TOKEN: 'agent-secret',
    DEVCONTAINER_GIT_TOKEN: 'git-secret',
    GH_TOKEN: 'gh-secret',
    DOCKER_HOST: 'unix:///env.sock',
    EMPTY: '',
  };

  it('copies allow-listed names only: no token reaches a child', () => {
    const ctx = createDockerContext({ env });
    expect(ctx.env).toEqual({ PATH: '/usr/bin', HOME: '/home/b', DOCKER_HOST: 'unix:///env.sock' });
    expect(JSON.stringify(ctx)).not.toMatch(/secret/);
    for (const name of DOCKER_ENV_ALLOW_LIST) expect(name).not.toMatch(/TOKEN|SECRET|PASSWORD/);
  });

  it('takes dockerHost over env.DOCKER_HOST; an empty value means unset', () => {
    expect(createDockerContext({ env, dockerHost: 'tcp://127.0.0.1:2375' }).env.DOCKER_HOST).toBe('tcp://127.0.0.1:2375');
    expect(createDockerContext({ env: { PATH: '/bin', DOCKER_HOST: '' }, dockerHost: '' })).toMatchObject({
      dockerHost: undefined,
      env: { PATH: '/bin' },
    });
  });

  it('is frozen: nobody adds a secret later', () => {
    const ctx = createDockerContext({ env });
    expect(() => {
      (ctx.env as Record<string, string>).X = 'y';
    }).toThrow();
  });
});
