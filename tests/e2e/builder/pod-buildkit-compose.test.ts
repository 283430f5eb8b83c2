// BuildKit and Docker Compose in the pod topology: the devcontainer-builder image (its docker CLI
// with the buildx and compose plugins) and a DinD container (Debian's dockerd 20.10.24) sharing a
// socket volume and the /workspaces volume, as the pod does.
// Real: both engines, the builder image, buildx v0.38 / compose v2.40 built from their Go modules,
// BuildKit's Dockerfile frontend from Debian's docker-registry on 127.0.0.1, the fake agent binary.
// Emulated: Coder (the loopback stand-in). The DinD flags are this machine's stand-in for
// `privileged: true` (see TESTBED.md); everything uses the host network.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { ensureDocker, freeLoopbackPort, repoRoot, runTestbed } from '../../support/testbed.js';
import { buildBuilder, dockerOut, git, renderInitScript, waitFor } from './support.js';

const P = 'dck-builder-e2e-podbk';
const names = { dind: `${P}-dind`, builder: `${P}-builder`, sock: `${P}-sock`, ws: `${P}-workspaces`, data: `${P}-docker` };
const AGENT_TOKEN = crypto.randomUUID();
const SECRET = `pod-secret-${crypto.randomUUID()}`;
const INNER = ['-H', 'unix:///run/dind/docker.sock'];
const DIND_FLAGS = [
  '--cap-add',
  'ALL',
  '--cap-drop',
  'SYS_RESOURCE',
  '--security-opt',
  'seccomp=unconfined',
  '--security-opt',
  'apparmor=unconfined',
  '--security-opt',
  'systempaths=unconfined',
  '--device-cgroup-rule',
  'a *:* rwm',
  '-v',
  '/sys/fs/cgroup:/sys/fs/cgroup:rw',
  '--cgroupns',
  'host',
  '--network',
  'host',
];

let root: string;
let standin: CoderStandin;
let builderImage: string;
let port: number;

function inner(...args: string[]): string {
  return dockerOut('exec', names.dind, 'docker', ...INNER, ...args);
}

/** A file on the /workspaces volume, read through a throwaway container. */
function readVolume(path: string): string {
  return dockerOut('run', '--rm', '--network', 'host', '-v', `${names.ws}:/workspaces`, 'local/debian:bookworm', 'cat', path);
}

function cleanup(): void {
  execFileSync('docker', ['rm', '-f', names.builder], { stdio: 'ignore' });
  try {
    const ids = inner('ps', '-aq').split('\n').filter(Boolean);
    if (ids.length) inner('rm', '-f', ...ids);
  } catch {}
  execFileSync('docker', ['rm', '-f', names.dind], { stdio: 'ignore' });
  for (const v of [names.sock, names.ws, names.data]) execFileSync('docker', ['volume', 'rm', '-f', v], { stdio: 'ignore' });
}

/** A fixture as a git repository in ROOT/src/NAME, with placeholders replaced. */
function fixture(name: string, from: string, replace: Record<string, [string, string][]>): void {
  const dir = join(root, 'src', name);
  cpSync(join(repoRoot, 'tests/support/fixtures', from), dir, { recursive: true });
  for (const [file, pairs] of Object.entries(replace)) {
    let text = readFileSync(join(dir, file), 'utf8');
    for (const [a, b] of pairs) text = text.replace(a, b);
    writeFileSync(join(dir, file), text);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'fixture');
}

/** Runs the builder image with ENV (values passed by name); resolves with its output when it exits. */
function runBuilder(env: Record<string, string>): { output: () => string; exited: Promise<number | null> } {
  const child = spawn(
    'docker',
    [
      'run',
      '--name',
      names.builder,
      '--network',
      'host',
      '-v',
      `${names.sock}:/run/dind`,
      '-v',
      `${names.ws}:/workspaces`,
      ...Object.keys(env).flatMap((k) => ['-e', k]),
      builderImage,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return { output: () => output, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

beforeAll(async () => {
  ensureDocker();
  buildBuilder();
  builderImage = runTestbed('builder-image');
  const dindImage = runTestbed('dind-image');
  const agentBinary = runTestbed('fake-coder-agent');
  const frontend = runTestbed('dockerfile-frontend');
  cleanup();
  root = mkdtempSync(join(tmpdir(), `${P}-`));
  port = await freeLoopbackPort();
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'secret'), SECRET);
  fixture('bk', 'buildkit-repo', {
    '.devcontainer/Dockerfile': [['__DOCKERFILE_FRONTEND__', frontend]],
    '.devcontainer/devcontainer.json': [
      ['__SECRET_FILE__', '/workspaces/secret'],
      ['"FIXTURE_RUN": "0"', `"FIXTURE_RUN": "${crypto.randomUUID().slice(0, 8)}"`],
    ],
  });
  fixture('cmp', 'compose-repo', { '.devcontainer/compose.yaml': [['__WEB_PORT__', String(port)]] });
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
  // The repositories and the secret on /workspaces, owned by the builder's user (uid 1000).
  execFileSync('docker', [
    'run',
    '--rm',
    '--network',
    'host',
    '-v',
    `${names.ws}:/workspaces`,
    '-v',
    `${join(root, 'src')}:/src:ro`,
    'local/debian:bookworm',
    'sh',
    '-c',
    'cp -a /src/. /workspaces/ && chown -R 1000:1000 /workspaces && chmod 600 /workspaces/secret',
  ]);
  execFileSync(
    'docker',
    [
      'run',
      '-d',
      '--name',
      names.dind,
      ...DIND_FLAGS,
      '-v',
      `${names.sock}:/run/dind`,
      '-v',
      `${names.ws}:/workspaces`,
      '-v',
      `${names.data}:/var/lib/docker`,
      dindImage,
    ],
    { stdio: 'ignore' },
  );
  await waitFor(
    'the inner dockerd',
    () => {
      try {
        return inner('version', '--format', '{{.Server.Version}}') || undefined;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 60_000 },
  );
  execFileSync('sh', ['-c', `docker save local/debian:bookworm | docker exec -i ${names.dind} docker ${INNER.join(' ')} load -q`], {
    stdio: 'ignore',
  });
}, 900_000);

afterAll(async () => {
  cleanup();
  await standin?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('pod topology: BuildKit and Compose through the builder image', () => {
  it('builds a BuildKit Dockerfile (secret, heredoc, COPY --link, cache mount) with buildx in the builder image against the sidecar', async () => {
    const run = runBuilder({ DEVCONTAINER_REPOSITORY: '/workspaces/bk', DEVCONTAINER_SUPERVISE: 'false' });
    const code = await run.exited;
    execFileSync('docker', ['rm', '-f', names.builder], { stdio: 'ignore' });
    expect(code, run.output().slice(-3000)).toBe(0);
    expect(run.output()).toMatch(/#\d+ \[[^\]]*\d+\/\d+\] RUN --mount=type=secret,id=fixture_token/);
    const status = JSON.parse(readVolume('/workspaces/.devcontainer-builder/status.json'));
    expect(status.cache).toBe('built');
    expect(inner('exec', status.containerId, 'cat', '/etc/fixture-heredoc')).toBe('heredoc-ran');
    const sha = execFileSync('sha256sum', { input: SECRET, encoding: 'utf8' }).slice(0, 64);
    expect(inner('exec', status.containerId, 'cat', '/etc/fixture-secret-sha256')).toBe(sha);
    expect(run.output()).not.toContain(SECRET);
    inner('rm', '-f', status.containerId);
  }, 600_000);

  it('runs a Compose config: both services in the sidecar, the agent in app, web reachable; docker stop stops both', async () => {
    const run = runBuilder({
      DEVCONTAINER_REPOSITORY: '/workspaces/cmp',
      CODER_AGENT_URL: standin.url,
      CODER_AGENT_TOKEN: AGENT_TOKEN,
      CODER_INIT_SCRIPT: renderInitScript(standin.url),
    });
    const status = await waitFor(
      'the builder to supervise',
      () => {
        try {
          const s = JSON.parse(readVolume('/workspaces/.devcontainer-builder/status.json'));
          return s.phase === 'supervise' && s.workspaceFolder === '/workspaces/cmp' ? s : s.phase === 'failed' ? { failed: s } : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 300_000 },
    );
    expect(status.failed, run.output().slice(-3000)).toBeUndefined();
    const services = () =>
      inner(
        'ps',
        '-a',
        '--filter',
        'label=com.docker.compose.project=cmp_devcontainer',
        '--format',
        '{{.Label "com.docker.compose.service"}}={{.State}}',
      )
        .split('\n')
        .sort();
    expect(services()).toEqual(['app=running', 'web=running']);
    await waitFor('the agent to call Coder', () => standin.agentCalls().length > 0 || undefined, { timeoutMs: 60_000 });
    expect(inner('exec', status.containerId, 'sh', '-c', `tr '\\0' ' ' </proc/${status.agent.pid}/cmdline`)).toMatch(/agent/);
    const reply = inner(
      'exec',
      status.containerId,
      'bash',
      '-c',
      `exec 3<>/dev/tcp/127.0.0.1/${port}; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3`,
    );
    expect(reply).toMatch(/hello from web/);
    execFileSync('docker', ['stop', '--time', '25', names.builder], { stdio: 'ignore' });
    await run.exited;
    expect(services()).toEqual(['app=exited', 'web=exited']);
    expect(run.output()).not.toContain(AGENT_TOKEN);
  }, 600_000);
});
