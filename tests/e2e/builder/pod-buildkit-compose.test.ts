// BuildKit and Docker Compose in the pod topology: the devcontainer-builder image (its docker CLI
// with the buildx and compose plugins) and a DinD container (Debian's dockerd 20.10.24) sharing a
// socket volume and the /workspaces volume, as the pod does.
// Real: both engines, the builder image, buildx v0.38 / compose v2.40 built from their Go modules,
// BuildKit's Dockerfile frontend from Debian's docker-registry on 127.0.0.1, the fake agent binary.
// Emulated: Coder (the loopback stand-in). The DinD flags are this machine's stand-in for
// `privileged: true` (see TESTBED.md); everything uses the host network.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { ensureDocker, freeLoopbackPort, repoRoot, runTestbed } from '../../support/testbed.js';
import {
  type BuilderContainer,
  buildBuilder,
  type DindSidecar,
  git,
  renderInitScript,
  runBuilderContainer,
  startDindSidecar,
  waitFor,
} from './support.js';

const P = 'dck-builder-e2e-podbk';
const BUILDER = `${P}-builder`;
const AGENT_TOKEN = crypto.randomUUID();
const SECRET = `pod-secret-${crypto.randomUUID()}`;

let root: string;
let standin: CoderStandin;
let builderImage: string;
let port: number;
let sidecar: DindSidecar;

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

/** Runs the builder image with ENV (values passed by name). */
function runBuilder(env: Record<string, string>): BuilderContainer {
  return runBuilderContainer({ name: BUILDER, image: builderImage, sidecar, env });
}

beforeAll(async () => {
  ensureDocker();
  buildBuilder();
  builderImage = runTestbed('builder-image');
  const dindImage = runTestbed('dind-image');
  const agentBinary = runTestbed('fake-coder-agent');
  const frontend = runTestbed('dockerfile-frontend');
  execFileSync('docker', ['rm', '-f', BUILDER], { stdio: 'ignore' });
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
  sidecar = await startDindSidecar({ prefix: P, image: dindImage });
  // The repositories and the secret on /workspaces, owned by the builder's user (uid 1000).
  sidecar.onWorkspaces('cp -a /src/. /workspaces/ && chown -R 1000:1000 /workspaces && chmod 600 /workspaces/secret', [
    '-v',
    `${join(root, 'src')}:/src:ro`,
  ]);
}, 900_000);

afterAll(async () => {
  execFileSync('docker', ['rm', '-f', BUILDER], { stdio: 'ignore' });
  sidecar?.remove();
  await standin?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('pod topology: BuildKit and Compose through the builder image', () => {
  it('builds a BuildKit Dockerfile (secret, heredoc, COPY --link, cache mount) with buildx in the builder image against the sidecar', async () => {
    const run = runBuilder({ DEVCONTAINER_REPOSITORY: '/workspaces/bk', DEVCONTAINER_SUPERVISE: 'false' });
    const code = await run.exited;
    execFileSync('docker', ['rm', '-f', BUILDER], { stdio: 'ignore' });
    expect(code, run.output().slice(-3000)).toBe(0);
    expect(run.output()).toMatch(/#\d+ \[[^\]]*\d+\/\d+\] RUN --mount=type=secret,id=fixture_token/);
    const status = JSON.parse(sidecar.onWorkspaces('cat /workspaces/.devcontainer-builder/status.json'));
    expect(status.cache).toBe('built');
    expect(sidecar.docker('exec', status.containerId, 'cat', '/etc/fixture-heredoc')).toBe('heredoc-ran');
    const sha = execFileSync('sha256sum', { input: SECRET, encoding: 'utf8' }).slice(0, 64);
    expect(sidecar.docker('exec', status.containerId, 'cat', '/etc/fixture-secret-sha256')).toBe(sha);
    expect(run.output()).not.toContain(SECRET);
    sidecar.docker('rm', '-f', status.containerId);
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
          const s = JSON.parse(sidecar.onWorkspaces('cat /workspaces/.devcontainer-builder/status.json'));
          return s.phase === 'supervise' && s.workspaceFolder === '/workspaces/cmp' ? s : s.phase === 'failed' ? { failed: s } : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 300_000 },
    );
    expect(status.failed, run.output().slice(-3000)).toBeUndefined();
    const services = () =>
      sidecar
        .docker(
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
    expect(sidecar.docker('exec', status.containerId, 'sh', '-c', `tr '\\0' ' ' </proc/${status.agent.pid}/cmdline`)).toMatch(/agent/);
    const reply = sidecar.docker(
      'exec',
      status.containerId,
      'bash',
      '-c',
      `exec 3<>/dev/tcp/127.0.0.1/${port}; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3`,
    );
    expect(reply).toMatch(/hello from web/);
    execFileSync('docker', ['stop', '--time', '25', BUILDER], { stdio: 'ignore' });
    await run.exited;
    expect(services()).toEqual(['app=exited', 'web=exited']);
    expect(run.output()).not.toContain(AGENT_TOKEN);
  }, 600_000);
});
