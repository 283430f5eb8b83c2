// Sums the reports `npm test` collects (vitest JSON and TAP files in one folder) into counts and
// names every failure (with its message up to the stack trace): a failed test, a test file that failed to load or whose set-up failed
// (its tests then show as skipped), and a `not ok` line of a TAP report.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A failure message's lines up to its stack trace (at most 10, each cut at 300 characters),
 * continuation lines indented: the cause a CI log cut to its tail must still show (a command's
 * error text often comes on the lines after "… failed (1):").
 */
const leadingLines = (text) => {
  const lines = [];
  for (const line of String(text ?? '').split('\n')) {
    if (/^\s+at /.test(line) || lines.length === 10) break;
    if (line.trim() !== '') lines.push(line.trim().slice(0, 300));
  }
  return lines.join('\n    ');
};

/** @param {{ reportDir: string, root: string }} options */
export function summarizeReports({ reportDir, root }) {
  const summary = { passed: 0, failed: 0, skipped: 0, failures: [], reported: new Set(), files: [] };
  summary.files = readdirSync(reportDir, { recursive: true, encoding: 'utf8' }).sort();
  for (const file of summary.files) {
    const path = join(reportDir, file);
    if (file.startsWith('vitest-') && file.endsWith('.json')) {
      const r = JSON.parse(readFileSync(path, 'utf8'));
      summary.passed += r.numPassedTests ?? 0;
      summary.failed += r.numFailedTests ?? 0;
      summary.skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      for (const suite of r.testResults ?? []) {
        const where = suite.name.startsWith(`${root}/`) ? suite.name.slice(root.length + 1) : suite.name;
        const failedTests = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
        for (const a of failedTests) summary.failures.push(`${where}: ${a.fullName ?? a.title}: ${leadingLines(a.failureMessages?.[0])}`);
        // A file that failed without a failing test (load error, beforeAll) counts as one failure.
        if (suite.status === 'failed' && failedTests.length === 0) {
          summary.failed++;
          summary.failures.push(`${where}: the file failed to load or its set-up failed: ${leadingLines(suite.message)}`);
        }
      }
      summary.reported.add(file.slice('vitest-'.length, -'.json'.length));
    } else if (file.endsWith('.tap')) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (/^ok \d+.*# skip/i.test(line)) summary.skipped++;
        else if (/^ok \d+/.test(line)) summary.passed++;
        else if (/^not ok \d+/.test(line)) {
          summary.failed++;
          summary.failures.push(`${file}: ${line}`);
        }
      }
    }
  }
  return summary;
}
