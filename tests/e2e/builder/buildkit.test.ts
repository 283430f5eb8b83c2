// End to end: BuildKit through buildx, via the real `devcontainer-builder up`.
// Real: the machine's dockerd 20.10.24 (its built-in BuildKit, buildx's `docker` driver), a second
// empty dockerd (tests/testbed/fresh-dockerd.sh), buildx v0.38 built from its Go module
// (tests/testbed/buildx.sh), BuildKit's Dockerfile frontend built from its Go module and served by
// Debian's docker-registry on 127.0.0.1 (`# syntax=`), the pinned devcontainer CLI, git.
// Nothing is emulated. Builds use the host network.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDocker, repoRoot, runTestbed } from '../../support/testbed.js';
import { dockerConfigWithPlugins } from './plugins.js';
import { type BuilderRun, buildBuilder, git, readStatus, startBuilder } from './support.js';

const PREFIX = 'dck-builder-bk';
const RUN_ID = crypto.randomUUID().slice(0, 8);
const FRESH = `${PREFIX}-fresh-${RUN_ID}`;
const CACHE_REPOSITORY = `${PREFIX}/cache-${RUN_ID}`;
// A value that must never show up in a log, argv, status file or image layer.
const SECRET = `bk-secret-${crypto.randomUUID()}`;

let root: string;
let dockerConfig: string;
let registry: string;
let workspace: string;
let freshHost: string | undefined;
const runs: BuilderRun[] = [];

function docker(host: string | undefined, ...args: string[]): string {
  return execFileSync('docker', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DOCKER_CONFIG: dockerConfig, ...(host ? { DOCKER_HOST: host } : {}) },
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DEVCONTAINER_REPOSITORY: workspace,
    DEVCONTAINER_WORKSPACE_NAME: `${PREFIX}-${RUN_ID}-${name}`,
    DEVCONTAINER_STATUS_FILE: join(root, 'status', `${name}.status.json`),
    DOCKER_CONFIG: dockerConfig,
    ...extra,
  };
}

async function up(e: Record<string, string>) {
  const run = startBuilder({ ...e, DEVCONTAINER_SUPERVISE: 'false' });
  runs.push(run);
  const r = await run.exited;
  return { code: r.code, stderr: run.stderr(), stdout: run.stdout(), run, status: readStatus(e.DEVCONTAINER_STATUS_FILE as string) ?? {} };
}

/** BuildKit's plain progress in the builder's log: Dockerfile steps (not FROM) and which were cached. */
function buildSteps(log: string): { steps: number; cached: number } {
  const steps = new Set<string>();
  const cached = new Set<string>();
  for (const line of log.split('\n')) {
    const text = line.replace(/^.*?(#\d+ )/, '$1');
    const s = /^#(\d+) \[[^\]]*\b\d+\/\d+\] (\w+)/.exec(text);
    if (s && s[2] !== 'FROM') steps.add(s[1] as string);
    const c = /^#(\d+) CACHED/.exec(text);
    if (c) cached.add(c[1] as string);
  }
  return { steps: steps.size, cached: [...cached].filter((id) => steps.has(id)).length };
}

beforeAll(async () => {
  ensureDocker();
  registry = runTestbed('registry');
  const frontend = runTestbed('dockerfile-frontend');
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  dockerConfig = dockerConfigWithPlugins(root, ['buildx']);
  buildBuilder();
  const secretFile = join(root, 'fixture-secret');
  writeFileSync(secretFile, SECRET);
  workspace = join(root, 'workspaces', `${PREFIX}-${RUN_ID}`);
  cpSync(join(repoRoot, 'tests/support/fixtures/buildkit-repo'), workspace, { recursive: true });
  const dc = join(workspace, '.devcontainer');
  writeFileSync(join(dc, 'Dockerfile'), readFileSync(join(dc, 'Dockerfile'), 'utf8').replace('__DOCKERFILE_FRONTEND__', frontend));
  writeFileSync(
    join(dc, 'devcontainer.json'),
    readFileSync(join(dc, 'devcontainer.json'), 'utf8')
      .replace('__SECRET_FILE__', secretFile)
      .replace('"FIXTURE_RUN": "0"', `"FIXTURE_RUN": "${RUN_ID}"`),
  );
  git(workspace, 'init', '-q');
  git(workspace, 'add', '-A');
  git(workspace, 'commit', '-qm', 'fixture');
}, 900_000);

afterAll(async () => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  for (const host of freshHost ? [undefined, freshHost] : [undefined]) {
    try {
      const ids = docker(host, 'ps', '-aq', '--filter', `label=devcontainer.local_folder=${workspace}`).split('\n').filter(Boolean);
      if (ids.length) docker(host, 'rm', '-f', ...ids);
      const images = docker(host, 'images', '--format', '{{.Repository}}:{{.Tag}}')
        .split('\n')
        .filter((i) => i.startsWith(`vsc-${PREFIX}-${RUN_ID}-`) || i.startsWith(`${registry}/${PREFIX}/`));
      if (images.length) docker(host, 'rmi', '-f', ...images);
    } catch {}
  }
  if (freshHost) spawnSync('bash', [join(repoRoot, 'tests/testbed/fresh-dockerd.sh'), 'stop', FRESH], { stdio: 'ignore' });
  if (registry) runTestbed('registry', 'forget', CACHE_REPOSITORY);
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('BuildKit through buildx (docker driver, dockerd 20.10 built-in BuildKit)', () => {
  it('builds a Dockerfile with a cache mount, a secret, a heredoc and COPY --link; the secret stays out of logs, argv and the image', async () => {
    expect(docker(undefined, 'buildx', 'inspect')).toMatch(/Driver:\s+docker\b/);
    const r = await up(env('main'));
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    // BuildKit's progress, not the legacy builder's `---> Running in`.
    expect(r.stderr).toMatch(/#\d+ \[[^\]]*\d+\/\d+\] RUN --mount=type=secret,id=fixture_token/);
    expect(r.stderr).not.toMatch(/---> Running in/);
    const { status } = r;
    expect(status.cache).toBe('built');
    const id = status.containerId as string;
    expect(docker(undefined, 'exec', id, 'cat', '/etc/fixture-heredoc')).toBe('heredoc-ran');
    expect(docker(undefined, 'exec', id, 'stat', '-c', '%a %s', '/opt/fixture/app.txt')).toBe('640 33');
    const sha = execFileSync('sha256sum', { input: SECRET, encoding: 'utf8' }).slice(0, 64);
    expect(docker(undefined, 'exec', id, 'cat', '/etc/fixture-secret-sha256')).toBe(sha);
    expect(docker(undefined, 'exec', id, 'sh', '-c', 'test ! -e /run/secrets/fixture_token && echo gone')).toBe('gone');
    expect(Number(docker(undefined, 'exec', id, 'cat', '/etc/fixture-cache-runs'))).toBeGreaterThanOrEqual(1);
    // The secret's value: nowhere in what the builder printed, its status, any argv, or the image.
    expect(r.stderr + r.stdout).not.toContain(SECRET);
    expect(readFileSync(env('main').DEVCONTAINER_STATUS_FILE as string, 'utf8')).not.toContain(SECRET);
    expect([...r.run.cmdlines()].some((c) => c.includes(SECRET))).toBe(false);
    const image = execFileSync('docker', ['save', status.image as string], { maxBuffer: 1024 * 1024 * 1024 });
    expect(image.includes(Buffer.from(SECRET))).toBe(false);
  }, 600_000);

  it('reuses the cache mount on the next build (a changed build arg rebuilds the step)', async () => {
    const before = readStatus(env('main').DEVCONTAINER_STATUS_FILE as string)?.containerId as string;
    const firstRuns = Number(docker(undefined, 'exec', before, 'cat', '/etc/fixture-cache-runs'));
    const dc = join(workspace, '.devcontainer/devcontainer.json');
    writeFileSync(dc, readFileSync(dc, 'utf8').replace('"BUILD_ROUND": "1"', '"BUILD_ROUND": "2"'));
    git(workspace, 'commit', '-qam', 'round 2');
    const r = await up(env('main'));
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/changed since container \w+ was built: rebuilding/);
    const id = r.status.containerId as string;
    // The step ran again and found the line the first build left in the cache mount.
    expect(Number(docker(undefined, 'exec', id, 'cat', '/etc/fixture-cache-runs'))).toBe(firstRuns + 1);
    const { steps, cached } = buildSteps(r.stderr);
    expect(steps).toBe(4);
    // Secret, heredoc and COPY come before the changed ARG: from cache.
    expect(cached).toBe(3);
  }, 600_000);

  it('DEVCONTAINER_CACHE_TO type=registry: inline cache pushed to the registry; a fresh daemon takes every step from it', async () => {
    const ref = `${registry}/${CACHE_REPOSITORY}:buildcache`;
    const e = env('cache-to', { DEVCONTAINER_CACHE_TO: `type=registry,ref=${ref},mode=max` });
    const r = await up(e);
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/docker driver cannot export cache: building with inline cache/);
    expect(r.stderr).toMatch(new RegExp(`pushed to ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const manifest = await fetch(`http://${registry}/v2/${CACHE_REPOSITORY}/manifests/buildcache`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(200);

    freshHost = runTestbed('fresh-dockerd', 'start', FRESH);
    execFileSync('sh', ['-c', `docker save local/debian:bookworm | DOCKER_HOST=${freshHost} docker load -q`], { stdio: 'ignore' });
    const f = await up(env('fresh', { DOCKER_HOST: freshHost, DEVCONTAINER_CACHE_FROM: ref }));
    expect(f.code, f.stderr.slice(-3000)).toBe(0);
    expect(f.stderr).toMatch(/importing cache manifest from /);
    const { steps, cached } = buildSteps(f.stderr);
    expect(steps).toBe(4);
    expect(cached).toBe(4);
    expect(f.status.cache).toBe('hit');
    expect(docker(freshHost, 'exec', f.status.containerId as string, 'cat', '/etc/fixture-heredoc')).toBe('heredoc-ran');
  }, 600_000);
});
