import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConfigPhase } from '../../src/phases/config.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

function withConfig(text: string, files: Record<string, string> = {}, env: Record<string, string> = {}) {
  const ctx = phaseContext(fakeDocker([]).ctx, env);
  const dir = join(ctx.settings.workspaceFolder, '.devcontainer');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'devcontainer.json'), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return ctx;
}

describe('config', () => {
  it('hands the parsed config and a hash over the config and its Dockerfile to up', async () => {
    const ctx = withConfig('{ // comment\n "build": { "dockerfile": "Dockerfile" } }', { Dockerfile: 'FROM x\n' });
    await runConfigPhase(ctx);
    expect(ctx.state.config).toMatchObject({
      config: { build: { dockerfile: 'Dockerfile' } },
      hashedFiles: ['.devcontainer/devcontainer.json', '.devcontainer/Dockerfile'],
      configHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('an invalid config is config-invalid with every problem as file:line:col', async () => {
    const ctx = withConfig('{ "image": 42,\n "forwardPorts": "x" }');
    const error = await runConfigPhase(ctx).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'config-invalid', phase: 'config' });
    expect((error as { details: string[] }).details.length).toBeGreaterThanOrEqual(2);
    expect((error as { details: string[] }).details[0]).toMatch(/^\.devcontainer\/devcontainer\.json:1:\d+/);
  });

  it('no config at all is config-invalid too', async () => {
    const ctx = phaseContext(fakeDocker([]).ctx);
    mkdirSync(ctx.settings.workspaceFolder, { recursive: true });
    await expect(runConfigPhase(ctx)).rejects.toMatchObject({
      code: 'config-invalid',
      message: expect.stringMatching(/^no devcontainer\.json/),
    });
  });

  it("passes exactly the names the config's ${localEnv:…} reads, never the builder's tokens", async () => {
    const env = { BASE_IMAGE: 'local/base', UNRELATED: 'x', GH_TOKEN: 'ghp-secret-1', DEVCONTAINER_GIT_TOKEN: 'git-secret-2' };
    const ctx = withConfig(
      '{ "image": "${localEnv:BASE_IMAGE}", "containerEnv": { "T": "${localEnv:GH_TOKEN}", "G": "${env:DEVCONTAINER_GIT_TOKEN}", "M": "${localEnv:MISSING}" } }',
      {},
      env,
    );
    await runConfigPhase(ctx);
    expect(ctx.state.localEnv).toEqual({ BASE_IMAGE: 'local/base' });
    expect(ctx.log.lines).toContainEqual({ line: expect.stringContaining('passing BASE_IMAGE'), level: 'info' });
    expect(ctx.log.lines.filter((l) => l.level === 'warn').map((l) => l.line)).toEqual([
      expect.stringContaining('${localEnv:GH_TOKEN} stays empty'),
      expect.stringContaining('${localEnv:DEVCONTAINER_GIT_TOKEN} stays empty'),
    ]);
    expect(ctx.log.text()).not.toMatch(/ghp-secret-1|git-secret-2/);
  });
});
