// Pure: render a ValidateResult as TAP 13, JUnit XML or JSON (machine output for stdout).
import type { ValidateResult } from './types.js';

export type ReportFormat = 'tap' | 'junit' | 'json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['tap', 'junit', 'json'];

export function formatTap(result: ValidateResult): string {
  const lines = ['TAP version 13', `1..${result.checks.length}`];
  result.checks.forEach((c, i) => {
    const ok = c.successful || c.skipped ? 'ok' : 'not ok';
    lines.push(`${ok} ${i + 1} - ${c.message.replaceAll('#', '\\#')}${c.skipped ? ' # SKIP' : ''}`);
    if (!c.successful && !c.skipped) {
      lines.push('  ---', `  kind: ${c.kind}`, `  resource: ${JSON.stringify(`${c.resourceType} ${c.resourceId}`)}`);
      lines.push(`  property: ${JSON.stringify(c.property)}`);
      lines.push(`  expected: ${JSON.stringify(c.expected ?? null)}`, `  actual: ${JSON.stringify(c.actual ?? null)}`, '  ...');
    }
  });
  lines.push(`# ${result.target}: ${result.summary.total} checks, ${result.summary.failed} failed, ${result.summary.skipped} skipped`);
  return `${lines.join('\n')}\n`;
}

function xml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export function formatJunit(result: ValidateResult): string {
  const { total, failed, skipped, durationMs } = result.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${total}" failures="${failed}" skipped="${skipped}" time="${(durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xml(`workspace-test ${result.target}`)}" tests="${total}" failures="${failed}" skipped="${skipped}" time="${(durationMs / 1000).toFixed(3)}">`,
  ];
  for (const c of result.checks) {
    const name = xml(`${c.title}: ${c.property}`);
    const head = `    <testcase classname="${xml(`${c.kind}.${c.resourceType}`)}" name="${name}" time="${(c.durationMs / 1000).toFixed(3)}"`;
    if (c.skipped) out.push(`${head}><skipped/></testcase>`);
    else if (c.successful) out.push(`${head}/>`);
    else out.push(`${head}>`, `      <failure message="${xml(c.message)}">${xml(c.message)}</failure>`, '    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

export function formatJson(result: ValidateResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export function formatResult(result: ValidateResult, format: ReportFormat): string {
  return format === 'tap' ? formatTap(result) : format === 'junit' ? formatJunit(result) : formatJson(result);
}
