// Pure: turn `goss validate --format json` output into results a person can act on.
import { WorkspaceTestError } from './errors.js';
import type { CheckKind, CheckResult, ValidateResult } from './types.js';

const KINDS = new Set<CheckKind>(['user', 'workspace', 'env', 'mount', 'lifecycle', 'extensions', 'agent', 'coder', 'custom']);

interface GossMatcherResult {
  actual?: unknown;
  expected?: unknown;
  message?: string;
  'missing-elements'?: unknown[] | null;
  'found-elements'?: unknown[] | null;
  'extra-elements'?: unknown[] | null;
  'transform-chain'?: Array<Record<string, { Path?: string }>> | null;
}

interface GossRawResult {
  duration?: number;
  err?: unknown;
  'matcher-result'?: GossMatcherResult;
  meta?: Record<string, unknown> | null;
  property?: string;
  'resource-id'?: string;
  'resource-type'?: string;
  skipped?: boolean;
  successful?: boolean;
  title?: string;
}

/** `/(?i)^pub\.name$/` (a pattern this package writes) → `pub.name`; other values as JSON. */
function show(value: unknown): string {
  if (typeof value === 'string') {
    const m = /^\/\(\?i\)\^(.*)\$\/$/.exec(value);
    if (m?.[1]) return m[1].replace(/\\(.)/g, '$1');
    return JSON.stringify(value);
  }
  return JSON.stringify(value) ?? String(value);
}

function firstLine(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

/** Builds the one-line message of a goss result. */
export function describeResult(raw: GossRawResult): string {
  const title = raw.title || `${raw['resource-type'] ?? '?'} ${raw['resource-id'] ?? '?'}`;
  const mr = raw['matcher-result'] ?? {};
  const paths = (mr['transform-chain'] ?? []).flatMap((t) =>
    Object.values(t)
      .map((v) => v?.Path)
      .filter(Boolean),
  );
  const property = `${raw.property ?? '?'}${paths.length ? ` (${paths.join(', ')})` : ''}`;
  if (raw.skipped) return `${title}: ${property}: skipped`;
  if (raw.successful) return `${title}: ${property}: ok`;
  if (raw.err) return `${title}: ${property}: error: ${firstLine(raw.err)}`;
  const missing = mr['missing-elements'];
  if (Array.isArray(missing) && missing.length > 0) {
    const found = mr['found-elements'] ?? [];
    return `${title}: ${property}: expected ${missing.map(show).join(', ')}, actual: missing (found ${
      found.length ? found.map(show).join(', ') : 'none of them'
    })`;
  }
  const extra = mr['extra-elements'];
  if (Array.isArray(extra) && extra.length > 0) {
    return `${title}: ${property}: expected ${show(mr.expected)}, actual has unexpected ${extra.map(show).join(', ')}`;
  }
  return `${title}: ${property}: expected ${mr.message && mr.message !== 'to equal' ? `${mr.message} ` : ''}${show(
    mr.expected,
  )}, actual ${show(mr.actual)}`;
}

/** Parses goss's JSON output (format json) into a ValidateResult. */
export function parseGossResults(json: string, target: string): ValidateResult {
  let doc: { results?: GossRawResult[]; summary?: Record<string, number> };
  // With --retry-timeout goss prints one JSON document per attempt, one per line: the last one counts.
  const documents = json.split('\n').filter((line) => line.trimStart().startsWith('{'));
  const last = documents.length > 1 ? (documents.at(-1) as string) : json;
  try {
    doc = JSON.parse(last);
  } catch (error) {
    throw new WorkspaceTestError('GOSS_OUTPUT_INVALID', `goss output is not JSON: ${json.slice(0, 200)}`, { cause: error, target });
  }
  if (!doc || !Array.isArray(doc.results)) {
    throw new WorkspaceTestError('GOSS_OUTPUT_INVALID', 'goss output has no results array', { target });
  }
  const checks: CheckResult[] = doc.results.map((raw) => {
    const mr = raw['matcher-result'] ?? {};
    const kind = raw.meta?.kind;
    const check: CheckResult = {
      resourceType: raw['resource-type'] ?? '',
      resourceId: raw['resource-id'] ?? '',
      property: raw.property ?? '',
      title: raw.title || `${raw['resource-type'] ?? ''} ${raw['resource-id'] ?? ''}`,
      kind: typeof kind === 'string' && KINDS.has(kind as CheckKind) ? (kind as CheckKind) : 'custom',
      successful: raw.successful === true,
      skipped: raw.skipped === true,
      message: describeResult(raw),
      durationMs: Math.round((raw.duration ?? 0) / 1e6),
    };
    if (!check.successful) {
      if (mr['missing-elements']?.length) {
        check.expected = mr['missing-elements'].map((v) => show(v).replace(/^"|"$/g, ''));
        check.actual = 'missing';
      } else {
        check.expected = mr.expected;
        check.actual = raw.err ? firstLine(raw.err) : mr.actual;
      }
    }
    return check;
  });
  // goss runs checks concurrently, so its order varies: report in a stable order.
  checks.sort((a, b) =>
    a.resourceType === b.resourceType
      ? a.resourceId === b.resourceId
        ? a.property.localeCompare(b.property)
        : a.resourceId.localeCompare(b.resourceId)
      : a.resourceType.localeCompare(b.resourceType),
  );
  const failed = checks.filter((c) => !c.successful && !c.skipped).length;
  const skipped = checks.filter((c) => c.skipped).length;
  return {
    ok: failed === 0,
    target,
    checks,
    summary: {
      total: checks.length,
      failed,
      skipped,
      durationMs: Math.round((doc.summary?.['total-duration'] ?? 0) / 1e6),
    },
  };
}
