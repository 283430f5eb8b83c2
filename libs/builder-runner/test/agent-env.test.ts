// resolveAgentEnv: pure; no I/O.
import { describe, expect, it } from 'vitest';
import { parseContainerEnv, resolveAgentEnv } from '../src/agent-env.js';

describe('resolveAgentEnv', () => {
  const base = { workspaceFolder: '/workspaces/demo', containerEnv: { PATH: '/usr/bin', HOME: '/home/dev' } };

  it('merges remoteEnv per key with the last entry winning, and null unsetting', () => {
    const { env } = resolveAgentEnv({
      ...base,
      metadata: [{ remoteEnv: { A: 'feature', B: 'feature', C: 'x' } }, { id: 'no-env' }, { remoteEnv: { A: 'config', C: null } }],
    });
    expect(env).toEqual({ A: 'config', B: 'feature' });
  });

  it('resolves ${containerEnv:…} (with defaults) and ${localWorkspaceFolderBasename}', () => {
    const { env } = resolveAgentEnv({
      ...base,
      metadata: [
        {
          remoteEnv: {
            PATH: '${containerEnv:PATH}:/opt/tools',
            MISSING: '${containerEnv:NOPE:fallback}',
            NAME: '${localWorkspaceFolderBasename}',
          },
        },
      ],
    });
    expect(env).toEqual({ PATH: '/usr/bin:/opt/tools', MISSING: 'fallback', NAME: 'demo' });
  });

  it('applies DEVCONTAINER_REMOTE_ENV after the config', () => {
    const { env } = resolveAgentEnv({ ...base, metadata: [{ remoteEnv: { CA: 'config' } }], extra: ['CA=/etc/extra-ca.crt', 'OTHER=a=b'] });
    expect(env).toEqual({ CA: '/etc/extra-ca.crt', OTHER: 'a=b' });
  });

  it('never lets remoteEnv redirect or re-authenticate the agent', () => {
    const { env, reserved } = resolveAgentEnv({
      ...base,
      metadata: [{ remoteEnv: { CODER_AGENT_URL: 'http://evil.invalid/', CODER_AGENT_TOKEN: 'x', KEEP: '1' } }],
    });
    expect(env).toEqual({ KEEP: '1' });
    expect(reserved.sort()).toEqual(['CODER_AGENT_TOKEN', 'CODER_AGENT_URL']);
  });

  it('ignores entries that are not objects or have no remoteEnv', () => {
    expect(resolveAgentEnv({ ...base, metadata: [null, 3, 'x', { remoteEnv: 'nope' }] }).env).toEqual({});
  });
});

describe('parseContainerEnv', () => {
  it('splits NAME=value at the first =', () => {
    expect(parseContainerEnv(['A=1', 'B=x=y', 'broken', '=nameless'])).toEqual({ A: '1', B: 'x=y' });
  });
});
