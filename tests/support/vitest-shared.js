// Test options every package's vitest.config.ts shares.
// With DCK_REPORT_DIR set (tests/run-all.mjs sets it) each package also writes a JSON
// report there, which the runner sums into the closing "N passed, N failed" line.
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** @param {string} packageDir */
export function sharedTestOptions(packageDir) {
  const reportDir = process.env.DCK_REPORT_DIR;
  // libs/coder-log-client → libs-coder-log-client; tests → tests.
  const name = relative(root, packageDir).replaceAll('/', '-');
  return {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: reportDir ? ['default', 'json'] : ['default'],
    ...(reportDir ? { outputFile: { json: join(reportDir, `vitest-${name}.json`) } } : {}),
  };
}
