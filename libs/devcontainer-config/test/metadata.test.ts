// Pure logic: the spec's merge rules for image metadata, and normalisation for the builder.
import { describe, expect, it } from 'vitest';
import {
  DevcontainerConfigError,
  getCoderCustomizations,
  getExtensions,
  getLifecycleCommands,
  getVscodeSettings,
  mergeWithImageMetadata,
  normalizeLifecycleCommand,
  parseImageMetadata,
} from '../src/index.js';

describe('mergeWithImageMetadata', () => {
  const label = [
    {
      init: true,
      capAdd: ['SYS_PTRACE'],
      containerEnv: { A: 'img', S: 'img' },
      remoteUser: 'img',
      mounts: ['type=volume,source=i,target=/data'],
      postCreateCommand: 'img-post',
      onCreateCommand: ['echo', 'x'],
      hostRequirements: { cpus: 4, memory: '2gb', gpu: 'optional' },
      customizations: { vscode: { extensions: ['a.a', 'b.b'] } },
      entrypoint: '/e1.sh',
    },
    {
      privileged: false,
      forwardPorts: [3000, 8080],
      remoteEnv: { R: 'img', R2: 'img' },
      waitFor: 'postStartCommand',
      securityOpt: ['x'],
      portsAttributes: { '3000': { label: 'img' } },
    },
  ];
  const config = {
    image: 'i',
    remoteUser: 'root',
    containerEnv: { C: 'cfg', S: 'cfg' },
    remoteEnv: { R: 'cfg' },
    capAdd: ['NET_ADMIN', 'SYS_PTRACE'],
    securityOpt: ['x', 'y'],
    mounts: [{ type: 'volume', source: 'c', target: '/data' }, 'type=bind,source=/a,target=/b'],
    forwardPorts: [3000],
    postCreateCommand: 'cfg-post',
    postStartCommand: '',
    hostRequirements: { cpus: 1, memory: '8gb', gpu: false },
    customizations: { vscode: { extensions: ['-a.a', 'c.c'] }, coder: { apps: [{ slug: 'x' }] } },
  };

  it('applies every merge rule, the config last', () => {
    const m = mergeWithImageMetadata(config, JSON.stringify(label));
    expect(m.init).toBe(true);
    expect(m.privileged).toBe(false);
    expect(m.capAdd).toEqual(['SYS_PTRACE', 'NET_ADMIN']);
    expect(m.securityOpt).toEqual(['x', 'y']);
    expect(m.containerEnv).toEqual({ A: 'img', S: 'cfg', C: 'cfg' });
    expect(m.remoteEnv).toEqual({ R: 'cfg', R2: 'img' });
    expect(m.remoteUser).toBe('root');
    expect(m.waitFor).toBe('postStartCommand');
    expect(m.mounts).toEqual([{ type: 'volume', source: 'c', target: '/data' }, 'type=bind,source=/a,target=/b']);
    expect(m.forwardPorts).toEqual([3000, 8080]);
    expect(m.portsAttributes).toEqual({ '3000': { label: 'img' } });
    expect(m.onCreateCommands).toEqual([['echo', 'x']]);
    expect(m.postCreateCommands).toEqual(['img-post', 'cfg-post']);
    expect(m.postStartCommands).toEqual([]);
    expect(m.entrypoints).toEqual(['/e1.sh']);
    expect(m.hostRequirements).toEqual({ cpus: 4, memory: String(8 * 1024 ** 3), gpu: 'optional' });
    expect(m.customizations).toEqual({
      vscode: [{ extensions: ['a.a', 'b.b'] }, { extensions: ['-a.a', 'c.c'] }],
      coder: [{ apps: [{ slug: 'x' }] }],
    });
    expect('postCreateCommand' in m).toBe(false);
    expect(m.image).toBe('i');
  });

  it('accepts an object label, an array, a parsed value or nothing', () => {
    expect(parseImageMetadata('{"init": true}')).toEqual([{ init: true }]);
    expect(parseImageMetadata([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(parseImageMetadata(undefined)).toEqual([]);
    expect(mergeWithImageMetadata({ image: 'x' }, undefined).init).toBe(false);
  });

  it('throws INVALID_METADATA_LABEL for a label that is not JSON objects', () => {
    expect(() => parseImageMetadata('{nope')).toThrow(DevcontainerConfigError);
    expect(() => parseImageMetadata('[1]')).toThrowError(expect.objectContaining({ code: 'INVALID_METADATA_LABEL' }));
  });
});

describe('normalisation', () => {
  it('normalizeLifecycleCommand: string → shell, array → exec, object → parallel, empty → undefined', () => {
    expect(normalizeLifecycleCommand('npm ci')).toEqual({ kind: 'shell', command: 'npm ci' });
    expect(normalizeLifecycleCommand(['npm', 'ci'])).toEqual({ kind: 'exec', args: ['npm', 'ci'] });
    expect(normalizeLifecycleCommand({ a: 'x', b: ['y', 'z'], c: '' })).toEqual({
      kind: 'parallel',
      steps: [
        { name: 'a', kind: 'shell', command: 'x' },
        { name: 'b', kind: 'exec', args: ['y', 'z'] },
      ],
    });
    for (const empty of ['', '  ', [], {}, undefined, 3]) expect(normalizeLifecycleCommand(empty)).toBeUndefined();
  });

  it('getLifecycleCommands works on plain and merged configs', () => {
    const plain = getLifecycleCommands({ initializeCommand: 'i', postCreateCommand: ['a'] });
    expect(plain.initializeCommand).toEqual([{ kind: 'shell', command: 'i' }]);
    expect(plain.postCreateCommand).toEqual([{ kind: 'exec', args: ['a'] }]);
    expect(plain.onCreateCommand).toEqual([]);
    const merged = getLifecycleCommands(mergeWithImageMetadata({ image: 'x', postCreateCommand: 'b' }, [{ postCreateCommand: 'a' }]));
    expect(merged.postCreateCommand).toEqual([
      { kind: 'shell', command: 'a' },
      { kind: 'shell', command: 'b' },
    ]);
  });

  it('getExtensions applies "-id" removals in order, case-insensitively, without duplicates', () => {
    const merged = mergeWithImageMetadata({ image: 'x', customizations: { vscode: { extensions: ['-MS-Python.python', 'c.c', 'A.A'] } } }, [
      { customizations: { vscode: { extensions: ['ms-python.python', 'a.a', 'b.b'] } } },
    ]);
    expect(getExtensions(merged)).toEqual(['a.a', 'b.b', 'c.c']);
    expect(getExtensions({ extensions: ['old.one'], customizations: { vscode: { extensions: ['new.one'] } } })).toEqual([
      'old.one',
      'new.one',
    ]);
    expect(getExtensions({})).toEqual([]);
  });

  it('getVscodeSettings merges per key; getCoderCustomizations concatenates apps and scripts', () => {
    const merged = mergeWithImageMetadata(
      {
        image: 'x',
        customizations: {
          vscode: { settings: { b: 2, c: 3 } },
          coder: { apps: [{ slug: 'b' }], displayApps: { web_terminal: false }, name: 'cfg' },
        },
      },
      [
        {
          customizations: {
            vscode: { settings: { a: 1, b: 1 } },
            coder: { apps: [{ slug: 'a' }], displayApps: { vscode: true }, name: 'img' },
          },
        },
      ],
    );
    expect(getVscodeSettings(merged)).toEqual({ a: 1, b: 2, c: 3 });
    expect(getCoderCustomizations(merged)).toEqual({
      apps: [{ slug: 'a' }, { slug: 'b' }],
      displayApps: { vscode: true, web_terminal: false },
      name: 'cfg',
    });
    expect(getCoderCustomizations({ image: 'x' })).toBeUndefined();
  });
});

describe('migrateDeprecatedProperties', () => {
  it('moves top-level extensions and settings under customizations.vscode like the CLI', async () => {
    const { migrateDeprecatedProperties } = await import('../src/index.js');
    expect(
      migrateDeprecatedProperties({
        image: 'x',
        extensions: ['a.a'],
        settings: { s: 1, t: 1 },
        customizations: { vscode: { extensions: ['b.b'], settings: { t: 2 } } },
      }),
    ).toEqual({
      image: 'x',
      customizations: { vscode: { extensions: ['a.a', 'b.b'], settings: { s: 1, t: 2 } } },
    });
    const same = { image: 'x' };
    expect(migrateDeprecatedProperties(same)).toBe(same);
  });
});
