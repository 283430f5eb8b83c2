// Real: Docker engine, the real devcontainer CLI failing on a broken Dockerfile, and the fallback
// image (local/debian:bookworm from the test bed) started as the workspace. Nothing is mocked.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext, resolveDevcontainerCli } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearFallbackExplanation, FALLBACK_EXPLANATION_FILE, startFallbackWorkspace } from '../../src/fallback/start.js';
import { docker, runTestbed, uniqueName } from '../extensions/testbed.js';

const workspaceName = uniqueName('fallback');
const ctx = createDockerContext({ env: process.env });
let scratch: string;

beforeAll(() => {
  runTestbed('docker');
  scratch = mkdtempSync(join(tmpdir(), 'dck-builder-ext-fallback-'));
}, 300_000);

afterAll(() => {
  const ids = docker(['ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${workspaceName}`])
    .split('\n')
    .filter(Boolean);
  // The legacy builder leaves the failed RUN step's container behind: ours runs a unique command.
  for (const line of docker(['ps', '-a', '--no-trunc', '--filter', 'status=exited', '--format', '{{.ID}} {{.Command}}']).split('\n')) {
    if (line.includes('dck-builder-ext-no-such-command')) ids.push(line.split(' ')[0]!);
  }
  if (ids.length) docker(['rm', '-f', ...ids]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('startFallbackWorkspace', () => {
  it('a broken Dockerfile gives a running fallback workspace with the repository mounted and the failure explained', async () => {
    const ws = join(scratch, 'repo');
    cpSync(join(import.meta.dirname, 'fixtures/broken'), ws, { recursive: true });
    const secret = 'dck-test-token-4f1c9a';
    // The real CLI fails on the Dockerfile.
    const up = spawnSync(
      process.execPath,
      [...resolveDevcontainerCli().args, 'up', '--workspace-folder', ws, '--id-label', `devcontainer-kit.workspace=${workspaceName}`],
      {
        encoding: 'utf8',
      },
    );
    expect(up.status).not.toBe(0);
    const tail = `${up.stdout}\n${up.stderr}`.trim().split('\n').slice(-15).join('\n');
    expect(tail).toMatch(/dck-builder-ext-no-such-command/);

    const logs: string[] = [];
    const fallback = await startFallbackWorkspace(ctx, {
      image: 'local/debian:bookworm',
      workspaceFolder: ws,
      reason: {
        phase: 'up',
        message: `devcontainer up failed (exit ${up.status}) for https://x:${secret}@git.example/repo.git`,
        details: tail,
      },
      labels: { 'devcontainer-kit.workspace': workspaceName },
      secrets: [secret],
      onLog: (l: string) => logs.push(l),
    });
    expect(fallback).toMatchObject({ remoteUser: 'root', remoteWorkspaceFolder: ws, image: 'local/debian:bookworm', reused: false });
    expect(
      docker([
        'inspect',
        '--format',
        '{{.State.Running}} {{index .Config.Labels "devcontainer-kit.workspace"}} {{index .Config.Labels "devcontainer.local_folder"}}',
        fallback.containerId,
      ]),
    ).toBe(`true ${workspaceName} ${ws}`);

    // The repository is mounted at the same path and the explanation is readable from inside.
    const inside = docker(['exec', '-w', ws, fallback.containerId, 'sh', '-c', `cat README.md ${FALLBACK_EXPLANATION_FILE}`]);
    expect(inside).toContain('# a repository whose devcontainer is broken');
    expect(inside).toContain('the **up** phase failed');
    expect(inside).toContain('dck-builder-ext-no-such-command');
    expect(inside).not.toContain(secret);
    expect(logs.join('\n')).toMatch(/started the fallback workspace local\/debian:bookworm/);
    // The user can fix the repository from inside: the change is on the host.
    docker(['exec', fallback.containerId, 'sh', '-c', `echo 'FROM local/debian:bookworm' > ${ws}/.devcontainer/Dockerfile`]);
    expect(readFileSync(join(ws, '.devcontainer/Dockerfile'), 'utf8')).toBe('FROM local/debian:bookworm\n');

    // Again (a restart): the stopped fallback container is reused, not duplicated.
    docker(['stop', '-t', '5', fallback.containerId]);
    const again = await startFallbackWorkspace(ctx, {
      image: 'local/debian:bookworm',
      workspaceFolder: ws,
      reason: { phase: 'up', message: 'still broken' },
      labels: { 'devcontainer-kit.workspace': workspaceName },
    });
    expect(again).toMatchObject({ containerId: fallback.containerId, reused: true });
    expect(docker(['ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${workspaceName}`]).split('\n')).toHaveLength(1);

    await clearFallbackExplanation(ws);
    expect(existsSync(join(ws, FALLBACK_EXPLANATION_FILE))).toBe(false);
  }, 180_000);

  it('says plainly when the fallback image is not available', async () => {
    const ws = join(scratch, 'empty');
    await expect(
      startFallbackWorkspace(ctx, {
        image: 'dck-builder-ext-no-such-image:1',
        workspaceFolder: ws,
        reason: { phase: 'checkout', message: 'clone failed' },
      }),
    ).rejects.toMatchObject({
      name: 'BuilderError',
      code: 'fallback-image-unavailable',
      phase: 'fallback',
      command: 'docker pull dck-builder-ext-no-such-image:1',
    });
    // The explanation was written first (a clone that failed before creating the folder is fine).
    expect(readFileSync(join(ws, FALLBACK_EXPLANATION_FILE), 'utf8')).toContain('the **checkout** phase failed');
  }, 60_000);
});
