// Pure logic: variable substitution and ${devcontainerId} per the spec (node:crypto, real).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeDevcontainerId, devcontainerIdLabels, findVariables, listLocalEnvNames, substituteVariables } from '../src/index.js';

describe('substituteVariables', () => {
  const env = { HOME: '/home/me', EMPTY: '' };

  it('replaces local variables everywhere and leaves container-side ones when not given', () => {
    const config = {
      image: 'x',
      name: '${localWorkspaceFolderBasename}',
      containerEnv: {
        A: '${localEnv:HOME}',
        B: '${env:HOME}',
        C: '${localEnv:NOPE:dflt}',
        D: '${localEnv:NOPE}',
        E: '${localEnv:EMPTY:dflt}',
      },
      remoteEnv: { P: '${containerEnv:PATH}', W: '${containerWorkspaceFolder}', WB: '${containerWorkspaceFolderBasename}' },
      mounts: ['source=${localWorkspaceFolder},target=/x,type=bind', 'source=v-${devcontainerId},target=/v'],
      runArgs: ['${unknown}', 42],
    };
    const out = substituteVariables({ config, localWorkspaceFolder: '/src/proj', env });
    expect(out).toEqual({
      image: 'x',
      name: 'proj',
      containerEnv: { A: '/home/me', B: '/home/me', C: 'dflt', D: '', E: '' },
      remoteEnv: { P: '${containerEnv:PATH}', W: '/workspaces/proj', WB: 'proj' },
      mounts: ['source=/src/proj,target=/x,type=bind', 'source=v-${devcontainerId},target=/v'],
      runArgs: ['${unknown}', 42],
    });
    expect(config.name).toBe('${localWorkspaceFolderBasename}');
  });

  it('substitutes ${containerEnv} in remoteEnv only, and ${devcontainerId} when given', () => {
    const config = {
      image: 'x',
      remoteEnv: { P: '${containerEnv:PATH}:/x', Q: '${containerEnv:NOPE:d}' },
      containerEnv: { P: '${containerEnv:PATH}', I: '${devcontainerId}' },
    };
    const out = substituteVariables({ config, localWorkspaceFolder: '/w', env, containerEnv: { PATH: '/bin' }, devcontainerId: 'abc' });
    expect(out.remoteEnv).toEqual({ P: '/bin:/x', Q: 'd' });
    expect(out.containerEnv).toEqual({ P: '${containerEnv:PATH}', I: 'abc' });
  });

  it('containerWorkspaceFolder comes from workspaceFolder (itself substituted), "/" for Compose', () => {
    const a = substituteVariables({
      config: {
        image: 'x',
        workspaceFolder: '/code/${localWorkspaceFolderBasename}',
        remoteEnv: { W: '${containerWorkspaceFolderBasename}' },
      },
      localWorkspaceFolder: '/a/b',
      env,
    });
    expect(a.workspaceFolder).toBe('/code/b');
    expect(a.remoteEnv).toEqual({ W: 'b' });
    const c = substituteVariables({
      config: { dockerComposeFile: 'c.yml', remoteEnv: { W: '${containerWorkspaceFolder}' } },
      localWorkspaceFolder: '/a/b',
      env,
    });
    expect(c.remoteEnv).toEqual({ W: '/' });
  });

  it('a default ends at the next colon, like the devcontainer CLI', () => {
    expect(substituteVariables({ config: { image: 'x', name: '${localEnv:NOPE:http://x}' }, localWorkspaceFolder: '/w', env }).name).toBe(
      'http',
    );
  });

  it('findVariables lists every reference with its index', () => {
    expect(findVariables('a ${localEnv:X:y} b ${devcontainerId}')).toEqual([
      { text: '${localEnv:X:y}', name: 'localEnv', args: ['X', 'y'], index: 2 },
      { text: '${devcontainerId}', name: 'devcontainerId', args: [], index: 20 },
    ]);
    expect(findVariables('no vars')).toEqual([]);
  });
});

describe('computeDevcontainerId', () => {
  it('follows the spec: sorted keys, no whitespace, sha256, base-32 padded to 52', () => {
    const labels = { 'devcontainer.local_folder': '/src/proj', 'devcontainer.config_file': '/src/proj/.devcontainer/devcontainer.json' };
    const id = computeDevcontainerId(labels);
    const json = '{"devcontainer.config_file":"/src/proj/.devcontainer/devcontainer.json","devcontainer.local_folder":"/src/proj"}';
    const expected = BigInt(`0x${createHash('sha256').update(json).digest('hex')}`)
      .toString(32)
      .padStart(52, '0');
    expect(id).toBe(expected);
    expect(id).toMatch(/^[0-9a-v]{52}$/);
    expect(computeDevcontainerId({ b: '2', a: '1' })).toBe(computeDevcontainerId({ a: '1', b: '2' }));
    expect(devcontainerIdLabels({ localWorkspaceFolder: '/src/proj', configFile: '/src/proj/.devcontainer/devcontainer.json' })).toEqual(
      labels,
    );
  });
});

describe('listLocalEnvNames', () => {
  it('lists every ${localEnv:…} and ${env:…} name once, in order, from nested values but not keys or other variables', () => {
    const config = {
      image: 'x:${localEnv:TAG:latest}',
      build: { args: { A: '${localEnv:BASE_IMAGE}', B: '${env:PROXY}' } },
      mounts: ['source=${localEnv:HOME}/.ssh,target=/s', 'source=${localWorkspaceFolder},target=/w'],
      '${localEnv:NOT_A_VALUE}': 'key only',
      remoteEnv: { X: '${containerEnv:PATH}', Y: '${localEnv:TAG}' },
    };
    expect(listLocalEnvNames(config)).toEqual(['TAG', 'BASE_IMAGE', 'PROXY', 'HOME']);
    expect(listLocalEnvNames({ image: 'plain' })).toEqual([]);
  });

  it('walks a deeply nested value without recursion', () => {
    let deep: unknown = '${localEnv:DEEP}';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(listLocalEnvNames({ a: deep })).toEqual(['DEEP']);
  });
});
