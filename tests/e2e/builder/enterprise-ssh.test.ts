// End to end: git over SSH (DEVCONTAINER_GIT_SSH_KEY_FILE, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS) through the real
// `devcontainer-builder` CLI. Real: Debian's openssh-server as its own sshd on 127.0.0.1 with its own
// config and host key (tests/testbed/sshd.sh), git, ssh, the machine's dockerd, the pinned devcontainer CLI.
// What it proves: a key mounted 0644 (as a Secret is) clones and a restart fetches; a host key that is not
// in known_hosts is refused (strict by default) with a message that says what to do; an unknown key is a
// git-auth error; without known_hosts the CLI stops before any work; the key's content is in no argv,
// no other process's environment, no output and no status file.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTestbedValues } from '../../support/testbed.js';
import { setupEnterpriseTests } from './enterprise-setup.js';
import { createGitRepo, git } from './support.js';

const PREFIX = 'dck-builder-ssh';

const setup = setupEnterpriseTests(PREFIX);
let root: string;
let bed: Record<string, string>;
let work: string;
let bare: string;
let keyFile: string;
let knownHosts: string;

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return setup.env(name, {
    DEVCONTAINER_REPOSITORY: `ssh://${bed.USER}@127.0.0.1:${bed.PORT}${bare}`,
    DEVCONTAINER_WORKSPACE_FOLDER: join(root, 'workspaces', name, 'app'),
    ...extra,
  });
}

beforeAll(async () => {
  root = setup.root;
  bed = runTestbedValues('sshd');
  // As a kubernetes.io/ssh-auth Secret mounts them: readable by all (ssh itself would refuse that key).
  mkdirSync(join(root, 'secret'));
  keyFile = join(root, 'secret', 'ssh-privatekey');
  knownHosts = join(root, 'secret', 'known_hosts');
  copyFileSync(bed.KEY as string, keyFile);
  copyFileSync(bed.KNOWN_HOSTS as string, knownHosts);
  chmodSync(keyFile, 0o644);
  // The key's lines are the secrets: in no other process's environment, no argv, no output.
  setup.secrets.push(
    ...readFileSync(keyFile, 'utf8')
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-----')),
  );
  work = createGitRepo(join(root, 'work'), {
    '.devcontainer/devcontainer.json': JSON.stringify({ name: 'ssh-fixture', image: 'local/debian:bookworm', runArgs: ['--network=host'] }),
  });
  bare = setup.publish(work);
}, 600_000);

describe('an SSH git host (openssh-server on 127.0.0.1)', () => {
  it('clones with the key, fetches on a restart; the key is nowhere but in the private copy', async () => {
    const e = env('ok', { DEVCONTAINER_GIT_SSH_KEY_FILE: keyFile, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: knownHosts });
    const logBefore = readFileSync(bed.LOG as string, 'utf8').length;
    const first = await setup.up(e);
    expect(first.code, first.stderr).toBe(0);
    expect(git(e.DEVCONTAINER_WORKSPACE_FOLDER as string, 'rev-parse', 'HEAD')).toBe(git(work, 'rev-parse', 'HEAD'));
    expect(readFileSync(bed.LOG as string, 'utf8').slice(logBefore)).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);

    writeFileSync(join(work, 'NEW'), 'new\n');
    git(work, 'add', 'NEW');
    git(work, 'commit', '-qm', 'new');
    git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
    const second = await setup.up(e);
    expect(second.code, second.stderr).toBe(0);
    expect(git(e.DEVCONTAINER_WORKSPACE_FOLDER as string, 'rev-parse', 'HEAD')).toBe(git(work, 'rev-parse', 'HEAD'));

    for (const r of [first, second]) {
      expect(r.leaks).toEqual([]);
      setup.expectNoSecret('argv of every process', r.cmdlines);
      setup.expectNoSecret('builder output', r.stdout + r.stderr);
      setup.expectNoSecret('status file', JSON.stringify(r.status));
      // ssh ran with the private copy (a path in argv), never the mounted 0644 file.
      expect(r.cmdlines).toMatch(/ssh -F \/dev\/null -i \S*devcontainer-builder-ssh-\S+\/id .*StrictHostKeyChecking=yes/);
    }
    setup.expectNoSecret('.git/config', readFileSync(join(e.DEVCONTAINER_WORKSPACE_FOLDER as string, '.git/config'), 'utf8'));
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('devcontainer-builder-ssh-'))).toEqual([]);
  }, 300_000);

  it('a host key not in known_hosts is refused (strict by default), saying what to do', async () => {
    const other = join(root, 'other_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'not-the-host')]);
    writeFileSync(
      other,
      `[127.0.0.1]:${bed.PORT} ${readFileSync(join(root, 'not-the-host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    );
    const r = await setup.up(env('hostkey', { DEVCONTAINER_GIT_SSH_KEY_FILE: keyFile, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: other }));
    expect(r.code).toBe(1);
    expect(r.status.lastError).toMatchObject({ code: 'git-failed' });
    expect(r.stderr).toContain('is not in DEVCONTAINER_GIT_SSH_KNOWN_HOSTS (strict host key checking)');
  }, 300_000);

  it('an unknown key is a git-auth error; no known_hosts stops before any work', async () => {
    const stranger = join(root, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const denied = await setup.up(env('denied', { DEVCONTAINER_GIT_SSH_KEY_FILE: stranger, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: knownHosts }));
    expect(denied.code).toBe(1);
    expect(denied.status.lastError).toMatchObject({ code: 'git-auth' });
    expect(denied.stderr).toContain('refused the SSH key (check DEVCONTAINER_GIT_SSH_KEY_FILE)');

    const strict = await setup.up(env('strict', { DEVCONTAINER_GIT_SSH_KEY_FILE: keyFile }));
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(
      'DEVCONTAINER_GIT_SSH_KNOWN_HOSTS (--git-ssh-known-hosts): required with DEVCONTAINER_GIT_SSH_KEY_FILE',
    );
  }, 300_000);
});
