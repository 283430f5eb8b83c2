// The up phase with the real pinned devcontainer CLI over a fake docker (no Docker): what it asks
// docker for, and how a failing `devcontainer up` is reported.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
