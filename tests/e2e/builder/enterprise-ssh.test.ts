// End to end: git over SSH (DEVCONTAINER_GIT_SSH_KEY_FILE, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS) through the real
// `devcontainer-builder` CLI. Real: Debian's openssh-server as its own sshd on 127.0.0.1 with its own
// config and host key (tests/testbed/sshd.sh), git, ssh, the machine's dockerd, the pinned devcontainer CLI.
// What it proves: a key mounted 0644 (as a Secret is) clones and a restart fetches; a host key that is not
// in known_hosts is refused (strict by default) with a message that says what to do; an unknown key is a
// git-auth error; without known_hosts the CLI stops before any work; the key's content is in no argv,
// no other process's environment, no output and no status file.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocker, runTestbed } from '../../support/testbed.js';
import { type BuilderRun, buildBuilder, cleanupDocker, dockerOut, git, readStatus, startBuilder } from './support.js';

const PREFIX = 'dck-builder-ssh';

let root: string;
let bed: Record<string, string>;
let work: string;
let bare: string;
let keyFile: string;
let knownHosts: string;
let keyLines: string[];
const runs: BuilderRun[] = [];
const workspaceNames: string[] = [];

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  workspaceNames.push(`${PREFIX}-${name}`);
  return {
    DEVCONTAINER_REPOSITORY: `ssh://${bed.USER}@127.0.0.1:${bed.PORT}${bare}`,
    DEVCONTAINER_WORKSPACE_FOLDER: join(root, 'workspaces', name, 'app'),
    DEVCONTAINER_WORKSPACE_NAME: `${PREFIX}-${name}`,
    DEVCONTAINER_STATUS_FILE: join(root, 'status', `${name}.status.json`),
    DEVCONTAINER_SUPERVISE: 'false',
    ...extra,
  };
}

async function up(e: Record<string, string>) {
  const run = startBuilder(e);
  runs.push(run);
  const leaks = new Set<string>();
  const timer = setInterval(() => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
        if (keyLines.some((l) => environ.includes(l))) leaks.add(readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' '));
      } catch {}
    }
  }, 100);
  const r = await run.exited;
  clearInterval(timer);
  return {
    code: r.code,
    stderr: run.stderr(),
    stdout: run.stdout(),
    cmdlines: [...run.cmdlines()].join('\n'),
    leaks: [...leaks],
    status: readStatus(e.DEVCONTAINER_STATUS_FILE as string) ?? {},
  };
}

function expectNoKey(where: string, text: string) {
  for (const l of keyLines) expect(text.includes(l), `${where} holds the private key`).toBe(false);
}

beforeAll(async () => {
  ensureDocker();
  bed = Object.fromEntries(
    runTestbed('sshd')
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  buildBuilder(['libs/builder-runner', 'apps/devcontainer-builder']);
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  // As a kubernetes.io/ssh-auth Secret mounts them: readable by all (ssh itself would refuse that key).
  mkdirSync(join(root, 'secret'));
  keyFile = join(root, 'secret', 'ssh-privatekey');
  knownHosts = join(root, 'secret', 'known_hosts');
  copyFileSync(bed.KEY as string, keyFile);
  copyFileSync(bed.KNOWN_HOSTS as string, knownHosts);
  chmodSync(keyFile, 0o644);
  keyLines = readFileSync(keyFile, 'utf8')
    .split('\n')
    .filter((l) => l.length > 20 && !l.startsWith('-----'));
  work = join(root, 'work');
  mkdirSync(join(work, '.devcontainer'), { recursive: true });
  writeFileSync(
    join(work, '.devcontainer/devcontainer.json'),
    JSON.stringify({ name: 'ssh-fixture', image: 'local/debian:bookworm', runArgs: ['--network=host'] }),
  );
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'fixture');
  bare = join(root, 'repos', 'app.git');
  git(root, 'init', '-q', '--bare', bare);
  git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
}, 600_000);

afterAll(async () => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  cleanupDocker(workspaceNames, PREFIX);
  for (const name of workspaceNames)
    for (const id of dockerOut('ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${name}`).split('\n').filter(Boolean))
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('an SSH git host (openssh-server on 127.0.0.1)', () => {
  it('clones with the key, fetches on a restart; the key is nowhere but in the private copy', async () => {
    const e = env('ok', { DEVCONTAINER_GIT_SSH_KEY_FILE: keyFile, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: knownHosts });
    const logBefore = readFileSync(bed.LOG as string, 'utf8').length;
    const first = await up(e);
    expect(first.code, first.stderr).toBe(0);
    expect(git(e.DEVCONTAINER_WORKSPACE_FOLDER as string, 'rev-parse', 'HEAD')).toBe(git(work, 'rev-parse', 'HEAD'));
    expect(readFileSync(bed.LOG as string, 'utf8').slice(logBefore)).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);

    writeFileSync(join(work, 'NEW'), 'new\n');
    git(work, 'add', 'NEW');
    git(work, 'commit', '-qm', 'new');
    git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
    const second = await up(e);
    expect(second.code, second.stderr).toBe(0);
    expect(git(e.DEVCONTAINER_WORKSPACE_FOLDER as string, 'rev-parse', 'HEAD')).toBe(git(work, 'rev-parse', 'HEAD'));

    for (const r of [first, second]) {
      expect(r.leaks).toEqual([]);
      expectNoKey('argv of every process', r.cmdlines);
      expectNoKey('builder output', r.stdout + r.stderr);
      expectNoKey('status file', JSON.stringify(r.status));
      // ssh ran with the private copy (a path in argv), never the mounted 0644 file.
      expect(r.cmdlines).toMatch(/ssh -F \/dev\/null -i \S*devcontainer-builder-ssh-\S+\/id .*StrictHostKeyChecking=yes/);
    }
    expectNoKey('.git/config', readFileSync(join(e.DEVCONTAINER_WORKSPACE_FOLDER as string, '.git/config'), 'utf8'));
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('devcontainer-builder-ssh-'))).toEqual([]);
  }, 300_000);

  it('a host key not in known_hosts is refused (strict by default), saying what to do', async () => {
    const other = join(root, 'other_known_hosts');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(root, 'not-the-host')]);
    writeFileSync(
      other,
      `[127.0.0.1]:${bed.PORT} ${readFileSync(join(root, 'not-the-host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`,
    );
    const r = await up(env('hostkey', { DEVCONTAINER_GIT_SSH_KEY_FILE: keyFile, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: other }));
    expect(r.code).toBe(1);
    expect(r.status.lastError).toMatchObject({ code: 'git-failed' });
    expect(r.stderr).toContain('is not in DEVCONTAINER_GIT_SSH_KNOWN_HOSTS (strict host key checking)');
  }, 300_000);

  it('an unknown key is a git-auth error; no known_hosts stops before any work', async () => {
    const stranger = join(root, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const denied = await up(env('denied', { DEVCONTAINER_GIT_SSH_KEY_FILE: stranger, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS: knownHosts }));
    expect(denied.code).toBe(1);
    expect(denied.status.lastError).toMatchObject({ code: 'git-auth' });
    expect(denied.stderr).toContain('refused the SSH key (check DEVCONTAINER_GIT_SSH_KEY_FILE)');

    const strict = await up(env('strict', { DEVCONTAINER_GIT_SSH_KEY_FILE: keyFile }));
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(
      'DEVCONTAINER_GIT_SSH_KNOWN_HOSTS (--git-ssh-known-hosts): required with DEVCONTAINER_GIT_SSH_KEY_FILE',
    );
  }, 300_000);
});
