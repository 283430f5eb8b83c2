// The checkout phase with real git: a repository served from a local folder (file://).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheckoutPhase } from '../../src/phases/checkout.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-phase-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'README'), 'hello\n');
  git('add', '.');
  git('commit', '-q', '-m', 'first');
  return dir;
}

describe('checkout', () => {
  it('clones and records the commit; a dirty checkout is kept with a warning', async () => {
    const repo = repository();
    const docker = fakeDocker([]);
    const env = { DEVCONTAINER_REPOSITORY: `file://${repo}`, DEVCONTAINER_BRANCH: 'main' };
    const ctx = phaseContext(docker.ctx, env);
    expect(await runCheckoutPhase(ctx)).toBeUndefined();
    expect(ctx.status.commit).toMatch(/^[0-9a-f]{40}$/);
    writeFileSync(join(ctx.settings.workspaceFolder, 'README'), 'changed\n');
    const again = { ...phaseContext(docker.ctx, env), settings: ctx.settings };
    expect(await runCheckoutPhase(again)).toBe('warning');
  });

  it('a repository that does not exist is git-failed', async () => {
    const ctx = phaseContext(fakeDocker([]).ctx, { DEVCONTAINER_REPOSITORY: 'file:///nonexistent/repo.git', DEVCONTAINER_BRANCH: 'main' });
    await expect(runCheckoutPhase(ctx)).rejects.toMatchObject({ name: 'BuilderError', code: 'git-failed' });
  });
});
