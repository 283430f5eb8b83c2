import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';
import { startFakeCoderd, workspaceDoc } from './support/fake-coderd.js';
import { type FixtureWorkspace, runTestbed, startFixtureWorkspace } from './support/testbed.js';

const pkg = join(import.meta.dirname, '..');
const cli = join(pkg, 'dist/cli.js');
const fixture = join(import.meta.dirname, 'fixtures/workspace-app');
const status = { phase: 'supervise', phases: { up: { outcome: 'success', durationMs: 5 } }, lastError: null };
const statusFile = '/workspaces/app/.devcontainer-builder/status.json';

let goss: string;
const workspaces: FixtureWorkspace[] = [];
let good: FixtureWorkspace;
let bad: FixtureWorkspace;

const run = (args: string[], env: Record<string, string> = {}) =>
  execa('node', [cli, ...args], { reject: false, env: { GOSS_BINARY: goss, ...env } });

beforeAll(() => {
  ensurePackageBuilt(pkg, { entry: 'dist/cli.js' });
  runTestbed('docker');
  goss = runTestbed('goss');
  const labels = { 'devcontainer.metadata': JSON.stringify([{ remoteEnv: { EDITOR: 'vim' } }]) };
  good = startFixtureWorkspace({ env: { MOON_TELEMETRY: 'false' }, status, extensions: ['biomejs.biome', 'vitest.explorer'], labels });
  bad = startFixtureWorkspace({ env: { MOON_TELEMETRY: 'true' }, status, extensions: ['biomejs.biome'], labels });
  workspaces.push(good, bad);
});
afterAll(() => {
  for (const ws of workspaces) ws.remove();
});

describe('workspace-test gossfile', () => {
  it('prints the derived goss YAML for a repository', async () => {
    const r = await run(['gossfile', fixture]);
    expect(r.exitCode).toBe(0);
    const g = parse(r.stdout);
    expect(Object.keys(g.command)).toEqual([
      'env MOON_TELEMETRY',
      'env EDITOR',
      'lifecycle phase up',
      'lifecycle background hooks',
      'lifecycle no error',
      'extensions code-server',
      'coder agent running',
    ]);
    expect(Object.keys(g.mount)).toEqual(['/home/dev/.cache']);
    expect(r.stderr).toBe('');
  });

  it('merges a user goss file and honours the options', async () => {
    const r = await run([
      'gossfile',
      fixture,
      '--user-gossfile',
      join(import.meta.dirname, 'fixtures/extra.goss.yaml'),
      '--no-coder-agent',
      '--ide-server',
      'none',
      '--status-file',
      'none',
    ]);
    const g = parse(r.stdout);
    expect(g.file['/etc/debian_version']).toBeDefined();
    expect(Object.keys(g.command)).toEqual(['env MOON_TELEMETRY', 'env EDITOR']);
  });

  it('exits 2 with a clear message for a folder without a devcontainer.json', async () => {
    const r = await run(['gossfile', import.meta.dirname]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/workspace-test gossfile: error: INVALID_OPTIONS: no devcontainer\.json in/);
    expect(r.stdout).toBe('');
  });
});

describe('workspace-test run', () => {
  it('passes a good workspace: TAP on stdout, exit 0', async () => {
    const r = await run(['run', '--target', `docker:${good.container}`, '--workspace', fixture, '--status-file', statusFile]);
    expect(r.stderr).not.toContain('FAIL');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^TAP version 13\n1\.\.(\d+)\n/);
    expect(r.stdout).not.toContain('not ok');
    expect(r.stdout).toMatch(/\nok \d+ - remote user dev exists: exists: ok\n/);
  });

  it('fails a bad workspace: JSON on stdout with each failing check, exit 1', async () => {
    const r = await run([
      'run',
      '--target',
      `docker:${bad.container}`,
      '--workspace',
      fixture,
      '--status-file',
      statusFile,
      '--format',
      'json',
    ]);
    expect(r.exitCode).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c: { successful: boolean }) => !c.successful).map((c: { message: string }) => c.message)).toEqual([
      'containerEnv MOON_TELEMETRY=false: stdout: expected "false\\n", actual "true\\n"',
      'code-server lists extensions biomejs.biome, vitest.explorer: stdout: expected vitest.explorer, actual: missing (found biomejs.biome)',
    ]);
    expect(r.stderr).toContain('FAIL containerEnv MOON_TELEMETRY=false');
  });

  it('runs a given goss file and writes JUnit', async () => {
    const r = await run([
      'run',
      '--target',
      `docker:${good.container}`,
      '--gossfile',
      join(import.meta.dirname, 'fixtures/extra.goss.yaml'),
      '--format',
      'junit',
    ]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('<testsuites tests="1" failures="0"');
  });

  it('exits 2 on a bad target or format', async () => {
    const t = await run(['run', '--target', 'ssh:host']);
    expect(t.exitCode).toBe(2);
    expect(t.stderr).toContain('INVALID_TARGET');
    const f = await run(['run', '--target', `docker:${good.container}`, '--format', 'xml']);
    expect(f.exitCode).toBe(2);
    expect(f.stderr).toContain('--format must be one of tap, junit, json');
  });
});

describe('workspace-test outside', () => {
  it('checks a workspace through coderd with the token from the environment only', async () => {
    const token = 'cli-session-token-9a8b';
    const fake = await startFakeCoderd(token, [workspaceDoc({ status: 'starting' }), workspaceDoc({})]);
    try {
      const r = await run(
        ['outside', '--workspace', 'ws', '--app', 'code-server', '--interval', '50ms', '--deadline', '30s', '--format', 'json'],
        {
          CODER_URL: fake.url,
          CODER_SESSION_TOKEN: token,
        },
      );
      expect(r.exitCode).toBe(0);
      expect(JSON.parse(r.stdout).ok).toBe(true);
      expect(r.stderr).toContain('poll 1: workspace ws running: latest_build.status: expected "running", actual "starting"');
      expect(`${r.stdout}${r.stderr}`).not.toContain(token);
    } finally {
      await fake.close();
    }
  });

  it('exits 2 without CODER_URL/CODER_SESSION_TOKEN', async () => {
    const r = await run(['outside', '--workspace', 'ws'], { CODER_URL: '', CODER_SESSION_TOKEN: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('CODER_URL and CODER_SESSION_TOKEN must be set');
  });
});
