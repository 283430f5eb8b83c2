// runBuilder end to end over a fake docker (no engine) and real git: how preflight runs alongside
// checkout and config, and what a failure on either side gives.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PhaseLogFactory } from '../src/phase-log.js';
import { runBuilder } from '../src/pipeline.js';
import { parseSettings } from '../src/settings.js';
import { fakeDocker } from './phases/fake-docker.js';

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-repo-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  mkdirSync(join(dir, '.devcontainer'));
  writeFileSync(join(dir, '.devcontainer/devcontainer.json'), '{ "image": "local/debian:bookworm" }\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return dir;
}

function recordingLogs(): PhaseLogFactory & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    async open(phase) {
      return { write: (line) => void lines.push(`${phase}: ${line}`), close: async () => {} };
    },
    async close() {},
  };
}

function settingsFor(env: Record<string, string>) {
  const ws = mkdtempSync(join(tmpdir(), 'pipeline-ws-'));
  const { settings, problems } = parseSettings({
    env: { DEVCONTAINER_WORKSPACE_FOLDER: join(ws, 'app'), DEVCONTAINER_SUPERVISE: 'false', ...env },
  });
  if (!settings) throw new Error(problems.join('\n'));
  return settings;
}

describe('runBuilder: preflight alongside checkout and config', () => {
  it('clones while Docker does not answer yet, then fails on Docker, not on anything after it', async () => {
    const docker = fakeDocker([{ match: 'version *', stdout: 'Cannot connect to the Docker daemon', exit: 1 }]);
    const logs = recordingLogs();
    // 3 s: the local clone must end before preflight gives up, also on a loaded machine.
    const settings = settingsFor({ DEVCONTAINER_REPOSITORY: `file://${repository()}`, DEVCONTAINER_DOCKER_WAIT: '3' });
    await expect(runBuilder({ settings, logs, docker: docker.ctx })).rejects.toMatchObject({
      code: 'docker-unavailable',
      phase: 'preflight',
    });
    const text = logs.lines.join('\n');
    // The clone happened while preflight was still waiting for Docker.
    expect(text).toMatch(/checkout: checked out branch main/);
    const cloned = logs.lines.findIndex((l) => l.startsWith('checkout: checked out'));
    const gaveUp = logs.lines.findIndex((l) => l.includes('did not answer within'));
    expect(cloned).toBeLessThan(gaveUp);
    expect(text).toMatch(/config: .*devcontainer\.json is valid/);
    expect(text).not.toMatch(/^up: /m);
  }, 30_000);

  it('a checkout failure ends the run at once, without waiting out the Docker wait', async () => {
    const docker = fakeDocker([{ match: 'version *', stdout: 'Cannot connect to the Docker daemon', exit: 1 }]);
    const logs = recordingLogs();
    const settings = settingsFor({ DEVCONTAINER_REPOSITORY: 'file:///nonexistent/repo.git', DEVCONTAINER_DOCKER_WAIT: '120' });
    const started = Date.now();
    await expect(runBuilder({ settings, logs, docker: docker.ctx })).rejects.toMatchObject({ code: 'git-failed', phase: 'checkout' });
    // Well under the 120 s Docker wait: preflight was cancelled.
    expect(Date.now() - started).toBeLessThan(60_000);
    // …and had ended when the run did: its outcome is in the status file, and nothing writes after.
    const atEnd = readFileSync(settings.statusFile, 'utf8');
    expect(JSON.parse(atEnd).phases.preflight.outcome).toBeDefined();
    expect(JSON.parse(atEnd).lastError).toMatchObject({ code: 'git-failed' });
    await new Promise((r) => setTimeout(r, 500));
    expect(readFileSync(settings.statusFile, 'utf8')).toBe(atEnd);
  }, 90_000);
});
