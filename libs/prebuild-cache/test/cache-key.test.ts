// Real files in temporary directories; the key is computed from them (no docker here).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, computeImageCacheKey } from '../src/cache-key.js';
import { PrebuildCacheError } from '../src/errors.js';

let root: string;
let n = 0;

function tree(files: Record<string, string>): string {
  const dir = join(root, `ws${n++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const base = {
  '.devcontainer/devcontainer.json':
    '{ // comment\n "build": { "dockerfile": "Dockerfile", "context": ".." },\n "features": { "./feat": {} },\n "remoteUser": "dev" }',
  '.devcontainer/Dockerfile': 'FROM local/debian:bookworm\nCOPY tools/ /tools/\nCOPY setup.sh /setup.sh\n',
  '.devcontainer/feat/devcontainer-feature.json': '{ "id": "feat", "version": "1.0.0" }',
  '.devcontainer/feat/install.sh': 'echo feat',
  'tools/a.txt': 'a',
  'tools/debug.log': 'log',
  'setup.sh': 'echo setup',
  'src/app.c': 'int main() {}',
  '.dockerignore': '**/*.log\n',
};

const keyOf = async (files: Record<string, string>) => (await computeImageCacheKey({ workspaceFolder: tree(files) })).key;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dck-builder-ext-key-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('computeImageCacheKey', () => {
  it('hashes the config, Dockerfile, the context files COPY reads, local features; not unrelated files', async () => {
    const result = await computeImageCacheKey({ workspaceFolder: tree(base) });
    expect(result.key).toMatch(/^[0-9a-f]{64}$/);
    expect(result.inputs.map((i) => `${i.kind} ${i.path}`)).toEqual([
      'config .devcontainer/devcontainer.json',
      'context setup.sh',
      'context tools/a.txt',
      'dockerfile .devcontainer/Dockerfile',
      'feature .devcontainer/feat/devcontainer-feature.json',
      'feature .devcontainer/feat/install.sh',
    ]);
    const same = await keyOf(base);
    expect(same).toBe(result.key);
    // Unrelated files, ignored files, comments and formatting of the config do not change it.
    expect(await keyOf({ ...base, 'src/app.c': 'changed', 'tools/debug.log': 'changed' })).toBe(result.key);
    expect(
      await keyOf({
        ...base,
        '.devcontainer/devcontainer.json':
          '{"remoteUser":"dev","features":{"./feat":{}},"build":{"context":"..","dockerfile":"Dockerfile"}}',
      }),
    ).toBe(result.key);
  });

  it('changes with a one-line Dockerfile change, a copied file, a feature file, the config', async () => {
    const key = await keyOf(base);
    const changes: Record<string, string>[] = [
      { '.devcontainer/Dockerfile': `${base['.devcontainer/Dockerfile']}RUN true\n` },
      { 'tools/a.txt': 'b' },
      { 'tools/new.txt': 'new' },
      { 'setup.sh': 'echo other' },
      { '.devcontainer/feat/install.sh': 'echo feat 2' },
      { '.devcontainer/devcontainer.json': base['.devcontainer/devcontainer.json'].replace('"dev"', '"other"') },
      {
        '.devcontainer/devcontainer-lock.json':
          '{"features":{"ghcr.io/x/y:1":{"version":"1.0.1","resolved":"ghcr.io/x/y@sha256:ab","integrity":"sha256:ab"}}}',
      },
    ];
    const keys = await Promise.all(changes.map((c) => keyOf({ ...base, ...c })));
    for (const k of keys) expect(k).not.toBe(key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('treats a lockfile without entries as none (devcontainer build writes one)', async () => {
    expect(await keyOf({ ...base, '.devcontainer/devcontainer-lock.json': '{ "features": {} }' })).toBe(await keyOf(base));
  });

  it('hashes the whole context (minus .dockerignore) when a source uses a variable, and globs per segment', async () => {
    const variable = await computeImageCacheKey({
      workspaceFolder: tree({ ...base, '.devcontainer/Dockerfile': 'FROM x\nARG D=tools\nCOPY $D /d\n' }),
    });
    expect(variable.notes[0]).toMatch(/uses a variable: the whole build context is hashed/);
    expect(variable.inputs.filter((i) => i.kind === 'context').map((i) => i.path)).toEqual([
      '.devcontainer/Dockerfile',
      '.devcontainer/devcontainer.json',
      '.devcontainer/feat/devcontainer-feature.json',
      '.devcontainer/feat/install.sh',
      '.dockerignore',
      'setup.sh',
      'src/app.c',
      'tools/a.txt',
    ]);
    const glob = await computeImageCacheKey({
      workspaceFolder: tree({ ...base, '.devcontainer/Dockerfile': 'FROM x\nCOPY tools/*.txt s*.sh /d/\n' }),
    });
    expect(glob.inputs.filter((i) => i.kind === 'context').map((i) => i.path)).toEqual(['setup.sh', 'tools/a.txt']);
  });

  it('works for an image-only config at .devcontainer.json and names a missing or broken config', async () => {
    const imageOnly = await computeImageCacheKey({ workspaceFolder: tree({ '.devcontainer.json': '{"image":"local/debian:bookworm"}' }) });
    expect(imageOnly.inputs.map((i) => i.kind)).toEqual(['config']);
    await expect(computeImageCacheKey({ workspaceFolder: tree({ 'x.txt': '' }) })).rejects.toMatchObject({ code: 'config-not-found' });
    const broken = computeImageCacheKey({ workspaceFolder: tree({ '.devcontainer/devcontainer.json': '{ "image": ' }) });
    await expect(broken).rejects.toBeInstanceOf(PrebuildCacheError);
    await expect(broken).rejects.toMatchObject({ code: 'config-invalid' });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 2 }], a: null })).toBe('{"a":null,"b":[2,{"c":2,"d":1}]}');
  });
});
