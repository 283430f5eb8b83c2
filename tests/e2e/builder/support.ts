// Shared support for the builder's end-to-end tests: the fixture remote, a builder process with
// /proc/*/cmdline sampling, status polling, a DinD sidecar as in the pod, and cleanup of what the runs created.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackageBuilt } from '../../support/package-build.js';
import { DIND_PRIVILEGED_FLAGS, repoRoot } from '../../support/testbed.js';

export const fixtureDir = join(repoRoot, 'tests/support/fixtures/builder-repo');
export const builderCli = join(repoRoot, 'apps/devcontainer-builder/dist/cli.js');

/**
 * Builds (tsup) the packages the builder CLI and image run from, only when their dist is older than
 * their src (moon's `^:build` normally did it already), one build at a time across test files
 * (tests/support/package-build.js).
 */
export function buildBuilder(
  packages = ['libs/coder-log-client', 'libs/devcontainer-config', 'libs/builder-runner', 'apps/devcontainer-builder'],
): void {
  for (const pkg of packages) {
    // Other teams' packages are only built when missing (their dist is theirs to refresh).
    const ours = pkg === 'libs/builder-runner' || pkg === 'apps/devcontainer-builder';
    ensurePackageBuilt(join(repoRoot, pkg), { whenStale: ours });
  }
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=fixture', '-c', 'user.email=fixture@example.invalid', '-c', 'init.defaultBranch=main', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ).trim();
}

/** A git repository in DIR from an inline file tree, committed on main; returns DIR. */
export function createGitRepo(dir: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'fixture');
  return dir;
}

export interface FixtureRemote {
  /** Bare repository folder (served as `<name>.git`). */
  bare: string;
  /** A working clone to push new commits from. */
  work: string;
  commits: Record<string, string>;
  /** Commit a change on a branch and push it. */
  change(branch: string, files: Record<string, string | null>, message: string): string;
}

function editJson(path: string, edit: (text: string) => string): void {
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
}

/**
 * Branches: main (no download tool), with-curl (curl + zsh), failing-post-create, invalid-config;
 * tag v1.0.0 on main; refs/pull/1/head = with-curl.
 */
export function createFixtureRemote(root: string, name = 'fixture'): FixtureRemote {
  const bare = join(root, `${name}.git`);
  const work = join(root, `${name}-work`);
  mkdirSync(work, { recursive: true });
  cpSync(fixtureDir, work, { recursive: true });
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'fixture');
  const commits: Record<string, string> = { main: git(work, 'rev-parse', 'HEAD') };
  git(work, 'tag', 'v1.0.0');
  const branch = (b: string, edit: () => void) => {
    git(work, 'checkout', '-q', '-b', b, 'main');
    edit();
    git(work, 'add', '-A');
    git(work, 'commit', '-qm', b);
    commits[b] = git(work, 'rev-parse', 'HEAD');
  };
  const dc = join(work, '.devcontainer/devcontainer.json');
  branch('with-curl', () => editJson(dc, (t) => t.replace('"WITH_CURL": "0"', '"WITH_CURL": "1"')));
  branch('failing-post-create', () => writeFileSync(join(work, '.devcontainer/fail-post-create'), 'yes\n'));
  // A missing comma after "name" (line 5): a JSONC syntax error at a known position.
  branch('invalid-config', () => editJson(dc, (t) => t.replace('"name": "builder-fixture",', '"name": "builder-fixture"')));
  git(work, 'checkout', '-q', 'main');
  git(root, 'init', '-q', '--bare', bare);
  git(bare, 'config', 'uploadpack.allowAnySHA1InWant', 'true');
  git(bare, 'config', 'http.receivepack', 'false');
  git(work, 'push', '-q', bare, 'main', 'with-curl', 'failing-post-create', 'invalid-config', 'v1.0.0');
  git(work, 'push', '-q', bare, `${commits['with-curl']}:refs/pull/1/head`);
  git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
  return {
    bare,
    work,
    commits,
    change(b, files, message) {
      git(work, 'checkout', '-q', b);
      for (const [f, content] of Object.entries(files)) {
        if (content === null) rmSync(join(work, f));
        else writeFileSync(join(work, f), content);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-qm', message);
      git(work, 'push', '-q', bare, b);
      const sha = git(work, 'rev-parse', 'HEAD');
      git(work, 'checkout', '-q', 'main');
      return sha;
    },
  };
}

/** Fills Coder's bootstrap-script placeholders. */
export function renderInitScript(accessUrl: string, arch = 'amd64'): string {
  const tmpl = readFileSync(join(repoRoot, 'tests/support/fake-coder-agent/bootstrap_linux.sh'), 'utf8');
  return tmpl.replaceAll('${ACCESS_URL}', accessUrl).replaceAll('${AUTH_TYPE}', 'token').replaceAll('${ARCH}', arch);
}

export interface BuilderRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Every distinct /proc/PID/cmdline seen while the builder ran. */
  cmdlines(): Set<string>;
}

/** Starts `devcontainer-builder up` with exactly this environment (plus PATH/HOME), sampling /proc. */
export function startBuilder(env: Record<string, string>, args: string[] = []): BuilderRun {
  const child = spawn(process.execPath, [builderCli, 'up', ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
    if (process.env.DCK_E2E_VERBOSE) process.stderr.write(d);
  });
  const seen = new Set<string>();
  const sample = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const c = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
        if (c) seen.add(c.replaceAll('\0', ' '));
      } catch {}
    }
  };
  sample();
  const timer = setInterval(sample, 100);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      sample();
      resolve({ code, signal, at: Date.now() });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited, cmdlines: () => seen };
}

export async function waitFor<T>(
  what: string,
  fn: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 240_000, run }: { timeoutMs?: number; run?: BuilderRun } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exitedEarly = false;
  run?.exited.then(() => {
    exitedEarly = true;
  });
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v as T;
    if (exitedEarly) throw new Error(`builder exited while waiting for ${what}:\n${run?.stderr().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${run ? `:\n${run.stderr().slice(-3000)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field by the assertions
export function readStatus(path: string): Record<string, any> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function dockerOut(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function dockerExec(container: string, user: string, script: string): string {
  return dockerOut('exec', '-u', user, container, 'sh', '-c', script);
}

/** What BROKEN_BUILD_STEP prints: cleanupDocker finds the step's leftover containers by it. */
const BROKEN_BUILD_MARKER = 'dck-e2e: the build breaks here';
/**
 * A Dockerfile step that fails. The classic builder (no buildx on the host daemon) keeps a failed
 * step's container: cleanupDocker removes those by the marker in their command.
 */
export const BROKEN_BUILD_STEP = `RUN echo "${BROKEN_BUILD_MARKER}" && exit 3`;

/**
 * Removes containers labelled with the workspace names, the images the devcontainer CLI built for
 * their folders, and the stopped containers BROKEN_BUILD_STEP left.
 */
export function cleanupDocker(workspaceNames: string[], folderPrefix: string): void {
  const quiet = (...args: string[]) => {
    try {
      execFileSync('docker', args, { stdio: 'ignore' });
    } catch {}
  };
  for (const name of new Set(workspaceNames)) {
    const ids = dockerOut('ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${name}`).split('\n').filter(Boolean);
    if (ids.length) quiet('rm', '-f', ...ids);
  }
  const images = dockerOut('images', '--format', '{{.Repository}}:{{.Tag}}')
    .split('\n')
    .filter((i) => i.startsWith(`vsc-${folderPrefix}-`));
  if (images.length) quiet('rmi', '-f', ...images);
  const broken = dockerOut('ps', '-a', '--no-trunc', '--filter', 'status=exited', '--format', '{{.ID}} {{.Command}}')
    .split('\n')
    .filter((l) => l.includes(BROKEN_BUILD_MARKER))
    .map((l) => l.split(' ')[0] as string);
  if (broken.length) quiet('rm', ...broken);
}

/** Ends builder runs still going: SIGTERM (they stop their agent and devcontainer), SIGKILL after 20 s. */
export async function stopRuns(runs: BuilderRun[]): Promise<void> {
  const live = runs.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  for (const r of live) r.child.kill('SIGTERM');
  await Promise.race([Promise.all(live.map((r) => r.exited)), new Promise((res) => setTimeout(res, 20_000))]);
  for (const r of live) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
}

/**
 * The lifecycle hooks after `waitFor` run in the background once the agent is up: waits until the
 * status file of this run says none is pending or running (its `hooks` lists).
 */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field by the assertions
export async function waitForHooks(statusFile: string, run: BuilderRun, timeoutMs = 240_000): Promise<Record<string, any>> {
  return await waitFor(
    'the background lifecycle hooks to finish',
    () => {
      const s = readStatus(statusFile);
      const h = s?.hooks;
      return s?.pid === run.child.pid && h && h.pending.length === 0 && h.running.length === 0 ? s : undefined;
    },
    { run, timeoutMs },
  );
}

/** The DinD sidecar's flags: the test bed's stand-in for the pod's `privileged: true`, on the host network. */
const DIND_FLAGS = [...DIND_PRIVILEGED_FLAGS, '--network', 'host'];
const DIND_SOCKET = ['-H', 'unix:///run/dind/docker.sock'];

export interface DindSidecar {
  container: string;
  /** The socket volume (/run/dind), the /workspaces volume it shares with the builder, its /var/lib/docker. */
  volumes: { sock: string; workspaces: string; data: string };
  /** `docker run` arguments that give a builder container the socket and /workspaces volumes, as the pod does. */
  builderMounts: string[];
  /** The docker CLI against the sidecar's engine (through `docker exec`); trimmed stdout. */
  docker(...args: string[]): string;
  /**
   * Runs SCRIPT (`sh -c`) in a throwaway local/debian:bookworm container with the /workspaces volume
   * and MOUNTS (`-v` arguments); trimmed stdout.
   */
  onWorkspaces(script: string, mounts?: string[]): string;
  /** Removes its inner containers, the daemon and its volumes (remove a builder that mounts them first). */
  remove(): void;
}

/**
 * A DinD daemon (the test bed's dind image) started next to a builder, as in the pod: named PREFIX-dind,
 * with PREFIX-sock at /run/dind, PREFIX-workspaces at /workspaces and PREFIX-docker as its data. What
 * an earlier run left under those names is removed first. Resolves once the inner engine answers
 * and holds local/debian:bookworm (no registry: loaded from the machine's engine).
 */
export async function startDindSidecar({ prefix, image }: { prefix: string; image: string }): Promise<DindSidecar> {
  const container = `${prefix}-dind`;
  const volumes = { sock: `${prefix}-sock`, workspaces: `${prefix}-workspaces`, data: `${prefix}-docker` };
  const sidecar: DindSidecar = {
    container,
    volumes,
    builderMounts: ['-v', `${volumes.sock}:/run/dind`, '-v', `${volumes.workspaces}:/workspaces`],
    docker: (...args) => dockerOut('exec', container, 'docker', ...DIND_SOCKET, ...args),
    onWorkspaces: (script, mounts = []) =>
      dockerOut(
        'run',
        '--rm',
        '--network',
        'host',
        '-v',
        `${volumes.workspaces}:/workspaces`,
        ...mounts,
        'local/debian:bookworm',
        'sh',
        '-c',
        script,
      ),
    remove() {
      try {
        // Inner containers first (they hold the workspace bind mounts), then the daemon.
        const ids = sidecar.docker('ps', '-aq').split('\n').filter(Boolean);
        if (ids.length) sidecar.docker('rm', '-f', ...ids);
      } catch {}
      execFileSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
      for (const v of Object.values(volumes)) execFileSync('docker', ['volume', 'rm', '-f', v], { stdio: 'ignore' });
    },
  };
  sidecar.remove();
  try {
    execFileSync(
      'docker',
      ['run', '-d', '--name', container, ...DIND_FLAGS, ...sidecar.builderMounts, '-v', `${volumes.data}:/var/lib/docker`, image],
      { stdio: 'ignore' },
    );
    await waitFor(
      'the inner dockerd',
      () => {
        try {
          return sidecar.docker('version', '--format', '{{.Server.Version}}') || undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 60_000 },
    );
    execFileSync('sh', ['-c', `docker save local/debian:bookworm | docker exec -i ${container} docker ${DIND_SOCKET.join(' ')} load -q`], {
      stdio: 'ignore',
    });
  } catch (error) {
    sidecar.remove();
    throw error;
  }
  return sidecar;
}

export interface BuilderContainer {
  /** Its stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with its exit code. */
  exited: Promise<number | null>;
}

/**
 * Runs the builder IMAGE as container NAME next to SIDECAR, with ENV passed by name (`-e NAME`, so no
 * value is on any command line).
 */
export function runBuilderContainer({
  name,
  image,
  sidecar,
  env,
}: {
  name: string;
  image: string;
  sidecar: DindSidecar;
  env: Record<string, string>;
}): BuilderContainer {
  const child = spawn(
    'docker',
    ['run', '--name', name, '--network', 'host', ...sidecar.builderMounts, ...Object.keys(env).flatMap((k) => ['-e', k]), image],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  return { output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}
