// The checkout phase with real git: a repository served from a local folder (file://).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishDeferredCheckout, runCheckoutPhase } from '../../src/phases/checkout.js';
import { runConfigPhase } from '../../src/phases/config.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

const gitIn = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: dir, encoding: 'utf8' }).trim();

function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), 'checkout-phase-'));
  const git = (...args: string[]) => gitIn(dir, ...args);
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

describe('checkout on a restart whose last up succeeded (deferred update)', () => {
  /** A repository with a devcontainer.json, cloned by a first run whose up then succeeded; `again()` is the restart. */
  async function clonedAndUp() {
    const repo = repository();
    mkdirSync(join(repo, '.devcontainer'));
    writeFileSync(join(repo, '.devcontainer/devcontainer.json'), '{ "image": "local/debian:bookworm" }\n');
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-q', '-m', 'config');
    const env = { DEVCONTAINER_REPOSITORY: `file://${repo}`, DEVCONTAINER_BRANCH: 'main' };
    const first = phaseContext(fakeDocker([]).ctx, env);
    const again = () => ({ ...phaseContext(fakeDocker([]).ctx, env), settings: first.settings });
    await runCheckoutPhase(first);
    // What a successful up leaves in the state directory.
    mkdirSync(first.settings.stateDir, { recursive: true });
    writeFileSync(join(first.settings.stateDir, 'up-result.json'), JSON.stringify({ outcome: 'success', containerId: 'c1' }));
    writeFileSync(join(first.settings.stateDir, 'state.json'), JSON.stringify({ containerId: 'c1', configHash: 'h' }));
    return { repo, first, again };
  }

  it('leaves the clean checkout as it is (no fetch), then fast-forwards it after the start, saying when the configuration changed', async () => {
    const { repo, first, again } = await clonedAndUp();
    expect(first.state.checkoutAction).toBe('cloned');

    // Upstream moves on, the config with it.
    writeFileSync(join(repo, '.devcontainer/devcontainer.json'), '{ "image": "local/debian:bookworm", "remoteUser": "root" }\n');
    gitIn(repo, 'commit', '-q', '-am', 'change the config');
    const upstream = gitIn(repo, 'rev-parse', 'HEAD');

    const ctx = again();
    expect(await runCheckoutPhase(ctx)).toBeUndefined();
    expect(ctx.state.checkoutAction).toBe('deferred');
    expect(ctx.log.text()).toMatch(/using the existing checkout at \w+; fetching .* after the workspace starts/);
    expect(ctx.log.text()).not.toMatch(/fetching .* into the existing checkout/);
    expect(gitIn(ctx.settings.workspaceFolder, 'rev-parse', 'HEAD')).not.toBe(upstream);

    await runConfigPhase(ctx);
    await finishDeferredCheckout(ctx);
    expect(gitIn(ctx.settings.workspaceFolder, 'rev-parse', 'HEAD')).toBe(upstream);
    expect(ctx.status.commit).toBe(upstream);
    expect(ctx.state.checkoutAction).toBe('fast-forwarded');
    expect(ctx.log.text()).toMatch(/the devcontainer configuration changed in the update .*restart the workspace to rebuild/);

    // Nothing new upstream: up to date, no warning.
    const quiet = again();
    await runCheckoutPhase(quiet);
    await runConfigPhase(quiet);
    await finishDeferredCheckout(quiet);
    expect(quiet.state.checkoutAction).toBe('up-to-date');
    expect(quiet.log.text()).not.toMatch(/configuration changed/);
  });

  it('an unreachable remote after the start is a warning, the checkout stays', async () => {
    const { first, again } = await clonedAndUp();
    const head = gitIn(first.settings.workspaceFolder, 'rev-parse', 'HEAD');
    gitIn(first.settings.workspaceFolder, 'remote', 'set-url', 'origin', 'file:///nonexistent/repo.git');
    const ctx = again();
    await runCheckoutPhase(ctx);
    await runConfigPhase(ctx);
    await finishDeferredCheckout(ctx);
    expect(ctx.log.text()).toMatch(new RegExp(`the checkout was not updated \\(.*\\): the workspace runs on ${head.slice(0, 12)}`));
    expect(gitIn(ctx.settings.workspaceFolder, 'rev-parse', 'HEAD')).toBe(head);
  });
});
