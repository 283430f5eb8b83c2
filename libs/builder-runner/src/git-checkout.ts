// Checkout: clone (shallow) at a branch, tag, SHA or pull/merge-request ref, or fetch and
// fast-forward an existing checkout. The token reaches git only through GIT_ASKPASS, which reads
// it from its own environment: never in the URL, argv, .git/config or logs.
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackoff } from '@devcontainer-kit/docker-context';
import { execa } from 'execa';
import { BuilderError } from './errors.js';
import type { PhaseLog } from './phase-log.js';
import type { Redactor } from './redact.js';
import { isCommitSha } from './settings.js';

export type RefSpec = { kind: 'default' } | { kind: 'sha'; sha: string } | { kind: 'pull'; ref: string } | { kind: 'name'; name: string };

const PULL = /^(refs\/)?((pull\/\d+\/(head|merge))|(merge-requests\/\d+\/(head|merge)))$/;

/** What DEVCONTAINER_BRANCH names. Pure. */
export function classifyRef(ref: string | undefined): RefSpec {
  if (!ref) return { kind: 'default' };
  if (isCommitSha(ref)) return { kind: 'sha', sha: ref.toLowerCase() };
  const m = PULL.exec(ref);
  if (m) return { kind: 'pull', ref: `refs/${m[2]}` };
  return { kind: 'name', name: ref.replace(/^refs\/heads\//, '') };
}

/** The repository URL with any user info removed, for messages. Pure. */
export function displayUrl(repository: string): string {
  try {
    const u = new URL(repository);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return repository;
  }
}

export interface CheckoutOptions {
  repository: string;
  inPlace: boolean;
  branch: string | undefined;
  workspaceFolder: string;
  depth: number;
  username: string;
  token: string | undefined;
  owner?: { uid: number; gid: number } | undefined;
  log: PhaseLog;
  redactor: Redactor;
  /** Base environment for git (without secrets). */
  env: Record<string, string | undefined>;
  /**
   * An existing, clean checkout is left as it is ('deferred'): the fetch and fast-forward come later,
   * from updateCheckout (a warm restart starts the workspace first).
   */
  deferUpdate?: boolean;
  /** Pauses between tries to reach the remote (default 1 s doubling to 8 s; tests pass shorter ones). */
  networkBackoff?: { initialMs: number; maxMs: number };
}

export type CheckoutAction =
  | 'in-place'
  | 'cloned'
  | 'deferred'
  | 'fast-forwarded'
  | 'up-to-date'
  | 'switched'
  | 'kept-dirty'
  | 'kept-diverged';

export interface CheckoutResult {
  action: CheckoutAction;
  commit: string | undefined;
  /** `branch main`, `tag v1`, `commit abc…`, `refs/pull/1/head`. */
  ref: string;
}

const ASKPASS = `#!/bin/sh
# devcontainer-builder's askpass: answers from its own environment (printf is a builtin: no argv).
case "$1" in
  Username*|username*) printf '%s\\n' "$DEVCONTAINER_BUILDER_GIT_USERNAME" ;;
  *) printf '%s\\n' "$DEVCONTAINER_BUILDER_GIT_PASSWORD" ;;
esac
`;

interface Git {
  /** `network`: a transient failure to reach the remote is retried (isTransientGitError). */
  run(
    args: string[],
    opts?: { cwd?: string; allowFail?: boolean; network?: boolean },
  ): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

/** How often a clone or fetch tries to reach the remote (waits 1, 2, 4, 8 s between: ~15 s). */
export const GIT_NETWORK_ATTEMPTS = 5;

/**
 * Whether git's failure is the remote not being reachable yet — DNS, a refused or reset connection,
 * a gateway answering 502–504 — which a pod meets while its network comes up (a mesh sidecar not ready
 * yet, DNS not answering): worth another try. Authentication and missing refs are not. Pure.
 */
export function isTransientGitError(stderr: string): boolean {
  return /Could not resolve host|Temporary failure in name resolution|Failed to connect|Couldn't connect to server|Connection refused|Connection timed out|Connection reset|Operation timed out|returned error: 50[234]|ssh: connect to host .*(refused|timed out|No route)/i.test(
    stderr,
  );
}

async function createGit(options: CheckoutOptions): Promise<Git> {
  const dir = await mkdtemp(join(tmpdir(), 'devcontainer-builder-git-'));
  await chmod(dir, 0o700);
  const askpass = join(dir, 'askpass.sh');
  await writeFile(askpass, ASKPASS, { mode: 0o700 });
  const env: Record<string, string | undefined> = {
    ...options.env,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: askpass,
    SSH_ASKPASS: askpass,
    GCM_INTERACTIVE: 'never',
    DEVCONTAINER_BUILDER_GIT_USERNAME: options.username,
    DEVCONTAINER_BUILDER_GIT_PASSWORD: options.token ?? '',
  };
  const base = ['-c', 'credential.helper=', '-c', 'safe.directory=*', '-c', 'core.askPass=', '-c', 'advice.detachedHead=false'];
  return {
    async run(args, opts = {}) {
      const backoff = createBackoff(options.networkBackoff ?? { initialMs: 1000, maxMs: 8000 });
      for (let attempt = 1; ; attempt++) {
        const r = await execa('git', [...base, ...args], {
          cwd: opts.cwd ?? options.workspaceFolder,
          env,
          extendEnv: false,
          reject: false,
        });
        const result = { exitCode: r.exitCode ?? 1, stdout: r.stdout, stderr: options.redactor(r.stderr) };
        if (result.exitCode !== 0 && opts.network && attempt < GIT_NETWORK_ATTEMPTS && isTransientGitError(result.stderr)) {
          const why = result.stderr.split('\n').filter(Boolean).pop() ?? `exit ${result.exitCode}`;
          options.log.write(
            `cannot reach ${displayUrl(options.repository)} yet (${why}): git ${args[0]} again in ${(backoff.next / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${GIT_NETWORK_ATTEMPTS})`,
            'warn',
          );
          await backoff.wait();
          continue;
        }
        if (result.exitCode !== 0 && !opts.allowFail) throw gitError(args, result, options.repository);
        return result;
      }
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function gitError(args: string[], r: { exitCode: number; stderr: string }, repository: string): BuilderError {
  const tail = r.stderr.split('\n').filter(Boolean).slice(-5).join('\n');
  const auth =
    /Authentication failed|could not read (Username|Password)|HTTP (401|403)|terminal prompts disabled|returned error: 40[13]/i.test(
      r.stderr,
    );
  const sub = args[0] ?? 'git';
  if (/Host key verification failed/.test(r.stderr))
    return new BuilderError(
      `git ${sub}: the SSH host key of ${displayUrl(repository)} is not in DEVCONTAINER_GIT_SSH_KNOWN_HOSTS (strict host key checking): add the server's key (ssh-keyscan, checked out of band)`,
      { code: 'git-failed', phase: 'checkout', command: `git ${sub}`, exitCode: r.exitCode, outputTail: tail },
    );
  if (/Permission denied \(publickey/.test(r.stderr))
    return new BuilderError(`git ${sub}: ${displayUrl(repository)} refused the SSH key (check DEVCONTAINER_GIT_SSH_KEY_FILE)`, {
      code: 'git-auth',
      phase: 'checkout',
      command: `git ${sub}`,
      exitCode: r.exitCode,
      outputTail: tail,
    });
  if (auth) {
    return new BuilderError(
      `git ${sub}: ${displayUrl(repository)} refused the credentials (check DEVCONTAINER_GIT_TOKEN / DEVCONTAINER_GIT_USERNAME)`,
      {
        code: 'git-auth',
        phase: 'checkout',
        command: `git ${sub}`,
        exitCode: r.exitCode,
        outputTail: tail,
      },
    );
  }
  return new BuilderError(`git ${sub} failed: ${tail.split('\n').pop() ?? `exit ${r.exitCode}`}`, {
    code: 'git-failed',
    phase: 'checkout',
    command: `git ${args.slice(0, 2).join(' ')}`,
    exitCode: r.exitCode,
    outputTail: tail,
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Fetches the wanted ref into FETCH_HEAD; returns its commit and what it was. */
async function fetchTarget(git: Git, spec: RefSpec, depth: number): Promise<{ commit: string; branch: string | undefined; label: string }> {
  const depthArgs = depth > 0 ? [`--depth=${depth}`] : [];
  let what: string;
  let branch: string | undefined;
  if (spec.kind === 'default') {
    const head = await git.run(['ls-remote', '--symref', 'origin', 'HEAD'], { network: true });
    const m = /^ref: refs\/heads\/(\S+)\s+HEAD/m.exec(head.stdout);
    branch = m?.[1];
    what = branch ? `refs/heads/${branch}` : 'HEAD';
  } else if (spec.kind === 'sha') what = spec.sha;
  else if (spec.kind === 'pull') what = spec.ref;
  else what = spec.name;
  await git.run(['fetch', '--no-tags', '--quiet', ...depthArgs, 'origin', what], { network: true });
  const commit = (await git.run(['rev-parse', 'FETCH_HEAD^{commit}'])).stdout.trim();
  let label: string;
  if (spec.kind === 'name') {
    // FETCH_HEAD says whether the name was a branch or a tag.
    const gitDir = (await git.run(['rev-parse', '--absolute-git-dir'])).stdout.trim();
    const text = await readFile(join(gitDir, 'FETCH_HEAD'), 'utf8');
    if (/\ttag '/.test(text)) label = `tag ${spec.name}`;
    else {
      branch = spec.name;
      label = `branch ${spec.name}`;
    }
  } else if (spec.kind === 'sha') label = `commit ${spec.sha.slice(0, 12)}`;
  else if (spec.kind === 'pull') label = spec.ref;
  else label = branch ? `branch ${branch} (default)` : 'HEAD (default)';
  return { commit, branch, label };
}

/** chown -R without following symlinks. */
export async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  const s = await stat(path);
  if (!s.isDirectory()) return;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const p = join(path, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await chownTree(p, uid, gid);
    else await chown(p, uid, gid);
  }
}

export async function checkoutRepository(options: CheckoutOptions): Promise<CheckoutResult> {
  const { log, workspaceFolder } = options;
  const spec = classifyRef(options.branch);
  const url = displayUrl(options.repository);
  // Deferred: no git process at all (HEAD read from .git; local changes are looked at by the update).
  if (options.deferUpdate && !options.inPlace) {
    const commit = await readHeadCommit(workspaceFolder);
    if (commit) {
      log.write(`using the existing checkout at ${commit.slice(0, 12)}; fetching ${url} after the workspace starts`, 'info');
      return { action: 'deferred', commit, ref: 'existing checkout' };
    }
  }
  const git = await createGit(options);
  try {
    if (options.inPlace) {
      const head = await git.run(['rev-parse', 'HEAD'], { allowFail: true });
      const commit = head.exitCode === 0 ? head.stdout.trim() : undefined;
      log.write(`using ${workspaceFolder} in place${commit ? ` at ${commit.slice(0, 12)}` : ' (not a git checkout)'}`, 'info');
      return { action: 'in-place', commit, ref: 'in place' };
    }
    const hasGit = await exists(join(workspaceFolder, '.git'));
    if (!hasGit) {
      if (await exists(workspaceFolder)) {
        const entries = await readdir(workspaceFolder);
        if (entries.length > 0) {
          throw new BuilderError(`workspace folder ${workspaceFolder} exists, is not empty and is not a git checkout`, {
            code: 'git-failed',
            phase: 'checkout',
          });
        }
      }
      await mkdir(workspaceFolder, { recursive: true });
      log.write(`cloning ${url}${options.depth > 0 ? ` (depth ${options.depth})` : ''} into ${workspaceFolder}`, 'info');
      if (spec.kind === 'default' || spec.kind === 'name') {
        // One process, one negotiation: `git clone` handles branches, tags and the default branch.
        const depthArgs = options.depth > 0 ? [`--depth=${options.depth}`] : [];
        const branchArgs = spec.kind === 'name' ? ['--branch', spec.name] : [];
        await git.run(['clone', '--quiet', '--no-tags', ...depthArgs, ...branchArgs, '--', options.repository, workspaceFolder], {
          cwd: '/',
          network: true,
        });
        const commit = (await git.run(['rev-parse', 'HEAD'])).stdout.trim();
        const branch = (await git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true })).stdout.trim() || undefined;
        const label = spec.kind === 'default' ? `branch ${branch ?? 'HEAD'} (default)` : branch ? `branch ${branch}` : `tag ${spec.name}`;
        if (options.owner) await chownTree(workspaceFolder, options.owner.uid, options.owner.gid);
        log.write(`checked out ${label} at ${commit.slice(0, 12)}`, 'info');
        return { action: 'cloned', commit, ref: label };
      }
      await git.run(['init', '--quiet', workspaceFolder], { cwd: '/' });
      await git.run(['remote', 'add', 'origin', options.repository]);
      const target = await fetchTarget(git, spec, options.depth);
      if (target.branch) await git.run(['checkout', '--quiet', '-B', target.branch, target.commit]);
      else await git.run(['checkout', '--quiet', '--detach', target.commit]);
      if (options.owner) await chownTree(workspaceFolder, options.owner.uid, options.owner.gid);
      log.write(`checked out ${target.label} at ${target.commit.slice(0, 12)}`, 'info');
      return { action: 'cloned', commit: target.commit, ref: target.label };
    }

    return await updateExisting(git, options, spec, url);
  } finally {
    await git.dispose();
  }
}

/**
 * The commit HEAD names, read from `.git` without running git (a warm restart's checkout costs no
 * process): a detached SHA, or a branch ref (loose, then packed-refs). Undefined when `.git` is not a
 * plain directory (worktree, submodule) or HEAD cannot be resolved: the caller runs git instead.
 */
export async function readHeadCommit(workspaceFolder: string): Promise<string | undefined> {
  const gitDir = join(workspaceFolder, '.git');
  const read = (f: string) => readFile(join(gitDir, f), 'utf8').catch(() => undefined);
  const head = (await read('HEAD'))?.trim();
  if (!head) return undefined;
  const sha = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
  if (sha.test(head)) return head;
  const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
  if (!ref || ref.split('/').includes('..')) return undefined;
  const loose = (await read(ref))?.trim();
  if (loose && sha.test(loose)) return loose;
  for (const line of ((await read('packed-refs')) ?? '').split('\n')) {
    const [value, name] = line.trim().split(' ');
    if (name === ref && value && sha.test(value)) return value;
  }
  return undefined;
}

/** HEAD and whether tracked files have local changes (warned about: such a checkout is never touched). */
async function localHead(git: Git, log: PhaseLog): Promise<{ commit: string | undefined; dirty: boolean }> {
  const [head, status] = await Promise.all([
    git.run(['rev-parse', 'HEAD'], { allowFail: true }),
    git.run(['status', '--porcelain', '--untracked-files=no']),
  ]);
  const commit = head.stdout.trim() || undefined;
  const dirty = status.stdout.trim();
  if (dirty)
    log.write(
      `checkout has ${dirty.split('\n').length} locally changed file(s): not touched, building what is there${commit ? ` (${commit.slice(0, 12)})` : ''}`,
      'warn',
    );
  return { commit, dirty: Boolean(dirty) };
}

/** An existing checkout: fetch, then fast-forward or switch when that loses nothing; else keep it. */
async function updateExisting(git: Git, options: CheckoutOptions, spec: RefSpec, url: string): Promise<CheckoutResult> {
  const { log } = options;
  const local = await localHead(git, log);
  const head = local.commit;
  if (local.dirty) return { action: 'kept-dirty', commit: head, ref: 'local changes' };
  const shallow = (await git.run(['rev-parse', '--is-shallow-repository'])).stdout.trim() === 'true';
  log.write(`fetching ${url} into the existing checkout`, 'info');
  const target = await fetchTarget(git, spec, shallow ? Math.max(options.depth, 100) : 0);
  const current = (await git.run(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true })).stdout.trim() || undefined;
  if (head === target.commit && (current === target.branch || !target.branch)) {
    log.write(`up to date: ${target.label} at ${target.commit.slice(0, 12)}`, 'info');
    return { action: 'up-to-date', commit: head, ref: target.label };
  }
  if (target.branch && current !== target.branch) {
    await git.run(['checkout', '--quiet', '-B', target.branch, target.commit]);
    log.write(`switched to ${target.label} at ${target.commit.slice(0, 12)}`, 'info');
    return { action: 'switched', commit: target.commit, ref: target.label };
  }
  const ff = head ? await git.run(['merge-base', '--is-ancestor', head, target.commit], { allowFail: true }) : { exitCode: 0 };
  if (ff.exitCode !== 0) {
    log.write(
      `checkout has diverged from ${target.label} (${head?.slice(0, 12)} is not an ancestor of ${target.commit.slice(0, 12)}): not touched, building what is there`,
      'warn',
    );
    return { action: 'kept-diverged', commit: head, ref: target.label };
  }
  if (current) await git.run(['merge', '--ff-only', '--quiet', target.commit]);
  else await git.run(['checkout', '--quiet', '--detach', target.commit]);
  log.write(`fast-forwarded ${target.label}: ${head?.slice(0, 12)} → ${target.commit.slice(0, 12)}`, 'info');
  return { action: 'fast-forwarded', commit: target.commit, ref: target.label };
}

/** The deferred half of a checkout (see CheckoutOptions.deferUpdate): fetch, then fast-forward or switch. */
export async function updateCheckout(options: CheckoutOptions): Promise<CheckoutResult> {
  const git = await createGit(options);
  try {
    return await updateExisting(git, options, classifyRef(options.branch), displayUrl(options.repository));
  } finally {
    await git.dispose();
  }
}
