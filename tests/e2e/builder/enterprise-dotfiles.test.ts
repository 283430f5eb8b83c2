// End to end: dotfiles (DEVCONTAINER_DOTFILES_*) and per-user storage (DEVCONTAINER_USER_STORAGE) through the
// real `devcontainer-builder` CLI. Real: the devcontainer CLI's own dotfiles clone and install (git inside
// the devcontainer, from tests/testbed/git-image.sh), a bare dotfiles repository bind-mounted into it, the
// machine's dockerd. What it proves: the dotfiles are cloned to the target path and installed with the
// install command once per container (after postCreateCommand, in the background hooks); the user storage
// directory is the same directory in two workspaces' devcontainers at the documented path, named in their
// remote env, and what one writes the other reads.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTestbed } from '../../support/testbed.js';
import { setupEnterpriseTests } from './enterprise-setup.js';
import { createGitRepo, dockerOut, git } from './support.js';

const PREFIX = 'dck-builder-dot';

const setup = setupEnterpriseTests(PREFIX);
let image: string;
let dotfilesBare: string;
let userStorage: string;

function repo(name: string): string {
  return createGitRepo(join(setup.root, 'workspaces', `${PREFIX}-${name}`), {
    '.devcontainer/devcontainer.json': JSON.stringify({
      name: `dot-${name}`,
      image,
      runArgs: ['--network=host'],
      postCreateCommand: 'printenv DEVCONTAINER_USER_STORAGE > /tmp/user-storage-env',
    }),
  });
}

function env(name: string, dir: string): Record<string, string> {
  return setup.env(name, {
    DEVCONTAINER_REPOSITORY: dir,
    // The dotfiles repository reaches the devcontainer as a bind mount (no network git server needed).
    DEVCONTAINER_MOUNTS: `type=bind,source=${dotfilesBare},target=/srv/dotfiles.git`,
    DEVCONTAINER_DOTFILES_REPOSITORY: 'file:///srv/dotfiles.git',
    DEVCONTAINER_DOTFILES_TARGET_PATH: '/root/.my-dotfiles',
    DEVCONTAINER_DOTFILES_INSTALL_COMMAND: 'setup-here.sh',
    DEVCONTAINER_USER_STORAGE: userStorage,
  });
}

beforeAll(async () => {
  image = runTestbed('git-image');
  const work = join(setup.root, 'dotfiles-work');
  mkdirSync(work);
  writeFileSync(join(work, '.aliases'), 'alias ll="ls -l"\n');
  writeFileSync(
    join(work, 'setup-here.sh'),
    '#!/bin/sh\nset -e\ncp .aliases "$HOME/.aliases"\necho installed >> "$HOME/.dotfiles-installs"\n',
  );
  chmodSync(join(work, 'setup-here.sh'), 0o755);
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'dotfiles');
  dotfilesBare = join(setup.root, 'dotfiles.git');
  git(setup.root, 'clone', '-q', '--bare', work, dotfilesBare);
  userStorage = join(setup.root, 'user-storage');
  mkdirSync(userStorage);
}, 600_000);

describe('dotfiles and per-user storage', () => {
  it('dotfiles cloned to the target path and installed once; the user storage shared by two workspaces', async () => {
    const a = env('a', repo('a'));
    const first = await setup.up(a);
    expect(first.code, first.stderr).toBe(0);
    const ca = first.status.containerId as string;
    expect(dockerOut('exec', ca, 'git', '-C', '/root/.my-dotfiles', 'log', '--format=%s')).toBe('dotfiles');
    expect(dockerOut('exec', ca, 'cat', '/root/.aliases')).toBe('alias ll="ls -l"');
    expect(dockerOut('exec', ca, 'cat', '/root/.dotfiles-installs')).toBe('installed');
    // The user storage at the documented path, named in the remote env the hooks see.
    expect(dockerOut('exec', ca, 'cat', '/tmp/user-storage-env')).toBe('/mnt/user-storage');
    execFileSync('docker', ['exec', ca, 'sh', '-c', 'echo from-a > /mnt/user-storage/note']);
    expect(readFileSync(join(userStorage, 'note'), 'utf8')).toBe('from-a\n');

    // A restart of the same workspace: the dotfiles are not installed a second time.
    const again = await setup.up(a);
    expect(again.code, again.stderr).toBe(0);
    expect(again.status.containerId).toBe(ca);
    expect(dockerOut('exec', ca, 'cat', '/root/.dotfiles-installs')).toBe('installed');

    // Another workspace of the same user sees the same storage.
    const second = await setup.up(env('b', repo('b')));
    expect(second.code, second.stderr).toBe(0);
    expect(dockerOut('exec', second.status.containerId, 'cat', '/mnt/user-storage/note')).toBe('from-a');
  }, 600_000);
});
