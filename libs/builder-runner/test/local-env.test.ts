// Pure logic: which of the builder's variables the devcontainer CLI may see for ${localEnv:…}.
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { describe, expect, it } from 'vitest';
import { localEnvFor, WITHHELD_ENV_NAMES, withLocalEnv } from '../src/local-env.js';

describe('localEnvFor', () => {
  it('withholds every secret setting of the builder and the git token fallbacks', () => {
    expect([...WITHHELD_ENV_NAMES]).toEqual(
      expect.arrayContaining(['CODER_AGENT_TOKEN', 'DEVCONTAINER_GIT_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN']),
    );
    const config = { containerEnv: { A: '${localEnv:CODER_AGENT_TOKEN}', B: '${localEnv:PROXY_HOST}', C: '${localEnv:NOT_SET}' } };
    expect(localEnvFor({ config, env: { CODER_AGENT_TOKEN: 't', PROXY_HOST: 'p', OTHER: 'o' } })).toEqual({
      vars: { PROXY_HOST: 'p' },
      withheld: ['CODER_AGENT_TOKEN'],
    });
  });
});

describe('withLocalEnv', () => {
  it('adds the variables to the context without overriding what the context sets', () => {
    const ctx = createDockerContext({ env: { PATH: '/bin', HOME: '/root', SECRET: 's' }, dockerHost: 'unix:///d.sock' });
    const out = withLocalEnv(ctx, { HOME: '/elsewhere', BASE_IMAGE: 'local/base' });
    expect(out.env).toEqual({ PATH: '/bin', HOME: '/root', DOCKER_HOST: 'unix:///d.sock', BASE_IMAGE: 'local/base' });
    expect(out.dockerHost).toBe('unix:///d.sock');
    expect(withLocalEnv(ctx, {})).toBe(ctx);
    expect(Object.isFrozen(out.env)).toBe(true);
  });
});
