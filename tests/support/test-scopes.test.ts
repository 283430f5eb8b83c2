// The slow-test list must stay true: every entry names files that exist, and the scopes split
// each package's files without losing one (the unit scope plus the slow scope is everything).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { slowBats, slowTests } from './test-scopes.js';
import { repoRoot } from './testbed.js';
import { sharedTestOptions } from './vitest-shared.js';

const kinds = new Set(['docker', 'goss', 'terraform', 'kubernetes', 'registry', 'long']);

/** Files under dir (relative to it) that a simple glob (`a/b.test.ts`, `dir/**\/*.test.ts`) matches. */
function matches(dir: string, glob: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.includes('node_modules'));
  const pattern = new RegExp(`^${glob.replaceAll('.', '\\.').replaceAll('**/', '(?:.*/)?').replaceAll('*', '[^/]*')}$`);
  return files.filter((f) => pattern.test(f));
}

describe('tests/support/test-scopes.js', () => {
  const saved = process.env.DCK_TEST_SCOPE;
  afterEach(() => {
    if (saved === undefined) delete process.env.DCK_TEST_SCOPE;
    else process.env.DCK_TEST_SCOPE = saved;
  });

  it.each(Object.entries(slowTests))('%s: every entry matches a test file and names known kinds', (pkg, entries) => {
    for (const [glob, kind] of Object.entries(entries)) {
      expect(matches(join(repoRoot, pkg), glob), `${pkg}/${glob}`).not.toEqual([]);
      for (const k of kind.split(' ')) expect(kinds, `${pkg}/${glob}: ${k}`).toContain(k);
    }
  });

  it('every slow bats entry exists', () => {
    for (const entry of slowBats) expect(existsSync(join(repoRoot, entry)), entry).toBe(true);
  });

  it('the unit scope excludes exactly the slow files; the default scope excludes none and runs every file', () => {
    delete process.env.DCK_TEST_SCOPE;
    const all = sharedTestOptions(join(repoRoot, 'libs/workspace-test'));
    expect(all.include).toEqual(['test/**/*.test.ts']);
    expect(all.exclude).not.toContain('test/cli.test.ts');
    expect(all.passWithNoTests).toBe(false);
    process.env.DCK_TEST_SCOPE = 'unit';
    const unit = sharedTestOptions(join(repoRoot, 'libs/workspace-test'));
    expect(unit.include).toEqual(['test/**/*.test.ts']);
    expect(unit.exclude).toEqual(expect.arrayContaining(Object.keys(slowTests['libs/workspace-test'] ?? {})));
    process.env.DCK_TEST_SCOPE = 'slow';
    expect(sharedTestOptions(join(repoRoot, 'libs/workspace-test')).include).toEqual(Object.keys(slowTests['libs/workspace-test'] ?? {}));
    process.env.DCK_TEST_SCOPE = 'fast';
    expect(() => sharedTestOptions(repoRoot)).toThrow(/DCK_TEST_SCOPE must be all, unit or slow/);
  });
});
