// Pure: `devcontainer up` arguments and which hook failed. Plus the real pinned CLI's path.
import { existsSync } from 'node:fs';
import { resolveDevcontainerCli } from '@devcontainer-kit/docker-context';
import { describe, expect, it } from 'vitest';
import {
  backgroundHooks,
  blockingHooks,
  buildRunUserCommandsArgs,
  buildUpArgs,
  CONTAINER_HOOKS,
  effectiveWaitFor,
  failedLifecycleHook,
  parseHookProgress,
  sessionDataFolder,
} from '../src/devcontainer-up.js';

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

  it('skips the hooks after waitFor (or all of them) when asked', () => {
    const base = { workspaceFolder: '/w', idLabels: {} };
    expect(buildUpArgs({ ...base, skipNonBlocking: true }).slice(-1)).toEqual(['--skip-non-blocking-commands']);
    // --skip-post-create wins: no container hook runs in up at all.
    expect(buildUpArgs({ ...base, skipNonBlocking: true, skipPostCreate: true })).toContain('--skip-post-create');
    expect(buildUpArgs({ ...base, skipNonBlocking: true, skipPostCreate: true })).not.toContain('--skip-non-blocking-commands');
    expect(
      buildRunUserCommandsArgs({ ...base, configFile: '/w/c.json', idLabels: { a: 'b' }, remoteEnv: ['X=1'], skipNonBlocking: true }),
    ).toEqual([
      'run-user-commands',
      '--workspace-folder',
      '/w',
      '--log-format',
      'json',
      '--log-level',
      'info',
      '--config',
      '/w/c.json',
      '--id-label',
      'a=b',
      '--remote-env',
      'X=1',
      '--skip-non-blocking-commands',
    ]);
  });
  it("passes one start's session data folder to up and run-user-commands (the CLI caches the userEnvProbe there)", () => {
    const folder = sessionDataFolder('a1b2c3');
    expect(folder).toBe('/tmp/devcontainer-kit/session-a1b2c3');
    const base = { workspaceFolder: '/w', idLabels: {}, sessionDataFolder: folder };
    for (const args of [buildUpArgs({ ...base, skipNonBlocking: true }), buildRunUserCommandsArgs({ ...base, skipNonBlocking: true })]) {
      const at = args.indexOf('--container-session-data-folder');
      expect(args[at + 1]).toBe(folder);
      expect(args.slice(-1)).toEqual(['--skip-non-blocking-commands']);
    }
    expect(buildUpArgs({ workspaceFolder: '/w', idLabels: {} })).not.toContain('--container-session-data-folder');
  });
  it('knows which defined hooks come after waitFor', () => {
    const all = {
      onCreateCommand: 'a',
      updateContentCommand: ['b'],
      postCreateCommand: { x: 'c' },
      postStartCommand: 'd',
      postAttachCommand: 'e',
    };
    expect(backgroundHooks(undefined, [all])).toEqual(['postCreateCommand', 'postStartCommand', 'postAttachCommand']);
    expect(backgroundHooks('postStartCommand', [all])).toEqual(['postAttachCommand']);
    expect(backgroundHooks('postAttachCommand', [all])).toEqual([]);
    expect(backgroundHooks('initializeCommand', [{ postStartCommand: 'x' }])).toEqual(['postStartCommand']);
    // Empty commands are not hooks; a feature's entry counts like devcontainer.json's.
    expect(backgroundHooks(undefined, [{ postCreateCommand: '  ', postStartCommand: [] }, { postAttachCommand: 'f' }])).toEqual([
      'postAttachCommand',
    ]);
    // An unknown waitFor never matches in the CLI: everything runs in up.
    expect(backgroundHooks('nonsense', [all])).toEqual([]);
    // The blocking ones are the rest: what up runs before it returns (nothing defined: no run needed).
    expect(blockingHooks(undefined, [all])).toEqual(['onCreateCommand', 'updateContentCommand']);
    expect(blockingHooks('postStartCommand', [all])).toEqual(CONTAINER_HOOKS.slice(0, 4));
    expect(blockingHooks('nonsense', [all])).toEqual([...CONTAINER_HOOKS]);
    expect(blockingHooks('initializeCommand', [all])).toEqual([]);
    expect(blockingHooks(undefined, [{ postCreateCommand: 'npm ci' }, { onCreateCommand: '' }])).toEqual([]);
    expect(blockingHooks('onCreateCommand', [{}, { updateContentCommand: 'x', onCreateCommand: ['y'] }])).toEqual(['onCreateCommand']);
    expect(effectiveWaitFor([{ waitFor: 'onCreateCommand' }, {}, { waitFor: 'postStartCommand' }, {}])).toBe('postStartCommand');
    expect(effectiveWaitFor([{}])).toBe('updateContentCommand');
  });
  it("reads a hook's progress from the CLI's progress events", () => {
    expect(parseHookProgress('Running postCreateCommand...: running')).toEqual({ hook: 'postCreateCommand', state: 'running' });
    expect(parseHookProgress('Running postStartCommand...: succeeded')).toEqual({ hook: 'postStartCommand', state: 'succeeded' });
    expect(parseHookProgress('Running onCreateCommand...: failed')).toEqual({ hook: 'onCreateCommand', state: 'failed' });
    expect(parseHookProgress('Running initializeCommand...: running')).toBeUndefined();
    expect(parseHookProgress('echo Running postCreateCommand...: running in my hook')).toBeUndefined();
  });
});
