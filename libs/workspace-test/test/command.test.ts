// runCommand's children (docker, kubectl, coder, goss) never get the builder's tokens. Real processes.
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../src/command.js';

const SET = {
  CODER_AGENT_TOKEN: 'agent-tok-1',
  DEVCONTAINER_GIT_TOKEN: 'git-tok-2',
  GH_TOKEN: 'gh-tok-3',
  GITHUB_TOKEN: 'gh-tok-4',
  WT_PLAIN: 'plain-5',
};

afterEach(() => {
  for (const name of Object.keys(SET)) delete process.env[name];
});

describe('runCommand', () => {
  it("passes this process's environment and the extra variables, never the builder's tokens", async () => {
    Object.assign(process.env, SET);
    const r = await runCommand('sh', ['-c', 'env'], { env: { WT_EXTRA: 'extra-6' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('WT_PLAIN=plain-5');
    expect(r.stdout).toContain('WT_EXTRA=extra-6');
    for (const value of ['agent-tok-1', 'git-tok-2', 'gh-tok-3', 'gh-tok-4']) expect(r.stdout).not.toContain(value);
  });
});
