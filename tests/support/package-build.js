// Test-side: a package's dist/ built before a test runs it, when it is missing or older than src/.
// moon's test tasks build first (`~:build`); a bare `npx vitest run` after editing src/ may not have.
// Test files run in parallel, and tsup empties dist/ as it starts: two files rebuilding at once, or
// one rebuilding while another runs the old build, broke each other. So the build runs under one
// lock for all packages (flock), and staleness is checked again once the lock is held: a file that
// waited finds the build done and does not start another.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostTmpdir } from './test-tmpdir.js';

const self = fileURLToPath(import.meta.url);

/** The newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  return newest;
}

/** Whether `entry` (relative to the package) needs a build: missing, or (with `whenStale`) older than src/. */
function needsBuild(packageDir, entry, whenStale) {
  const file = join(packageDir, entry);
  if (!existsSync(file)) return true;
  return whenStale && newestMtime(join(packageDir, 'src')) > statSync(file).mtimeMs;
}

/**
 * Builds the package in `packageDir` when `entry` is missing or, unless `whenStale` is false (a
 * package whose dist is another team's to refresh), older than its src/. One build at a time
 * across test files and packages; the check is repeated under the lock.
 * @param {string} packageDir
 * @param {{ entry?: string, whenStale?: boolean, command?: string[] }} [options] `command` (default
 *   `npx tsup --silent`, run in the package) is for this module's own test
 */
export function ensurePackageBuilt(packageDir, { entry = 'dist/index.js', whenStale = true, command = ['npx', 'tsup', '--silent'] } = {}) {
  if (!needsBuild(packageDir, entry, whenStale)) return;
  const lock = join(hostTmpdir(), 'dck-test-package-build.lock');
  execFileSync('flock', [lock, process.execPath, self, packageDir, entry, String(whenStale), ...command], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

// Run under the lock: node package-build.js PACKAGE_DIR ENTRY WHEN_STALE COMMAND...
if (process.argv[1] === self) {
  const [packageDir, entry, whenStale, ...command] = process.argv.slice(2);
  if (needsBuild(packageDir, entry, whenStale === 'true')) {
    const r = spawnSync(command[0], command.slice(1), { cwd: packageDir, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write(`package-build: ${command.join(' ')} in ${packageDir} failed (${r.status ?? r.signal})\n`);
      process.exit(1);
    }
  }
}
