import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runConfigPhase } from '../../src/phases/config.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

function withConfig(text: string, files: Record<string, string> = {}) {
  const ctx = phaseContext(fakeDocker([]).ctx);
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
});
