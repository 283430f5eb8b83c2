// Real parts: Docker engine (containers from local/debian:bookworm, --network=host), goss v0.4.9 from the
// test bed, the docker CLI. Stand-ins: the `coder agent` process is `sleep` renamed with `exec -a`, and
// `code-server --list-extensions` is a two-line script (the real code-server image takes minutes to build).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, dockerRemoteEnv, gossfileFor, runGoss } from '../src/index.js';
import { type FixtureWorkspace, runTestbed, startFixtureWorkspace } from './support/testbed.js';

const config = {
  remoteUser: 'dev',
  workspaceFolder: '/workspaces/app',
  containerEnv: { MOON_TELEMETRY: 'false' },
  remoteEnv: { EDITOR: 'vim' },
  mounts: ['type=tmpfs,target=/home/dev/.cache'],
  postCreateCommand: 'npm ci',
  customizations: { vscode: { extensions: ['biomejs.biome', 'vitest.explorer'] } },
};
const statusFile = '/workspaces/app/.devcontainer-builder/status.json';
const goodStatus = {
  phase: 'supervise',
  phases: { up: { startedAt: '2026-11-23T16:00:00Z', durationMs: 900, outcome: 'success' } },
  lastError: null,
};

let goss: string;
let ws: FixtureWorkspace;

beforeAll(() => {
  runTestbed('docker');
  goss = runTestbed('goss');
  ws = startFixtureWorkspace({
    env: { MOON_TELEMETRY: 'false' },
    status: goodStatus,
    extensions: ['BiomeJS.biome', 'vitest.explorer'],
    labels: { 'devcontainer.metadata': JSON.stringify([{ remoteEnv: { EDITOR: 'vim' } }]) },
  });
});
afterAll(() => ws?.remove());

describe('docker transport', () => {
  it('runs a script as the given user and streams input', async () => {
    const t = createTransport(`docker:${ws.container}`, { user: 'dev' });
    const r = await t.exec('id -un; cat', { input: 'hello' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'dev\nhello' });
  });

  it('passes env by name only: the value is not in the docker argv', async () => {
    const t = createTransport(`docker:${ws.container}`);
    expect(t.argv('true', { env: { SECRET_X: 's3cr3t' } }).join(' ')).not.toContain('s3cr3t');
    const r = await t.exec('printenv SECRET_X', { env: { SECRET_X: 's3cr3t' } });
    expect(r.stdout).toBe('s3cr3t\n');
  });

  it('reads remoteEnv from the devcontainer.metadata label', async () => {
    expect(await dockerRemoteEnv(ws.container)).toEqual({ EDITOR: 'vim' });
  });

  it('passes every derived check in a workspace that honours its configuration', async () => {
    const result = await runGoss({
      target: `docker:${ws.container}`,
      user: 'dev',
      goss,
      gossfile: gossfileFor(config, { statusFile }),
      env: await dockerRemoteEnv(ws.container),
    });
    expect(result.checks.filter((c) => !c.successful).map((c) => c.message)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(new Set(result.checks.map((c) => c.kind))).toEqual(
      new Set(['user', 'workspace', 'env', 'mount', 'lifecycle', 'extensions', 'agent']),
    );
    expect(result.target).toBe(`docker:${ws.container}`);
  });

  it('cleans up its temporary directory in the target', async () => {
    const t = createTransport(`docker:${ws.container}`);
    const r = await t.exec('ls -d /tmp/workspace-test.* 2>/dev/null | wc -l');
    expect(r.stdout.trim()).toBe('0');
  });

  it('uses goss retries: a check that becomes true within the retry timeout passes', async () => {
    const t = createTransport(`docker:${ws.container}`);
    await t.exec('(sleep 2; touch /tmp/late-marker) >/dev/null 2>&1 &');
    const result = await runGoss({
      target: t,
      goss,
      gossfile: { file: { '/tmp/late-marker': { exists: true } } },
      retryTimeout: '20s',
      sleep: '500ms',
    });
    expect(result.ok).toBe(true);
  });

  it('fails with a clear error for a container that does not exist', async () => {
    await expect(runGoss({ target: 'docker:dck-workspace-test-missing-0', goss, gossfile: {} })).rejects.toMatchObject({
      code: 'COMMAND_FAILED',
      target: 'docker:dck-workspace-test-missing-0',
      message: expect.stringMatching(/creating a temporary directory failed .*No such container/),
    });
  });
});
