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
