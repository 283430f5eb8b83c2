// Pure: `devcontainer up` arguments and which hook failed. Plus the real pinned CLI's path.
import { existsSync } from 'node:fs';
import { resolveDevcontainerCli } from '@devcontainer-kit/docker-context';
import { describe, expect, it } from 'vitest';
import { buildUpArgs, failedLifecycleHook } from '../src/devcontainer-up.js';

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
  it("names a failed hook (the hook list is devcontainer-config's)", () => {
    const r = {
      outcome: 'error' as const,
      message: 'Command failed: sh x',
      description: 'The postCreateCommand in the devcontainer.json failed.',
    };
    expect(failedLifecycleHook(r)).toBe('postCreateCommand');
    expect(failedLifecycleHook({ outcome: 'error', message: 'initializeCommand failed' })).toBe('initializeCommand');
    expect(failedLifecycleHook({ outcome: 'error', message: 'Dockerfile step 3 failed' })).toBeUndefined();
  });
});
