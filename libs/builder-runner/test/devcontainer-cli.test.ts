// Pure: `devcontainer up` arguments, JSON log lines, the result line. Plus the real pinned CLI's path.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildUpArgs, failedLifecycleHook, parseCliLogLine, parseUpResult, resolveDevcontainerCli } from '../src/devcontainer-cli.js';

describe('devcontainer CLI', () => {
  it('resolves the pinned CLI from the package, not PATH', () => {
    const cli = resolveDevcontainerCli();
    expect(cli.version).toBe('0.89.0');
    expect(existsSync(cli.args[0] as string)).toBe(true);
  });
  it('builds up arguments with labels and cache flags', () => {
    expect(
      buildUpArgs({
        workspaceFolder: '/w',
        configFile: '/w/.devcontainer/devcontainer.json',
        idLabels: { 'devcontainer-kit.workspace': 'ws' },
        cacheFrom: ['a', 'b'],
        cacheTo: 'c',
        mounts: ['type=bind,source=/x,target=/y'],
        remoteEnv: ['A=1'],
        removeExistingContainer: true,
      }),
    ).toEqual([
      'up',
      '--workspace-folder',
      '/w',
      '--log-format',
      'json',
      '--log-level',
      'info',
      '--config',
      '/w/.devcontainer/devcontainer.json',
      '--id-label',
      'devcontainer-kit.workspace=ws',
      '--cache-from',
      'a',
      '--cache-from',
      'b',
      '--cache-to',
      'c',
      '--mount',
      'type=bind,source=/x,target=/y',
      '--remote-env',
      'A=1',
      '--remove-existing-container',
    ]);
  });
  it('turns JSON log events into leveled lines', () => {
    expect(parseCliLogLine('{"type":"text","level":3,"timestamp":1,"text":"Container started"}')).toEqual([
      { text: 'Container started', level: 'info' },
    ]);
    expect(parseCliLogLine('{"type":"raw","level":3,"timestamp":1,"text":"Step 1/3 : FROM x\\r\\n\\u001b[1m ---> abc\\n"}')).toEqual([
      { text: 'Step 1/3 : FROM x', level: 'info' },
      { text: ' ---> abc', level: 'info' },
    ]);
    expect(parseCliLogLine('{"type":"text","level":5,"text":"boom"}')).toEqual([{ text: 'boom', level: 'error' }]);
    expect(parseCliLogLine('{"type":"start","level":3,"text":"Run: docker build"}')).toEqual([
      { text: 'Run: docker build', level: 'debug' },
    ]);
    expect(parseCliLogLine('{"type":"progress","name":"Building","status":"failed"}')).toEqual([
      { text: 'Building: failed', level: 'error' },
    ]);
    expect(parseCliLogLine('not json')).toEqual([{ text: 'not json', level: 'info' }]);
    expect(parseCliLogLine('   ')).toEqual([]);
  });
  it('keeps the last result line and names a failed hook', () => {
    const r = parseUpResult(
      'noise\n{"outcome":"error","message":"Command failed: sh x","description":"The postCreateCommand in the devcontainer.json failed.","containerId":"abc"}\n',
    );
    expect(r?.containerId).toBe('abc');
    expect(r && failedLifecycleHook(r)).toBe('postCreateCommand');
    expect(parseUpResult('{"outcome":"success","containerId":"x","remoteUser":"dev"}')?.remoteUser).toBe('dev');
    expect(parseUpResult('')).toBeUndefined();
  });
});
