// Proves the harness can fail, precisely. Real parts: Docker engine, goss v0.4.9 from the test bed.
// Stand-ins as in docker-transport.test.ts (a renamed `sleep` as the agent, a script as code-server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJunit, formatTap, gossfileFor, runGoss, type ValidateResult } from '../src/index.js';
import { type FixtureWorkspace, runTestbed, startFixtureWorkspace } from './support/testbed.js';

const config = {
  remoteUser: 'dev',
  workspaceFolder: '/workspaces/app',
  containerEnv: { MOON_TELEMETRY: 'false' },
  postCreateCommand: 'npm ci',
  customizations: { vscode: { extensions: ['biomejs.biome', 'vitest.explorer'] } },
};
const statusFile = '/workspaces/app/.devcontainer-builder/status.json';

let goss: string;
const workspaces: FixtureWorkspace[] = [];
let broken: ValidateResult;

beforeAll(async () => {
  runTestbed('docker');
  goss = runTestbed('goss');
  // One workspace with three faults: the postCreate hook did not complete, a wrong env value, a missing extension.
  const ws = startFixtureWorkspace({
    env: { MOON_TELEMETRY: 'true' },
    status: {
      phase: 'up',
      phases: { checkout: { outcome: 'success', durationMs: 10 }, up: { outcome: 'failed', durationMs: 800 } },
      lastError: 'postCreateCommand "npm ci" exited with code 1',
    },
    extensions: ['biomejs.biome'],
    agent: false,
  });
  workspaces.push(ws);
  broken = await runGoss({ target: `docker:${ws.container}`, user: 'dev', goss, gossfile: gossfileFor(config, { statusFile }) });
});
afterAll(() => {
  for (const ws of workspaces) ws.remove();
});

const failing = (r: ValidateResult) => r.checks.filter((c) => !c.successful).map((c) => c.message);

describe('a workspace that does not honour its configuration', () => {
  it('fails overall and counts the failures', () => {
    expect(broken.ok).toBe(false);
    expect(broken.summary.failed).toBe(failing(broken).length);
  });

  it('a hook that did not complete: names the phase, expected and actual outcome, and the last error', () => {
    expect(failing(broken)).toContain(
      'lifecycle hooks postCreateCommand completed: builder phase up is success in /workspaces/app/.devcontainer-builder/status.json: stdout (phases.up.outcome): expected "success", actual "failed"',
    );
    const noError = broken.checks.find((c) => c.resourceId === 'lifecycle no error' && !c.successful);
    expect(noError?.message).toBe(
      'no lastError in /workspaces/app/.devcontainer-builder/status.json: stdout (lastError|@tostr): expected to satisfy at least one of these matchers ["null",""], actual "\\"postCreateCommand \\\\\\"npm ci\\\\\\" exited with code 1\\""',
    );
  });

  it('a wrong env value: names the variable, expected and actual value', () => {
    expect(failing(broken)).toContain('containerEnv MOON_TELEMETRY=false: stdout: expected "false\\n", actual "true\\n"');
  });

  it('a missing extension: names the IDE server and the missing extension', () => {
    expect(failing(broken)).toContain(
      'code-server lists extensions biomejs.biome, vitest.explorer: stdout: expected vitest.explorer, actual: missing (found biomejs.biome)',
    );
    const check = broken.checks.find((c) => c.kind === 'extensions' && !c.successful);
    expect(check).toMatchObject({ expected: ['vitest.explorer'], actual: 'missing' });
  });

  it('no agent process: says what was looked for', () => {
    expect(failing(broken)).toContain(
      'Coder agent process running (command line matches (^|/)coder agent): exit-status: expected to be numerically eq 0, actual 1',
    );
  });

  it('a hook that never ran at all (no status file): the lifecycle check fails on reading the file', async () => {
    const ws = startFixtureWorkspace({ extensions: ['biomejs.biome', 'vitest.explorer'] });
    workspaces.push(ws);
    const r = await runGoss({
      target: `docker:${ws.container}`,
      user: 'dev',
      goss,
      gossfile: gossfileFor(config, { statusFile, coderAgent: false }),
    });
    expect(failing(r)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^lifecycle hooks postCreateCommand completed: builder phase up is success in .*: exit-status: expected to be numerically eq 0, actual 1$/,
        ),
      ]),
    );
  });

  it('renders the failures as TAP and JUnit with the same messages', () => {
    const tap = formatTap(broken);
    expect(tap).toMatch(/^TAP version 13\n1\.\.\d+\n/);
    expect(tap).toContain('not ok');
    expect(tap).toContain('actual "true\\n"');
    const junit = formatJunit(broken);
    expect(junit).toContain(`failures="${broken.summary.failed}"`);
    expect(junit).toContain(
      '<failure message="containerEnv MOON_TELEMETRY=false: stdout: expected &quot;false\\n&quot;, actual &quot;true\\n&quot;"',
    );
  });
});
