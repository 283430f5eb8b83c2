// Test options every package's vitest.config.ts shares.
// With DCK_REPORT_DIR set (tests/run-all.mjs sets it) each package also writes a JSON
// report there, which the runner sums into the closing "N passed, N failed" line.
// DCK_TEST_SCOPE picks the files: unset (or `all`) runs every test file, as `npm test` and CI do;
// `unit` leaves out the slow files tests/support/test-scopes.js lists (`npm run test:unit`);
// `slow` runs only those. Every test file runs with a TMPDIR of its own, removed after it
// (test-tmpdir-setup.js).
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults } from 'vitest/config';
import { slowGlobs } from './test-scopes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * @param {string} packageDir
 * @param {{ include?: string[] }} [options] the package's own include globs (default `test/**\/*.test.ts`)
 */
export function sharedTestOptions(packageDir, { include = ['test/**/*.test.ts'] } = {}) {
  const reportDir = process.env.DCK_REPORT_DIR;
  const rel = relative(root, packageDir);
  // libs/coder-log-client → libs-coder-log-client; tests → tests.
  const name = rel.replaceAll('/', '-');
  const scope = process.env.DCK_TEST_SCOPE ?? 'all';
  if (!['all', 'unit', 'slow'].includes(scope)) throw new Error(`DCK_TEST_SCOPE must be all, unit or slow, not '${scope}'`);
  const slow = slowGlobs(rel);
  return {
    include: scope === 'slow' ? slow : include,
    exclude: [...configDefaults.exclude, ...(scope === 'unit' ? slow : [])],
    // A package whose every file is slow has nothing to run in the unit scope.
    passWithNoTests: scope !== 'all',
    // Each test file's own TMPDIR, removed after it (test-tmpdir-setup.js).
    setupFiles: [join(root, 'tests/support/test-tmpdir-setup.js')],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: reportDir ? ['default', 'json'] : ['default'],
    ...(reportDir ? { outputFile: { json: join(reportDir, `vitest-${name}.json`) } } : {}),
  };
}
