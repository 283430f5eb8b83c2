import type { Problem } from './types.js';

/** `file:line:col: severity code: message` — one line, the form editors and CI annotate. */
export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`;
}

/** Errors first, then by file, line, column. Stable for equal keys. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}

/** True when there is at least one error (or, with strict, any problem at all). */
export function hasErrors(problems: readonly Problem[], { strict = false }: { strict?: boolean } = {}): boolean {
  return problems.some((p) => strict || p.severity === 'error');
}

/** At most this many problems are reported per file; the rest are counted in one `too-many-problems` entry. */
export const PROBLEM_LIMIT = 1000;

/** Problems not kept, by severity. */
export interface HiddenProblems {
  error: number;
  warning: number;
}

const hiddenBySummary = new WeakMap<Problem, HiddenProblems>();

/**
 * The first `limit` problems in position order, plus one `too-many-problems` entry (at the last one shown) that counts
 * the rest by severity; `alreadyHidden` adds problems dropped before they were collected. An earlier summary in
 * `problems` is folded into the new one. Unchanged when nothing is over the limit.
 */
export function limitProblems(
  problems: Problem[],
  { alreadyHidden = { error: 0, warning: 0 }, limit = PROBLEM_LIMIT }: { alreadyHidden?: HiddenProblems; limit?: number } = {},
): Problem[] {
  const hidden = { ...alreadyHidden };
  const kept: Problem[] = [];
  for (const p of problems) {
    const earlier = hiddenBySummary.get(p);
    if (earlier) {
      hidden.error += earlier.error;
      hidden.warning += earlier.warning;
    } else kept.push(p);
  }
  if (kept.length > limit) {
    for (const p of kept.slice(limit)) hidden[p.severity]++;
    kept.length = limit;
  }
  if (hidden.error + hidden.warning === 0) return kept;
  const last = kept[kept.length - 1];
  const summary: Problem = {
    code: 'too-many-problems',
    severity: hidden.error > 0 ? 'error' : 'warning',
    message: `${kept.length} problems shown; ${hidden.error} more error(s) and ${hidden.warning} more warning(s) not shown`,
    file: last?.file ?? '',
    line: last?.line ?? 1,
    column: last?.column ?? 1,
  };
  hiddenBySummary.set(summary, hidden);
  kept.push(summary);
  return kept;
}
