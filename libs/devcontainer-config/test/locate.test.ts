// Real files: fixture folders and temporary folders (node:fs); no mocks.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DevcontainerConfigError, findDevcontainerConfigs, readDevcontainer } from '../src/index.js';
import { fixturesDir } from './support/helpers.js';

const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

describe('findDevcontainerConfigs', () => {
  it('lists every spec location in precedence order', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'dck-devcontainer-config-'));
    temps.push(ws);
    await mkdir(join(ws, '.devcontainer/b'), { recursive: true });
    await mkdir(join(ws, '.devcontainer/a'), { recursive: true });
    await mkdir(join(ws, '.devcontainer/empty'), { recursive: true });
    for (const f of [
      '.devcontainer/devcontainer.json',
      '.devcontainer.json',
      '.devcontainer/b/devcontainer.json',
      '.devcontainer/a/devcontainer.json',
    ]) {
      await writeFile(join(ws, f), '{"image": "x"}');
    }
    expect(await findDevcontainerConfigs(ws)).toEqual([
      join(ws, '.devcontainer/devcontainer.json'),
      join(ws, '.devcontainer.json'),
      join(ws, '.devcontainer/a/devcontainer.json'),
      join(ws, '.devcontainer/b/devcontainer.json'),
    ]);
  });

  it('finds the fixtures’ configs', async () => {
    expect(await findDevcontainerConfigs(join(fixturesDir, 'root-file'))).toEqual([join(fixturesDir, 'root-file/.devcontainer.json')]);
    expect((await findDevcontainerConfigs(join(fixturesDir, 'multi'))).map((f) => f.slice(fixturesDir.length))).toEqual([
      'multi/.devcontainer/node/devcontainer.json',
      'multi/.devcontainer/python/devcontainer.json',
    ]);
    expect(await findDevcontainerConfigs(join(fixturesDir, 'does-not-exist'))).toEqual([]);
  });
});

describe('readDevcontainer', () => {
  it('reads, parses and validates the first config, or the one asked for', async () => {
    const r = await readDevcontainer({ workspaceFolder: join(fixturesDir, 'multi') });
    expect(r.file.endsWith('multi/.devcontainer/node/devcontainer.json')).toBe(true);
    expect(r.config?.name).toBe('node');
    expect(r.problems).toEqual([]);
    const p = await readDevcontainer({ workspaceFolder: join(fixturesDir, 'multi'), configPath: '.devcontainer/python/devcontainer.json' });
    expect(p.config?.name).toBe('python');
  });

  it('returns every problem of an invalid config with file:line:col', async () => {
    const r = await readDevcontainer({ workspaceFolder: join(fixturesDir, 'invalid') });
    expect(r.problems.map((p) => `${p.severity} ${p.code}@${p.line}:${p.column}`)).toEqual([
      'error type-mismatch@2:11',
      'error conflicting-container-source@4:14',
      'error file-not-found@4:28',
      'warning unknown-property@5:3',
      'error out-of-range@6:20',
      'error invalid-format@6:27',
      'error invalid-enum@7:19',
      'error type-mismatch@8:17',
      'error invalid-mount@9:14',
      'error invalid-feature-reference@10:17',
      'warning container-env-outside-remote-env@12:27',
      'warning unknown-variable@12:56',
      'warning compose-only-property@13:3',
      'error type-mismatch@14:24',
    ]);
    expect(r.problems.every((p) => p.file === r.file)).toBe(true);
  });

  it('reports a missing Dockerfile, a context that is not a folder and missing compose files at their values', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'dck-devcontainer-config-'));
    temps.push(ws);
    await mkdir(join(ws, '.devcontainer'));
    await writeFile(join(ws, '.devcontainer/not-a-dir'), '');
    await writeFile(join(ws, '.devcontainer/a.yml'), 'services: {}');
    await writeFile(
      join(ws, '.devcontainer/devcontainer.json'),
      '{\n "build": {"dockerfile": "Dockerfile", "context": "not-a-dir"},\n "dockerComposeFile": ["a.yml", "b.yml", "${localEnv:X}.yml"], "service": "s", "workspaceFolder": "/w"\n}',
    );
    const r = await readDevcontainer({ workspaceFolder: ws });
    expect(r.problems.filter((p) => p.code === 'file-not-found').map((p) => `${p.line}:${p.column} ${p.message.split(' (')[0]}`)).toEqual([
      '2:26 Dockerfile "Dockerfile" does not exist',
      '2:51 build context "not-a-dir" is a file',
      '3:33 compose file "b.yml" does not exist',
    ]);
  });

  it('includes local feature problems and dependency cycles', async () => {
    const r = await readDevcontainer({ workspaceFolder: join(fixturesDir, 'features-cycle') });
    expect(r.problems.map((p) => `${p.code}@${p.line}:${p.column}`)).toEqual(['feature-dependency-cycle@3:17']);
  });

  it('throws CONFIG_NOT_FOUND with the folder when there is no config', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'dck-devcontainer-config-'));
    temps.push(ws);
    await expect(readDevcontainer({ workspaceFolder: ws })).rejects.toMatchObject({
      name: 'DevcontainerConfigError',
      code: 'CONFIG_NOT_FOUND',
      path: ws,
    });
    await expect(readDevcontainer({ workspaceFolder: ws, configPath: 'nope.json' })).rejects.toBeInstanceOf(DevcontainerConfigError);
  });
});
