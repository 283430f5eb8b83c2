import { describe, expect, it } from 'vitest';
import { buildRunUserCommandsArgs, buildUpArgs } from '../src/devcontainer-up.js';
import { parseSettings } from '../src/settings.js';

const base = { DEVCONTAINER_REPOSITORY: '/src/app' };

describe('dotfiles', () => {
  it('reach both `up` and `run-user-commands` (the CLI installs them after postCreateCommand, which may run in the background)', () => {
    const dotfiles = { repository: 'https://github.com/alice/dotfiles.git', installCommand: 'make install', targetPath: '/home/dev/.dots' };
    const flags = [
      '--dotfiles-repository',
      dotfiles.repository,
      '--dotfiles-install-command',
      'make install',
      '--dotfiles-target-path',
      '/home/dev/.dots',
    ];
    expect(buildUpArgs({ workspaceFolder: '/w', idLabels: {}, dotfiles }).slice(-6)).toEqual(flags);
    expect(buildRunUserCommandsArgs({ workspaceFolder: '/w', idLabels: {}, dotfiles }).slice(-6)).toEqual(flags);
    expect(buildUpArgs({ workspaceFolder: '/w', idLabels: {}, dotfiles: { repository: 'alice/dotfiles' } }).slice(-2)).toEqual([
      '--dotfiles-repository',
      'alice/dotfiles',
    ]);
    expect(buildUpArgs({ workspaceFolder: '/w', idLabels: {} }).join(' ')).not.toContain('dotfiles');
  });

  it('settings: repository required with the others; no credentials in the URL', () => {
    const ok = parseSettings({
      env: { ...base, DEVCONTAINER_DOTFILES_REPOSITORY: 'alice/dotfiles', DEVCONTAINER_DOTFILES_TARGET_PATH: '~/.dots' },
    });
    expect(ok.settings?.dotfiles).toEqual({ repository: 'alice/dotfiles', installCommand: undefined, targetPath: '~/.dots' });
    expect(parseSettings({ env: { ...base, DEVCONTAINER_DOTFILES_INSTALL_COMMAND: 'x' } }).problems).toEqual([
      'DEVCONTAINER_DOTFILES_REPOSITORY (--dotfiles-repository): required with DEVCONTAINER_DOTFILES_INSTALL_COMMAND or _TARGET_PATH',
    ]);
    expect(parseSettings({ env: { ...base, DEVCONTAINER_DOTFILES_REPOSITORY: 'https://u:tok@github.com/a/b.git' } }).problems).toEqual([
      'DEVCONTAINER_DOTFILES_REPOSITORY (--dotfiles-repository): must not contain a password or token',
    ]);
  });
});

describe('user storage', () => {
  it('one more bind mount at /mnt/user-storage (or the target), named in the remote env', () => {
    const r = parseSettings({
      env: {
        ...base,
        DEVCONTAINER_USER_STORAGE: '/var/lib/devcontainer-kit/user-storage',
        DEVCONTAINER_MOUNTS: 'type=volume,source=x,target=/x',
      },
    });
    expect(r.settings?.mounts).toEqual([
      'type=volume,source=x,target=/x',
      'type=bind,source=/var/lib/devcontainer-kit/user-storage,target=/mnt/user-storage',
    ]);
    expect(r.settings?.remoteEnv).toEqual(['DEVCONTAINER_USER_STORAGE=/mnt/user-storage']);
    const t = parseSettings({ env: { ...base, DEVCONTAINER_USER_STORAGE: '/s', DEVCONTAINER_USER_STORAGE_TARGET: '/home/dev/shared' } });
    expect(t.settings?.userStorage).toEqual({ source: '/s', target: '/home/dev/shared' });
    expect(
      parseSettings({ env: { ...base, DEVCONTAINER_USER_STORAGE: 'rel', DEVCONTAINER_USER_STORAGE_TARGET: '/a,b' } }).problems,
    ).toEqual([
      "DEVCONTAINER_USER_STORAGE (--user-storage): must be an absolute path, got 'rel'",
      "DEVCONTAINER_USER_STORAGE_TARGET (--user-storage-target): must be an absolute path without ',' or '=', got '/a,b'",
    ]);
  });
});
