// Black-box test of the packed artifact: real `npm pack` of this package (after the build), unpacked into a fresh
// node_modules next to the real dependencies (symlinked from the workspace, so no registry is needed), then used by
// name from an ESM script and through its bin, as a consumer would.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturesDir, repoRoot } from './support/helpers.js';

const run = promisify(execFile);
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let installed: string;

beforeAll(async () => {
  // The moon `test` task depends on `build`; tests never build themselves (that would race other builds of dist/).
  if (!existsSync(join(pkgDir, 'dist/index.d.ts')))
    throw new Error('dist/ is missing: build first (npx moon run devcontainer-config:build, or npx tsup)');
  dir = await mkdtemp(join(tmpdir(), 'dck-devcontainer-config-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: pkgDir });
  const { filename, files } = (JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>)[0] as {
    filename: string;
    files: Array<{ path: string }>;
  };
  expect(
    files
      .map((f) => f.path)
      .every((p) => p.startsWith('dist/') || ['bin/devcontainer-config.js', 'package.json', 'README.md', 'CHANGELOG.md'].includes(p)),
  ).toBe(true);
  installed = join(dir, 'node_modules/@devcontainer-kit/devcontainer-config');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', join(dir, filename), '-C', installed, '--strip-components=1']);
  for (const dep of ['jsonc-parser', 'citty', 'fastest-levenshtein', '@devcontainer-kit/cli-kit'])
    await symlink(join(repoRoot, 'node_modules', dep), join(dir, 'node_modules', dep));
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships dist and the bin file only (no src, test, bench)', async () => {
    const top = await readdir(installed);
    expect(top.sort()).toEqual(['README.md', 'bin', 'dist', 'package.json']);
  });

  it('imports by name and validates', async () => {
    const script = join(dir, 'use.mjs');
    await writeFile(
      script,
      `import { parseDevcontainer, validateDevcontainer, formatProblem } from '@devcontainer-kit/devcontainer-config';
const r = parseDevcontainer('{"image": 1}', { file: 'x.json' });
console.log(validateDevcontainer(r).map(formatProblem).join('\\n'));`,
    );
    const { stdout } = await run('node', [script], { cwd: dir });
    expect(stdout.trim()).toBe('x.json:1:11: error type-mismatch: image must be a string, found integer');
  });

  it('runs its bin', async () => {
    const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = join(installed, manifest.bin['devcontainer-config'] ?? 'missing');
    const ok = await run('node', [bin, 'validate', join(fixturesDir, 'dockerfile')]);
    expect(ok.stderr).toContain('0 error(s)');
    const bad = await run('node', [bin, 'validate', join(fixturesDir, 'invalid'), '--json']).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).valid).toBe(false);
  });
});
