import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuilderError } from '../src/errors.js';
import { gitSshCommand, looksLikePrivateKey, prepareGitSsh } from '../src/git-ssh.js';
import { parseSettings } from '../src/settings.js';

const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ-not-a-real-key\n-----END OPENSSH PRIVATE KEY-----\n';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dck-ssh-'));
  await writeFile(join(dir, 'ssh-privatekey'), KEY, { mode: 0o644 });
  await writeFile(join(dir, 'known_hosts'), '[127.0.0.1]:5131 ssh-ed25519 AAAAC3Nza\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gitSshCommand', () => {
  it('only the given key and known_hosts, no agent, no prompt, strict unless accept-new; paths quoted for the shell', () => {
    const strict = gitSshCommand({ key: "/tmp/a b/it's", knownHosts: '/tmp/k', hostKeyCheck: 'strict' });
    expect(strict).toBe(
      "ssh -F /dev/null -i '/tmp/a b/it'\\''s' -o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes -o UserKnownHostsFile='/tmp/k' -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout=30",
    );
    expect(gitSshCommand({ key: '/k', knownHosts: '/h', hostKeyCheck: 'accept-new' })).toContain('StrictHostKeyChecking=accept-new');
  });
  it('recognises private keys', () => {
    expect(looksLikePrivateKey(KEY)).toBe(true);
    expect(looksLikePrivateKey('-----BEGIN RSA PRIVATE KEY-----\n')).toBe(true);
    expect(looksLikePrivateKey('ssh-ed25519 AAAA… a public key')).toBe(false);
  });
});

describe('prepareGitSsh', () => {
  it('copies a 0644 key and known_hosts into a private directory (0600) named by GIT_SSH_COMMAND', async () => {
    const r = await prepareGitSsh({ keyFile: join(dir, 'ssh-privatekey'), knownHostsFile: join(dir, 'known_hosts'), parent: dir });
    expect((await stat(r.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(r.dir, 'id'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(r.dir, 'id'), 'utf8')).toBe(KEY);
    expect(r.env.GIT_SSH_COMMAND).toContain(`-i '${join(r.dir, 'id')}'`);
    expect(r.env.GIT_SSH_COMMAND).not.toContain('b3BlbnNzaC1rZXkt');
    await r.remove();
    await expect(stat(r.dir)).rejects.toThrow();
  });
  it('a public key instead of a private one is a settings error that quotes nothing of it', async () => {
    const e = (await prepareGitSsh({ keyFile: join(dir, 'known_hosts'), parent: dir }).catch((x: unknown) => x)) as BuilderError;
    expect(e.code).toBe('settings');
    expect(e.message).toBe(
      `DEVCONTAINER_GIT_SSH_KEY_FILE: ${join(dir, 'known_hosts')} is not a private key (no -----BEGIN … PRIVATE KEY----- line)`,
    );
  });
});

describe('git over SSH settings', () => {
  const base = { DEVCONTAINER_REPOSITORY: 'ssh://git@git.example.com/a/b.git' };
  const files: Record<string, string> = { '/s/key': KEY, '/s/known_hosts': 'x', '/s/pub': 'ssh-ed25519 AAAA' };
  const readFile = (p: string) => {
    if (p in files) return files[p] as string;
    throw Object.assign(new Error('no'), { code: 'ENOENT' });
  };
  it('paths kept (never the key); strict needs known_hosts; accept-new does not', () => {
    const ok = parseSettings({
      env: { ...base, DEVCONTAINER_GIT_SSH_KEY_FILE: '/s/key', DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: '/s/known_hosts' },
      readFile,
    });
    expect(ok.problems).toEqual([]);
    expect(ok.settings?.gitSsh).toEqual({ keyFile: '/s/key', knownHostsFile: '/s/known_hosts', hostKeyCheck: 'strict' });
    expect(JSON.stringify(ok.settings)).not.toContain('not-a-real-key');
    const strict = parseSettings({ env: { ...base, DEVCONTAINER_GIT_SSH_KEY_FILE: '/s/key' }, readFile });
    expect(strict.problems[0]).toMatch(
      /^DEVCONTAINER_GIT_SSH_KNOWN_HOSTS \(--git-ssh-known-hosts\): required with DEVCONTAINER_GIT_SSH_KEY_FILE/,
    );
    const tofu = parseSettings({
      env: { ...base, DEVCONTAINER_GIT_SSH_KEY_FILE: '/s/key', DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK: 'accept-new' },
      readFile,
    });
    expect(tofu.problems).toEqual([]);
    const bad = parseSettings({ env: base, flags: { 'git-ssh-key-file': '/s/pub', 'git-ssh-known-hosts': '/s/none' }, readFile });
    expect(bad.problems).toEqual([
      'DEVCONTAINER_GIT_SSH_KEY_FILE (--git-ssh-key-file): /s/pub is not a private key (no -----BEGIN … PRIVATE KEY----- line)',
      'DEVCONTAINER_GIT_SSH_KNOWN_HOSTS (--git-ssh-known-hosts): /s/none: cannot read it (ENOENT)',
    ]);
  });
});
