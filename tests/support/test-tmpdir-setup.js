// vitest setup file (tests/support/vitest-shared.js): TMPDIR of this test file (see test-tmpdir.js).
import { basename } from 'node:path';
import { afterAll, expect } from 'vitest';
import { createTestTmpdir, hostTmpdir } from './test-tmpdir.js';

const file = expect.getState().testPath ?? 'tests';
const scratch = createTestTmpdir(basename(file).replace(/\.test\.[cm]?[jt]s$/, ''));
process.env.TMPDIR = scratch.dir;

afterAll(() => {
  process.env.TMPDIR = hostTmpdir();
  if (process.env.DCK_KEEP_TEST_TMP === '1') process.stderr.write(`[test-tmpdir] kept ${scratch.dir}\n`);
  else scratch.remove();
});
