// Each vitest test file gets a temporary directory of its own as TMPDIR (os.tmpdir() reads it on
// every call, and the processes a test starts inherit it), removed once the file's tests are done:
// what tests and the builders, CLIs and git they run leave in the temporary directory goes with it,
// so `npm test` does not fill /tmp run after run. Every package's vitest config loads this file
// (tests/support/vitest-shared.js). DCK_KEEP_TEST_TMP=1 keeps the directories, for a look after a
// failure. Test bed scripts (long-lived daemons) get the machine's own TMPDIR (tests/testbed/lib.sh).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The temporary directory of the machine, before any test file's: set once per worker process. */
export function hostTmpdir() {
  process.env.DCK_HOST_TMPDIR ??= tmpdir();
  return process.env.DCK_HOST_TMPDIR;
}

/**
 * Makes a fresh directory under the machine's temporary directory and returns it with a remover
 * that never throws (a file still held by a process is left, with one line on stderr).
 * @param {string} [label] part of the directory's name (the test file's)
 * @returns {{ dir: string, remove: () => void }}
 */
export function createTestTmpdir(label = 'tests') {
  const safe = label.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 24);
  const dir = mkdtempSync(join(hostTmpdir(), `dck-test-${safe}-`));
  return {
    dir,
    remove() {
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch (error) {
        process.stderr.write(`[test-tmpdir] could not remove ${dir}: ${error.message}\n`);
      }
    },
  };
}
