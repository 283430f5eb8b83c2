// The pod topology on one machine: the devcontainer-builder image and a DinD container (Debian's
// docker.io, built offline) sharing a socket volume and the /workspaces volume, as the pod will.
// Real: docker (outer and inner engines), the builder image (bundled CLI, pinned devcontainer CLI,
// git, docker CLI), git http-backend behind a token, the fake agent binary. Emulated: Coder (stand-in).
// The DinD flags are this machine's stand-in for `privileged: true` (see TESTBED.md).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import { ensureDocker, runTestbed } from '../../support/testbed.js';
import {
  buildBuilder,
  createFixtureRemote,
  type DindSidecar,
  dockerOut,
  renderInitScript,
  runBuilderContainer,
  startDindSidecar,
  waitFor,
} from './support.js';

const P = 'dck-builder-e2e-pod';
const BUILDER = `${P}-builder`;
const GIT_TOKEN = `gittok-${crypto.randomUUID()}`;
// coderd agent tokens are UUIDs (the stand-in refuses anything else, as coderd does).
const AGENT_TOKEN = crypto.randomUUID();

let root: string;
let gitServer: GitServer;
let standin: CoderStandin;
let builderImage: string;
let sidecar: DindSidecar;

beforeAll(async () => {
  ensureDocker();
  buildBuilder();
  builderImage = runTestbed('builder-image');
  const dindImage = runTestbed('dind-image');
  const agentBinary = runTestbed('fake-coder-agent');
  execFileSync('docker', ['rm', '-f', BUILDER], { stdio: 'ignore' });
  root = mkdtempSync(join(tmpdir(), `${P}-`));
  createFixtureRemote(root);
  gitServer = await startGitServer({ root, token: GIT_TOKEN });
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
  sidecar = await startDindSidecar({ prefix: P, image: dindImage });
  // /workspaces belongs to the builder's user (uid 1000), as an fsGroup/initContainer would make it.
  sidecar.onWorkspaces('chown 1000:1000 /workspaces');
}, 600_000);

afterAll(async () => {
  execFileSync('docker', ['rm', '-f', BUILDER], { stdio: 'ignore' });
  sidecar?.remove();
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
    const run = runBuilderContainer({ name: BUILDER, image: builderImage, sidecar, env });
    const status = await waitFor(
      'the builder to supervise',
      () => {
        try {
          const s = JSON.parse(dockerOut('exec', BUILDER, 'cat', '/workspaces/.devcontainer-builder/status.json'));
          return s.phase === 'supervise' ? s : s.phase === 'failed' ? { failed: s } : undefined;
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 300_000 },
    );
    expect(status.failed, run.output()).toBeUndefined();
    expect(dockerOut('exec', BUILDER, 'id', '-u')).toBe('1000');
    expect(status.workspaceFolder).toBe('/workspaces/fixture');
    expect(status.agent.mode).toBe('binary');
    await waitFor('the agent to call Coder', () => standin.agentCalls().length > 0 || undefined, { timeoutMs: 60_000 });
    expect(standin.agentCalls()[0]?.userAgent).toMatch(/uid=1000 user=dev auth=token devcontainers=false/);
    // The devcontainer lives in the sidecar's engine, labelled for the workspace.
    expect(sidecar.docker('ps', '--filter', 'label=devcontainer-kit.workspace=fixture', '--format', '{{.ID}}')).not.toBe('');
    expect(sidecar.docker('exec', '-u', 'dev', status.containerId, 'cat', '/mnt/fixture/hello.txt')).toBe('mounted-from-workspace');
    expect(standin.sources().map((s) => s.display_name)).toContain('Builder: devcontainer up');

    const t0 = Date.now();
    execFileSync('docker', ['stop', '--time', '25', BUILDER], { stdio: 'ignore' });
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(dockerOut('inspect', BUILDER, '--format', '{{.State.ExitCode}}')).toBe('0');
    expect(sidecar.docker('inspect', status.containerId, '--format', '{{.State.Running}}')).toBe('false');
    for (const text of [
      run.output(),
      ...standin.logs().map((l) => l.output),
      sidecar.onWorkspaces('cat /workspaces/.devcontainer-builder/status.json'),
    ]) {
      expect(text).not.toContain(AGENT_TOKEN);
      expect(text).not.toContain(GIT_TOKEN);
    }
  }, 600_000);
});
