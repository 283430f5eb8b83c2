// The built CLI as a process (dist/cli.js, real node): settings errors exit 2 before any work;
// `status` reads the status file. No Docker needed here (the e2e tests in tests/e2e/builder run it for real).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';

const app = join(import.meta.dirname, '..');
const cli = join(app, 'dist/cli.js');
let dir: string;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, encoding: 'utf8' });
}

beforeAll(() => {
  ensurePackageBuilt(app, { entry: 'dist/cli.js', whenStale: false });
  dir = mkdtempSync(join(tmpdir(), 'dck-devcontainer-builder-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('devcontainer-builder up', () => {
  it('prints one line per bad setting and exits 2 before any work', () => {
    const ws = join(dir, 'ws');
    const r = run(['up', '--hook-failure', 'maybe'], {
      DEVCONTAINER_WORKSPACE_FOLDER: ws,
      CODER_AGENT_URL: 'not a url',
      DEVCONTAINER_GIT_TOKEN: 'secret-token-1234',
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'devcontainer-builder: DEVCONTAINER_REPOSITORY (--repository): required (a git URL or a local directory)',
      "devcontainer-builder: CODER_AGENT_URL (--agent-url): must be an http(s) URL, got 'not a url'",
      "devcontainer-builder: DEVCONTAINER_HOOK_FAILURE (--hook-failure): must be fail or continue, got 'maybe'",
    ]);
    expect(existsSync(ws)).toBe(false);
    expect(r.stderr + r.stdout).not.toContain('secret-token-1234');
  });

  it('fails the preflight phase when the Docker daemon does not answer in time, saying which one (the clone went on meanwhile)', () => {
    // A local repository: checkout and config need neither Docker nor Coder, so they run while preflight waits.
    const repo = join(dir, 'repo');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'init.defaultBranch=main', ...args], {
        cwd: repo,
      });
    mkdirSync(join(repo, '.devcontainer'), { recursive: true });
    writeFileSync(join(repo, '.devcontainer/devcontainer.json'), '{ "image": "local/debian:bookworm" }\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'config');
    const r = run(['up'], {
      DEVCONTAINER_REPOSITORY: repo,
      DEVCONTAINER_WORKSPACE_FOLDER: join(dir, 'pf/app'),
      DOCKER_HOST: `unix://${join(dir, 'no-such.sock')}`,
      DEVCONTAINER_DOCKER_WAIT: '1',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      `devcontainer-builder: preflight: the Docker daemon at unix://${join(dir, 'no-such.sock')} did not answer within 1 s`,
    );
    expect(JSON.parse(readFileSync(join(dir, 'pf/.devcontainer-builder/status.json'), 'utf8')).lastError).toMatchObject({
      code: 'docker-unavailable',
      phase: 'preflight',
    });
    expect(existsSync(join(dir, 'pf/app/.devcontainer/devcontainer.json'))).toBe(true);
  });

  it('has no flag that takes a token value', () => {
    const help = run(['up', '--help']).stdout;
    expect(help).toContain('--git-token-file');
    expect(help).toContain('--agent-token-file');
    expect(help).not.toMatch(/--git-token[ =]/);
    expect(help).not.toMatch(/--agent-token[ =]/);
  });
});

describe('devcontainer-builder status', () => {
  it('prints the status for humans and as JSON', () => {
    const file = join(dir, 'status.json');
    const status = {
      phase: 'supervise',
      phases: { up: { startedAt: '2026-11-23T16:00:00.000Z', durationMs: 2500, outcome: 'success' } },
      workspace: 'app',
      workspaceFolder: '/workspaces/app',
      containerId: 'abcdef0123456789',
      image: 'vsc-app-1-uid',
      cache: 'hit',
      reused: true,
      pid: 1,
      updatedAt: '2026-11-23T16:00:03.000Z',
    };
    writeFileSync(file, JSON.stringify(status));
    const human = run(['status', '--status-file', file]);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('phase     supervise');
    expect(human.stdout).toContain('  up         success 2.5 s');
    expect(human.stdout).toContain('container abcdef012345 (reused)');
    const json = run(['status', '--json'], { DEVCONTAINER_STATUS_FILE: file });
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('says which file it could not read and exits 1', () => {
    const r = run(['status'], { DEVCONTAINER_WORKSPACE_FOLDER: join(dir, 'none/app') });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot read ${join(dir, 'none/.devcontainer-builder/status.json')}: ENOENT`);
  });
});

describe('devcontainer-builder prebuild', () => {
  it("lists only the flags it reads: checkout, config, cache and registry, not the agent's or supervision's", () => {
    const r = run(['prebuild', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--repository', '--branch', '--config', '--cache-repo', '--cache-from', '--docker-config', '--force', '--json'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${flag}\\b`, 'm'));
    for (const flag of ['--agent-url', '--supervise', '--extensions', '--fallback-image', '--status-file', '--cache-to'])
      expect(r.stdout).not.toMatch(new RegExp(`^\\s+${flag}\\b`, 'm'));
    const upOnly = run(['prebuild', '--supervise']);
    expect(upOnly.status).toBe(2);
    expect(upOnly.stderr).toContain('unknown option --supervise');
  });
});
