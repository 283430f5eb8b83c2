// The up phase with the real pinned devcontainer CLI over a fake docker (no Docker): what it asks
// docker for, and how a failing `devcontainer up` is reported.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeImageCacheKey } from '@devcontainer-kit/prebuild-cache';
import { describe, expect, it } from 'vitest';
import { runUpPhase } from '../../src/phases/up.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

describe('up', () => {
  it('a daemon that refuses everything is devcontainer-up-failed, with the command, exit code and output tail', async () => {
    const docker = fakeDocker([{ match: '*', stdout: 'Cannot connect to the Docker daemon at unix:///nowhere.sock', exit: 1 }]);
    const ctx = phaseContext(docker.ctx, { DEVCONTAINER_GIT_TOKEN: 'git-token-up-5678' });
    const file = join(ctx.settings.workspaceFolder, '.devcontainer/devcontainer.json');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '{ "image": "local/debian:bookworm" }');
    ctx.state.config = { file, config: { image: 'local/debian:bookworm' }, configHash: 'h', hashedFiles: [] };
    const error = await runUpPhase(ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'BuilderError',
      code: 'devcontainer-up-failed',
      phase: 'up',
      command: 'devcontainer up',
      exitCode: 1,
    });
    // The workspace's containers were looked up by its labels first.
    expect(docker.calls()[0]).toMatch(/^ps -a -q --no-trunc --filter label=devcontainer.local_folder=/);
    expect(docker.environments()).not.toContain('git-token-up-5678');
  }, 60_000);

  it('with DEVCONTAINER_CACHE_REPO, initializeCommand runs once, before the cache key, and devcontainer up gets the config without it', async () => {
    // Docker finds no container and refuses the rest: `devcontainer up` fails after reading its config
    // (the CLI would run an initializeCommand it finds there before building).
    const docker = fakeDocker([
      { match: 'ps *', stdout: '' },
      // The base image is "there" (the CLI would retry a pull for seconds); the build is refused.
      {
        match: 'inspect --type image *',
        stdout: JSON.stringify([{ Id: 'sha256:0', Os: 'linux', Architecture: 'amd64', Config: { Labels: {}, Env: [] } }]),
      },
      { match: '*', stdout: 'Cannot connect to the Docker daemon at unix:///nowhere.sock', exit: 1 },
    ]);
    // Port 9 refuses at once: the registry lookup is a miss.
    const ctx = phaseContext(docker.ctx, { DEVCONTAINER_CACHE_REPO: '127.0.0.1:9/team/app' });
    const ws = ctx.settings.workspaceFolder;
    const file = join(ws, '.devcontainer/devcontainer.json');
    mkdirSync(join(file, '..'), { recursive: true });
    // What initializeCommand writes is in the build context (the Dockerfile COPYs it): it is in the key.
    const config = {
      build: { dockerfile: 'Dockerfile' },
      initializeCommand: 'mkdir -p .devcontainer/gen && echo generated > .devcontainer/gen/value && echo run >> ../init-runs',
    };
    writeFileSync(file, JSON.stringify(config));
    writeFileSync(join(ws, '.devcontainer/Dockerfile'), 'FROM local/debian:bookworm\nCOPY gen/value /etc/value\n');
    ctx.state.config = { file, config, configHash: 'h', hashedFiles: [] };
    const error = await runUpPhase(ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'devcontainer-up-failed' });
    // Once: the builder's run; devcontainer up (which got the override) did not run it again.
    expect(readFileSync(join(ws, '../init-runs'), 'utf8')).toBe('run\n');
    expect(JSON.parse(readFileSync(join(ctx.settings.stateDir, 'up-override.json'), 'utf8'))).toEqual({
      build: { dockerfile: 'Dockerfile' },
    });
    // The key looked up is the one with the generated file (prebuild computes the same after running it).
    const withFile = (await computeImageCacheKey({ workspaceFolder: ws, configPath: file })).key;
    rmSync(join(ws, '.devcontainer/gen'), { recursive: true });
    const without = (await computeImageCacheKey({ workspaceFolder: ws, configPath: file })).key;
    expect(withFile).not.toBe(without);
    expect(ctx.status.prebuilt).toMatchObject({ status: 'miss', image: `127.0.0.1:9/team/app:${withFile}` });
    expect(ctx.log.text()).toMatch(/running initializeCommand/);
  }, 60_000);
});
