// `npm test`'s closing summary names every failure, so a CI log cut to its last lines still says
// which tests failed (the counts alone did not).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarizeReports } from './test-reports.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function reportDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'reports-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('summarizeReports', () => {
  it('counts vitest and TAP results and names each failure with its file and its message up to the stack trace', () => {
    const vitest = {
      numPassedTests: 2,
      numFailedTests: 2,
      numPendingTests: 1,
      numTodoTests: 0,
      testResults: [
        {
          name: '/repo/libs/a/test/x.test.ts',
          status: 'failed',
          message: '',
          assertionResults: [
            { status: 'passed', fullName: 'x works', failureMessages: [] },
            { status: 'failed', fullName: 'x fails', failureMessages: ['\nAssertionError: expected 1 to be 2\n    at x.test.ts:3'] },
            {
              status: 'failed',
              fullName: 'x runs a command',
              failureMessages: [
                'Error: terraform failed (1): \n\nError: registry.terraform.io/coder/coder: there is no package\n--- stdout:\n    at ok (terraform.ts:9)',
              ],
            },
          ],
        },
        {
          name: '/repo/libs/a/test/y.test.ts',
          status: 'failed',
          message: 'beforeAll timed out\n    at hooks.ts:1\n    at runner.ts:2',
          assertionResults: [{ status: 'skipped' }],
        },
        { name: '/repo/libs/a/test/z.test.ts', status: 'passed', message: '', assertionResults: [{ status: 'passed' }] },
      ],
    };
    const dir = reportDir({
      'vitest-libs-a.json': JSON.stringify(vitest),
      'workspace_test/report.tap': '1..3\nok 1 first\nnot ok 2 second # in 5 ms\nok 3 third # skip no docker\n',
    });
    const s = summarizeReports({ reportDir: dir, root: '/repo' });
    expect([s.passed, s.failed, s.skipped]).toEqual([3, 4, 2]);
    expect(s.failures).toEqual([
      'libs/a/test/x.test.ts: x fails: AssertionError: expected 1 to be 2',
      'libs/a/test/x.test.ts: x runs a command: Error: terraform failed (1):\n    Error: registry.terraform.io/coder/coder: there is no package\n    --- stdout:',
      'libs/a/test/y.test.ts: the file failed to load or its set-up failed: beforeAll timed out',
      'workspace_test/report.tap: not ok 2 second # in 5 ms',
    ]);
    expect([...s.reported]).toEqual(['libs-a']);
    expect(s.files).toContain('workspace_test/report.tap');
  });

  it('reports nothing failed for passing reports', () => {
    const dir = reportDir({ 'vitest-tests.json': JSON.stringify({ numPassedTests: 1, numFailedTests: 0, testResults: [] }) });
    const s = summarizeReports({ reportDir: dir, root: '/repo' });
    expect([s.passed, s.failed, s.failures]).toEqual([1, 0, []]);
  });
});
