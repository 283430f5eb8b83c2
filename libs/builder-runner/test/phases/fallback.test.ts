// The fallback phase over a fake docker; end to end (real Docker, real devcontainer CLI) in
// tests/e2e/builder/extensions-cache-fallback.test.ts.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BuilderError } from '../../src/errors.js';
import { failureDetails, runFallbackPhase } from '../../src/phases/fallback.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

describe('failureDetails', () => {
  it('prefers the problems (file:line:col), else the output tail, else nothing', () => {
    expect(
      failureDetails(
        new BuilderError('invalid', { code: 'config-invalid', details: ['a.json:5:3: error x', 'a.json:6:1: error y'], outputTail: 't' }),
      ),
    ).toBe('a.json:5:3: error x\na.json:6:1: error y');
    expect(failureDetails(new BuilderError('up failed', { code: 'devcontainer-up-failed', outputTail: 'step 2/2\nexit 3' }))).toBe(
      'step 2/2\nexit 3',
    );
    expect(failureDetails(new BuilderError('clone failed', { code: 'git-failed' }))).toBeUndefined();
  });
});

describe('runFallbackPhase', () => {
  const failure = {
    phase: 'config' as const,
    error: new BuilderError('devcontainer.json is invalid (1 error)', { code: 'config-invalid', details: ['a.json:1:1: x'] }),
  };

  it('starts the image as the devcontainer, explains the failure and hands the container on', async () => {
    const docker = fakeDocker([
      { match: 'image inspect *', stdout: 'dev\n' },
      { match: 'ps -a *', stdout: '' },
      { match: 'run -d *', stdout: 'f00dfeed1234567890\n' },
      { match: 'inspect --format {{.State.Running}} *', stdout: 'true\n' },
    ]);
    const ctx = phaseContext(docker.ctx, { DEVCONTAINER_FALLBACK_IMAGE: 'local/debian:bookworm' });
    ctx.state.failure = failure;
    await runFallbackPhase(ctx);
    expect(ctx.state.container).toEqual({
      containerId: 'f00dfeed1234567890',
      remoteUser: 'dev',
      remoteWorkspaceFolder: ctx.settings.workspaceFolder,
    });
    expect(ctx.status.fallback).toMatchObject({ phase: 'config', image: 'local/debian:bookworm' });
    expect(existsSync(join(ctx.settings.workspaceFolder, '.devcontainer-builder/FAILED.md'))).toBe(true);
  });

  it('an image that cannot be pulled is fallback-image-unavailable, naming both failures', async () => {
    const docker = fakeDocker([
      { match: 'image inspect *', exit: 1 },
      { match: 'pull *', stdout: 'manifest unknown', exit: 1 },
    ]);
    const ctx = phaseContext(docker.ctx, { DEVCONTAINER_FALLBACK_IMAGE: 'nope:1' });
    ctx.state.failure = failure;
    await expect(runFallbackPhase(ctx)).rejects.toMatchObject({
      code: 'fallback-image-unavailable',
      phase: 'fallback',
      command: 'docker pull nope:1',
      outputTail: 'manifest unknown',
      message: expect.stringMatching(/could not be started either .* the config phase had failed/),
    });
  });
});
