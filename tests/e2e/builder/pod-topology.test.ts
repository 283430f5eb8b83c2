// The pod topology on one machine: the devcontainer-builder image and a DinD container (Debian's
// docker.io, built offline) sharing a socket volume and the /workspaces volume, as the pod will.
// Real: docker (outer and inner engines), the builder image (bundled CLI, pinned devcontainer CLI,
// git, docker CLI), git http-backend behind a token, the fake agent binary. Emulated: Coder (stand-in).
// The DinD flags are this machine's stand-in for `privileged: true` (see TESTBED.md).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import { ensureDocker, runTestbed } from '../../support/testbed.js';
import { buildBuilder, createFixtureRemote, dockerOut, renderInitScript, waitFor } from './support.js';

const P = 'dck-builder-e2e-pod';
const names = { dind: `${P}-dind`, builder: `${P}-builder`, sock: `${P}-sock`, ws: `${P}-workspaces`, data: `${P}-docker` };
const GIT_TOKEN = `gittok-${crypto.randomUUID()}`;
// coderd agent tokens are UUIDs (the stand-in refuses anything else, as coderd does).
const AGENT_TOKEN = crypto.randomUUID();
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
let gitServer: GitServer;
let standin: CoderStandin;
let builderImage: string;

function inner(...args: string[]): string {
  return dockerOut('exec', names.dind, 'docker', ...INNER, ...args);
}

function cleanup(): void {
  execFileSync('docker', ['rm', '-f', names.builder], { stdio: 'ignore' });
  try {
    // Inner containers first (they hold the workspace bind mounts), then the daemon.
    const ids = inner('ps', '-aq').split('\n').filter(Boolean);
    if (ids.length) inner('rm', '-f', ...ids);
  } catch {}
  execFileSync('docker', ['rm', '-f', names.dind], { stdio: 'ignore' });
  for (const v of [names.sock, names.ws, names.data]) execFileSync('docker', ['volume', 'rm', '-f', v], { stdio: 'ignore' });
}

beforeAll(async () => {
  ensureDocker();
  buildBuilder();
  builderImage = runTestbed('builder-image');
  const dindImage = runTestbed('dind-image');
  const agentBinary = runTestbed('fake-coder-agent');
  cleanup();
  root = mkdtempSync(join(tmpdir(), `${P}-`));
  createFixtureRemote(root);
  gitServer = await startGitServer({ root, token: GIT_TOKEN });
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });

  // /workspaces belongs to the builder's user (uid 1000), as an fsGroup/initContainer would make it.
  execFileSync('docker', [
    'run',
    '--rm',
    '--network',
    'host',
    '-v',
    `${names.ws}:/workspaces`,
    'local/debian:bookworm',
    'chown',
    '1000:1000',
    '/workspaces',
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
  // No registry: the inner daemon gets the base image the fixture builds on.
  execFileSync('sh', ['-c', `docker save local/debian:bookworm | docker exec -i ${names.dind} docker ${INNER.join(' ')} load -q`], {
    stdio: 'ignore',
  });
}, 600_000);

afterAll(async () => {
  cleanup();
  await standin?.close();
  await gitServer?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('pod topology: builder image + DinD sidecar', () => {
  it('builds the devcontainer in the sidecar, starts the agent, and stops cleanly on SIGTERM', async () => {
    const env = {
      DEVCONTAINER_REPOSITORY: `${gitServer.url}fixture.git`,
      DEVCONTAINER_BRANCH: 'main',
      DEVCONTAINER_GIT_TOKEN: GIT_TOKEN,
      CODER_AGENT_URL: standin.url,
      CODER_AGENT_TOKEN: AGENT_TOKEN,
      CODER_INIT_SCRIPT: renderInitScript(standin.url),
    };
    // Values reach the container by name (-e NAME): never on this test's command line either.
    const run = spawn(
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
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    run.stdout.on('data', (d) => (output += d));
    run.stderr.on('data', (d) => (output += d));
    const status = await waitFor(
      'the builder to supervise',
      () => {
        try {
          const s = JSON.parse(dockerOut('exec', names.builder, 'cat', '/workspaces/.devcontainer-builder/status.json'));
          return s.phase === 'supervise' ? s : s.phase === 'failed' ? { failed: s } : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 300_000 },
    );
    expect(status.failed, output).toBeUndefined();
    expect(dockerOut('exec', names.builder, 'id', '-u')).toBe('1000');
    expect(status.workspaceFolder).toBe('/workspaces/fixture');
    expect(status.agent.mode).toBe('binary');
    await waitFor('the agent to call Coder', () => standin.agentCalls().length > 0 || undefined, { timeoutMs: 60_000 });
    expect(standin.agentCalls()[0]?.userAgent).toMatch(/uid=1000 user=dev auth=token devcontainers=false/);
    // The devcontainer lives in the sidecar's engine, labelled for the workspace.
    expect(inner('ps', '--filter', 'label=devcontainer-kit.workspace=fixture', '--format', '{{.ID}}')).not.toBe('');
    expect(inner('exec', '-u', 'dev', status.containerId, 'cat', '/mnt/fixture/hello.txt')).toBe('mounted-from-workspace');
    expect(standin.sources().map((s) => s.display_name)).toContain('Builder: devcontainer up');

    const t0 = Date.now();
    execFileSync('docker', ['stop', '--time', '25', names.builder], { stdio: 'ignore' });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(dockerOut('inspect', names.builder, '--format', '{{.State.ExitCode}}')).toBe('0');
    expect(inner('inspect', status.containerId, '--format', '{{.State.Running}}')).toBe('false');
    for (const text of [
      output,
      ...standin.logs().map((l) => l.output),
      dockerOut(
        'run',
        '--rm',
        '-v',
        `${names.ws}:/workspaces`,
        'local/debian:bookworm',
        'cat',
        '/workspaces/.devcontainer-builder/status.json',
      ),
    ]) {
      expect(text).not.toContain(AGENT_TOKEN);
      expect(text).not.toContain(GIT_TOKEN);
    }
  }, 600_000);
});
