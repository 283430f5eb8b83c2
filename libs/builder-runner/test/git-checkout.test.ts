// Real git against a real `git http-backend` on 127.0.0.1 behind Basic auth (tests/support/git-server).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../../../tests/support/git-server/index.js';
import { BuilderError } from '../src/errors.js';
import { checkoutRepository, classifyRef, displayUrl, isTransientGitError, readHeadCommit } from '../src/git-checkout.js';
import type { LogLevel } from '../src/phase-log.js';
import { createRedactor } from '../src/redact.js';

const TOKEN = `tok-${crypto.randomUUID()}`;
let root: string;
let server: GitServer;
let work: string;
const commits: Record<string, string> = {};

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

function commit(file: string, content: string): string {
  writeFileSync(join(work, file), content);
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', file);
  return git(work, 'rev-parse', 'HEAD');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'dck-builder-runner-git-'));
  work = join(root, 'work');
  mkdirSync(work);
  git(work, 'init', '-q');
  commits.first = commit('a.txt', 'one\n');
  git(work, 'tag', 'v1');
  commits.second = commit('a.txt', 'two\n');
  git(work, 'checkout', '-q', '-b', 'feature');
  commits.feature = commit('b.txt', 'feature\n');
  git(work, 'checkout', '-q', 'main');
  git(root, 'init', '-q', '--bare', 'repo.git');
  const bare = join(root, 'repo.git');
  git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  git(
    work,
    'push',
    '-q',
    bare,
    'main',
    'feature',
    'v1',
    `${commits.feature}:refs/pull/12/head`,
    `${commits.first}:refs/merge-requests/7/head`,
  );
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  server = await startGitServer({ root, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

function run(folder: string, branch: string | undefined, token: string = TOKEN, repository = `${server.url}repo.git`, fast = false) {
  const lines: { line: string; level: LogLevel }[] = [];
  const promise = checkoutRepository({
    repository,
    inPlace: false,
    branch,
    workspaceFolder: join(root, folder),
    depth: 1,
    username: 'x-access-token',
    token,
    log: { write: (line, level) => lines.push({ line, level }), close: async () => {} },
    redactor: createRedactor([token]),
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    ...(fast ? { networkBackoff: { initialMs: 100, maxMs: 400 } } : {}),
  });
  return { promise, lines };
}

describe('classifyRef', () => {
  it('tells branches, tags, SHAs and pull/merge-request refs apart', () => {
    expect(classifyRef(undefined)).toEqual({ kind: 'default' });
    expect(classifyRef('A'.repeat(40))).toEqual({ kind: 'sha', sha: 'a'.repeat(40) });
    expect(classifyRef('pull/123/head')).toEqual({ kind: 'pull', ref: 'refs/pull/123/head' });
    expect(classifyRef('refs/pull/123/merge')).toEqual({ kind: 'pull', ref: 'refs/pull/123/merge' });
    expect(classifyRef('merge-requests/7/head')).toEqual({ kind: 'pull', ref: 'refs/merge-requests/7/head' });
    expect(classifyRef('refs/heads/main')).toEqual({ kind: 'name', name: 'main' });
    expect(displayUrl('https://u:p@h/x.git')).toBe('https://h/x.git');
  });
});

describe('checkoutRepository', () => {
  it.each([
    ['default branch', undefined, 'second', /branch main \(default\)/],
    ['branch', 'feature', 'feature', /branch feature/],
    ['tag', 'v1', 'first', /tag v1/],
    ['commit SHA', 'SHA', 'first', /commit /],
    ['pull request ref', 'pull/12/head', 'feature', /refs\/pull\/12\/head/],
    ['merge request ref', 'merge-requests/7/head', 'first', /refs\/merge-requests\/7\/head/],
  ])('clones at a %s, shallow, with the token only through askpass', async (_name, ref, expected, label) => {
    const folder = `clone-${_name.replaceAll(' ', '-')}`;
    const { promise } = run(folder, ref === 'SHA' ? commits.first : ref);
    const r = await promise;
    expect(r.action).toBe('cloned');
    expect(r.commit).toBe(commits[expected as string]);
    expect(r.ref).toMatch(label);
    const dir = join(root, folder);
    expect(git(dir, 'rev-parse', '--is-shallow-repository')).toBe('true');
    expect(readFileSync(join(dir, '.git/config'), 'utf8')).not.toContain(TOKEN);
    expect(git(dir, 'remote', 'get-url', 'origin')).toBe(`${server.url}repo.git`);
  });

  it('fast-forwards an existing clean checkout, leaves dirty and diverged ones alone', async () => {
    await run('ff', 'main').promise;
    const dir = join(root, 'ff');
    const third = commit('a.txt', 'three\n');
    git(work, 'push', '-q', join(root, 'repo.git'), 'main');
    const ff = await run('ff', 'main').promise;
    expect(ff).toMatchObject({ action: 'fast-forwarded', commit: third });
    expect((await run('ff', 'main').promise).action).toBe('up-to-date');

    writeFileSync(join(dir, 'a.txt'), 'local edit\n');
    const dirty = run('ff', 'main');
    expect((await dirty.promise).action).toBe('kept-dirty');
    expect(dirty.lines.some((l) => l.level === 'warn' && /locally changed/.test(l.line))).toBe(true);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('local edit\n');

    git(dir, 'checkout', '-q', '--', 'a.txt');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@e', 'commit', '-q', '--allow-empty', '-m', 'local commit');
    const local = git(dir, 'rev-parse', 'HEAD');
    commit('a.txt', 'four\n');
    git(work, 'push', '-q', join(root, 'repo.git'), 'main');
    const diverged = run('ff', 'main');
    expect((await diverged.promise).action).toBe('kept-diverged');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(local);
  });

  it('says clearly when the token is refused, without the token', async () => {
    const { promise } = run('wrong', 'main', 'wrong-token-5678');
    const error = await promise.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuilderError);
    expect((error as BuilderError).code).toBe('git-auth');
    expect((error as BuilderError).message).toMatch(/refused the credentials/);
    expect(JSON.stringify({ ...(error as object), m: (error as Error).message })).not.toContain('wrong-token-5678');
  });
});

describe('a remote that is not reachable yet', () => {
  it('is tried again (the pod network coming up); a refused token is not', async () => {
    // A port nothing listens on yet; once the checkout says it will try again, a relay to the git
    // server opens on it (on the log line, not a timer: a loaded machine may take longer to fail).
    const probe = createNetServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const target = Number(new URL(server.url).port);
    const relay = createNetServer((c) => c.pipe(connect(target, '127.0.0.1')).pipe(c));
    const retryLine = /cannot reach .* yet \(.*\): git clone again in [\d.]+ s \(attempt 2 of 5\)/;
    try {
      const { promise, lines } = run('late', 'main', TOKEN, `http://127.0.0.1:${port}/repo.git`, true);
      let settled = false;
      promise.finally(() => (settled = true)).catch(() => {});
      const opened = (async () => {
        while (!settled && !lines.some((l) => retryLine.test(l.line))) await new Promise((r) => setTimeout(r, 10));
        await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
      })();
      const r = await promise;
      await opened;
      expect(r.action).toBe('cloned');
      expect(r.commit).toBe(git(join(root, 'repo.git'), 'rev-parse', 'main'));
      const retries = lines.filter((l) => retryLine.test(l.line));
      expect(retries.length).toBeGreaterThanOrEqual(1);
      expect(retries[0]?.level).toBe('warn');
    } finally {
      relay.close();
    }
    expect(isTransientGitError("fatal: unable to access 'https://x/': Failed to connect to x port 443: Connection refused")).toBe(true);
    expect(isTransientGitError("fatal: unable to access 'https://x/': Could not resolve host: x")).toBe(true);
    expect(isTransientGitError("fatal: Authentication failed for 'https://x/'")).toBe(false);
    expect(isTransientGitError("fatal: couldn't find remote ref refs/heads/nope")).toBe(false);
  }, 60_000);
});

describe('readHeadCommit', () => {
  it('reads a branch (loose or packed), a detached HEAD, and gives up on what is not a plain .git directory', async () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const ws = mkdtempSync(join(tmpdir(), 'head-'));
    mkdirSync(join(ws, '.git/refs/heads'), { recursive: true });
    writeFileSync(join(ws, '.git/HEAD'), 'ref: refs/heads/main\n');
    writeFileSync(join(ws, '.git/refs/heads/main'), `${a}\n`);
    expect(await readHeadCommit(ws)).toBe(a);
    writeFileSync(join(ws, '.git/HEAD'), 'ref: refs/heads/packed\n');
    writeFileSync(join(ws, '.git/packed-refs'), `# pack-refs with: peeled fully-peeled sorted\n${b} refs/heads/packed\n`);
    expect(await readHeadCommit(ws)).toBe(b);
    writeFileSync(join(ws, '.git/HEAD'), `${a}\n`);
    expect(await readHeadCommit(ws)).toBe(a);
    writeFileSync(join(ws, '.git/HEAD'), 'ref: refs/heads/missing\n');
    expect(await readHeadCommit(ws)).toBeUndefined();
    writeFileSync(join(ws, '.git/HEAD'), 'ref: refs/../../../etc/passwd\n');
    expect(await readHeadCommit(ws)).toBeUndefined();
    const worktree = mkdtempSync(join(tmpdir(), 'head-wt-'));
    writeFileSync(join(worktree, '.git'), 'gitdir: /elsewhere\n');
    expect(await readHeadCommit(worktree)).toBeUndefined();
  });
});
