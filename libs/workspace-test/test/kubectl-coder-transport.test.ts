// kubectl and coder transports. Real parts: Docker engine, goss v0.4.9, the transports' own command lines.
// Fake executables (there is no Kubernetes cluster and no Coder deployment on this machine): `kubectl` and
// `coder` in test/fixtures/fake-bin, first on PATH, forward `kubectl exec` / `coder ssh` to `docker exec`
// on a container named like the pod/workspace, and log their argv so the tests see what was called.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransport, gossfileFor, runGoss } from '../src/index.js';
import { type FixtureWorkspace, runTestbed, startFixtureWorkspace } from './support/testbed.js';

const fakeBin = join(import.meta.dirname, 'fixtures/fake-bin');
const config = { remoteUser: 'dev', workspaceFolder: '/workspaces/app', containerEnv: { MOON_TELEMETRY: 'false' } };

let goss: string;
let ws: FixtureWorkspace;
const savedPath = process.env.PATH;
const logDir = mkdtempSync(join(tmpdir(), 'dck-workspace-test-'));

beforeAll(() => {
  runTestbed('docker');
  goss = runTestbed('goss');
  ws = startFixtureWorkspace({ env: { MOON_TELEMETRY: 'false' } });
  process.env.PATH = `${fakeBin}${delimiter}${savedPath}`;
  process.env.FAKE_KUBECTL_LOG = join(logDir, 'kubectl.log');
  process.env.FAKE_CODER_LOG = join(logDir, 'coder.log');
  process.env.FAKE_CODER_USER = 'dev';
});
afterAll(() => {
  process.env.PATH = savedPath;
  ws?.remove();
});

describe('kubectl transport', () => {
  it('builds kubectl exec with namespace, pod, container and context', () => {
    const t = createTransport('kubectl:team-a/ws-pod-0/dev', { kubeContext: 'kind' });
    expect(t.argv('true')).toEqual([
      'kubectl',
      '--context',
      'kind',
      'exec',
      '-i',
      '-n',
      'team-a',
      'ws-pod-0',
      '-c',
      'dev',
      '--',
      'sh',
      '-c',
      'true',
    ]);
  });

  it('switches to the remote user inside the container with su when the session is root', async () => {
    const t = createTransport(`kubectl:default/${ws.container}`, { user: 'dev' });
    const r = await t.exec('id -un; cat', { input: 'through kubectl' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'dev\nthrough kubectl' });
  });

  it('runs goss and returns structured results', async () => {
    const result = await runGoss({
      target: `kubectl:default/${ws.container}`,
      user: 'dev',
      goss,
      gossfile: gossfileFor(config, { coderAgent: false }),
    });
    expect(result.checks.filter((c) => !c.successful)).toEqual([]);
    expect(result.checks.length).toBe(6); // user, folder (exists, type, owner), env (exit status, value)
    expect(readFileSync(process.env.FAKE_KUBECTL_LOG as string, 'utf8')).toContain(`exec -i -n default ${ws.container} -- sh -c`);
  });
});

describe('coder transport', () => {
  it('passes the remote command as one quoted argument, as ssh joins it', () => {
    expect(createTransport('coder:alice/ws.main').argv("echo 'hi'")).toEqual([
      'coder',
      'ssh',
      'alice/ws.main',
      '--',
      `sh -c 'echo '\\''hi'\\'''`,
    ]);
  });

  it('runs goss through `coder ssh` as the agent user and reports failures', async () => {
    const result = await runGoss({
      target: `coder:${ws.container}`,
      goss,
      gossfile: gossfileFor({ ...config, containerEnv: { MOON_TELEMETRY: 'yes' } }, { coderAgent: false }),
    });
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.successful).map((c) => c.message)).toEqual([
      'containerEnv MOON_TELEMETRY=yes: stdout: expected "yes\\n", actual "false\\n"',
    ]);
    expect(result.target).toBe(`coder:${ws.container}`);
    expect(readFileSync(process.env.FAKE_CODER_LOG as string, 'utf8')).toContain(`ssh ${ws.container} -- sh -c`);
  });
});
