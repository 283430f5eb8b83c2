// Pure unit tests: no I/O (gossfileFor, mergeGossfiles, renderGossfile, extensionsOf).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { extensionsOf, gossfileFor, mergeGossfiles, parseGossfile, renderGossfile, shellQuote, WorkspaceTestError } from '../src/index.js';

const config = {
  remoteUser: 'dev',
  workspaceFolder: '/workspaces/app',
  containerEnv: { MOON_TELEMETRY: 'false', SHARED: 'from-container' },
  remoteEnv: { SHARED: 'from-remote', EDITOR: 'vim', PATH: '${containerEnv:PATH}:/x', GONE: null },
  mounts: ['source=cache,target=/home/dev/.cache,type=volume', { source: '/tmp', target: '${containerWorkspaceFolder}/tmp', type: 'bind' }],
  postCreateCommand: 'npm ci',
  customizations: { vscode: { extensions: ['biomejs.biome', 'Vitest.explorer@1.2.3', 'hashicorp.terraform', '-hashicorp.terraform'] } },
};

describe('gossfileFor', () => {
  const g = gossfileFor(config);

  it('checks that the remote user exists and owns the workspace folder', () => {
    expect(g.user?.dev).toMatchObject({ exists: true, meta: { kind: 'user' } });
    expect(g.file?.['/workspaces/app']).toMatchObject({ exists: true, filetype: 'directory', owner: 'dev' });
  });

  it('checks env as the remote user sees it: remoteEnv wins, unset and variable values handled', () => {
    expect(g.command?.['env SHARED']).toMatchObject({ exec: 'printenv SHARED', 'exit-status': 0, stdout: { equal: 'from-remote\n' } });
    expect(g.command?.['env MOON_TELEMETRY']?.stdout).toEqual({ equal: 'false\n' });
    expect(g.command?.['env EDITOR']?.title).toBe('remoteEnv EDITOR=vim');
    expect(g.command?.['env GONE']).toMatchObject({ 'exit-status': 1 });
    expect(g.command?.['env PATH']).toMatchObject({ 'exit-status': 0 });
    expect(g.command?.['env PATH']?.stdout).toBeUndefined();
  });

  it('checks mounts, substituting the container workspace folder', () => {
    expect(Object.keys(g.mount ?? {})).toEqual(['/home/dev/.cache', '/workspaces/app/tmp']);
  });

  it('checks the lifecycle hooks through the builder status file', () => {
    const phase = g.command?.['lifecycle phase up'];
    expect(phase?.exec).toBe('cat "${DEVCONTAINER_STATUS_FILE:-/workspaces/.devcontainer-builder/status.json}"');
    expect(phase?.stdout).toEqual({ gjson: { 'phases.up.outcome': 'success' } });
    expect(phase?.title).toContain('postCreateCommand');
    expect(g.command?.['lifecycle no error']).toBeDefined();
    // The hooks after waitFor run in the background: the check waits for them (default 600 s).
    expect(g.command?.['lifecycle background hooks']).toMatchObject({ 'exit-status': 0, timeout: 610_000, meta: { kind: 'lifecycle' } });
    const custom = gossfileFor(config, {
      statusFile: '/w/app/.devcontainer-builder/status.json',
      lifecyclePhases: ['up', 'agent'],
      phaseOutcome: 'ok',
    });
    expect(custom.command?.['lifecycle phase agent']).toMatchObject({
      exec: 'cat /w/app/.devcontainer-builder/status.json',
      stdout: { gjson: { 'phases.agent.outcome': 'ok' } },
    });
    expect(gossfileFor(config, { statusFile: false }).command?.['lifecycle phase up']).toBeUndefined();
    expect(gossfileFor({ ...config, postCreateCommand: undefined }).command?.['lifecycle phase up']).toBeUndefined();
  });

  it('checks extensions in each IDE server, case-insensitively, without versions, honouring -id removals', () => {
    const ext = g.command?.['extensions code-server'];
    expect(ext?.stdout).toEqual(['/(?i)^biomejs\\.biome$/', '/(?i)^Vitest\\.explorer$/']);
    expect(ext?.exec).toContain('--list-extensions');
    const two = gossfileFor(config, {
      ideServers: [
        { name: 'a', paths: ['a'] },
        { name: 'b', paths: ['/opt/b'] },
      ],
    });
    expect(Object.keys(two.command ?? {}).filter((k) => k.startsWith('extensions'))).toEqual(['extensions a', 'extensions b']);
    expect(gossfileFor(config, { ideServers: [] }).command?.['extensions code-server']).toBeUndefined();
  });

  it('checks the Coder agent process unless told not to', () => {
    expect(g.command?.['coder agent running']?.exec).toContain("grep -E -c '(^|/)coder agent'");
    expect(gossfileFor(config, { coderAgent: false }).command?.['coder agent running']).toBeUndefined();
  });

  it('merges a user goss file over the derived checks', () => {
    const merged = gossfileFor(config, {
      userGossfile:
        'command:\n  node --version:\n    exit-status: 0\n    stdout: [/v20\\./]\n  env EDITOR:\n    exec: printenv EDITOR\n    exit-status: 0\n',
    });
    expect(merged.command?.['node --version']).toBeDefined();
    expect(merged.command?.['env EDITOR']).toEqual({ exec: 'printenv EDITOR', 'exit-status': 0 });
    expect(merged.user?.dev).toBeDefined();
  });

  it('defaults: root user, /workspaces/<name>, and an error naming what is missing', () => {
    const minimal = gossfileFor({}, { workspaceName: 'x', coderAgent: false });
    expect(minimal.user?.root).toBeDefined();
    expect(minimal.file?.['/workspaces/x']?.owner).toBe('root');
    expect(Object.keys(minimal).sort()).toEqual(['file', 'user']);
    expect(() => gossfileFor({})).toThrowError(WorkspaceTestError);
    expect(() => gossfileFor({})).toThrowError(/workspaceFolder/);
  });

  it('renders YAML that parses back to the same object', () => {
    const text = renderGossfile(g);
    expect(parse(text)).toEqual(JSON.parse(JSON.stringify(g)));
    expect(text).toContain('printenv SHARED');
  });
});

describe('extensionsOf', () => {
  it('reads merged configurations that keep customizations per source', () => {
    const merged = { customizations: { vscode: [{ extensions: ['a.b', 'c.d'] }, { extensions: ['-a.b', 'e.f'] }] } };
    expect(extensionsOf(merged)).toEqual(['c.d', 'e.f']);
    expect(extensionsOf({})).toEqual([]);
  });
});

describe('parseGossfile / mergeGossfiles / shellQuote', () => {
  it('reports YAML errors and non-mapping sections', () => {
    expect(() => parseGossfile('command: [', 'x.yaml')).toThrowError(/x\.yaml/);
    expect(() => parseGossfile('command: 3', 'x.yaml')).toThrowError(/"command" must be a mapping/);
    expect(parseGossfile('')).toEqual({});
  });
  it('later files win per key', () => {
    expect(mergeGossfiles({ file: { '/a': { exists: true } } }, { file: { '/a': { exists: false }, '/b': { exists: true } } })).toEqual({
      file: { '/a': { exists: false }, '/b': { exists: true } },
    });
  });
  it('quotes for sh', () => {
    expect(shellQuote('plain/path-1.2')).toBe('plain/path-1.2');
    expect(shellQuote("it's a $x")).toBe("'it'\\''s a $x'");
  });
});

describe('with devcontainer-config merged configurations', () => {
  it('derives hooks, env and extensions from mergeWithImageMetadata output', async () => {
    const { mergeWithImageMetadata } = await import('@devcontainer-kit/devcontainer-config');
    const merged = mergeWithImageMetadata(
      { remoteUser: 'dev', workspaceFolder: '/workspaces/app', customizations: { vscode: { extensions: ['-a.b', 'e.f'] } } },
      JSON.stringify([
        { postCreateCommand: 'make', remoteEnv: { FROM_IMAGE: '1' }, customizations: { vscode: { extensions: ['a.b', 'c.d'] } } },
      ]),
    );
    const g = gossfileFor(merged);
    expect(g.command?.['lifecycle phase up']?.title).toContain('postCreateCommand');
    expect(g.command?.['env FROM_IMAGE']?.stdout).toEqual({ equal: '1\n' });
    expect(g.command?.['extensions code-server']?.stdout).toEqual(['/(?i)^c\\.d$/', '/(?i)^e\\.f$/']);
  });
});

describe('hostile goss files and configs', () => {
  it('a UTF-8 byte order mark is read past', () => {
    expect(parseGossfile('\uFEFFcommand:\n  a: {exec: "true", exit-status: 0}\n')).toEqual({
      command: { a: { exec: 'true', 'exit-status': 0 } },
    });
  });

  it('nesting beyond 64 levels is a positioned INVALID_GOSSFILE error, never a crash (flow and block)', () => {
    const cases: Array<[string, string]> = [
      // The document's top level counts as the first level: the 64th `[` opens level 65.
      ['['.repeat(20_000), 'g.yaml:1:64:'],
      [`command:\n  a: ${'{b: '.repeat(100_000)}`, 'g.yaml:2:'],
      [Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'), 'g.yaml:65:'],
      [`${'- '.repeat(100)}x`, 'g.yaml:1:'],
    ];
    for (const [text, where] of cases) {
      let error: unknown;
      try {
        parseGossfile(text, 'g.yaml');
      } catch (e) {
        error = e;
      }
      expect(error, where).toBeInstanceOf(WorkspaceTestError);
      expect((error as WorkspaceTestError).code).toBe('INVALID_GOSSFILE');
      expect((error as Error).message).toContain(where);
      expect((error as Error).message).toContain('nested more than 64 levels');
    }
  });

  it('brackets in quotes, comments, plain values and block scalars do not count as nesting', () => {
    const text = [
      'command:',
      '  a:',
      `    exec: "${'['.repeat(200)}" # ${'{'.repeat(200)}`,
      `    title: '${'{'.repeat(200)}'`,
      '    stdout: |',
      `      ${'['.repeat(200)}`,
      `    stderr: echo x${'['.repeat(200)}`,
      '    exit-status: 0',
    ].join('\n');
    expect(parseGossfile(text).command?.a?.['exit-status']).toBe(0);
    // Everything gossfileFor renders reads back.
    expect(parseGossfile(renderGossfile(gossfileFor(config)))).toEqual(parse(renderGossfile(gossfileFor(config))));
  });

  it('escapes Go template syntax in everything copied from the config; a user goss file keeps its templates', () => {
    const g = gossfileFor(
      {
        remoteUser: 'dev',
        workspaceFolder: '/w/{{x}}',
        containerEnv: { T: 'a{{ .Env.HOME }}b' },
        customizations: { vscode: { extensions: ['pub.{{ext}}'] } },
      },
      { userGossfile: 'command:\n  mine: {exec: "echo {{ .Env.HOME }}", exit-status: 0}\n' },
    );
    expect(g.command?.['env T']?.stdout).toEqual({ equal: 'a{{`{{`}} .Env.HOME }}b\n' });
    expect(Object.keys(g.file ?? {})).toEqual(['/w/{{`{{`}}x}}']);
    expect(g.command?.['extensions code-server']?.title).toContain('pub.{{`{{`}}ext}}');
    expect(g.command?.mine?.exec).toBe('echo {{ .Env.HOME }}');
  });
});
