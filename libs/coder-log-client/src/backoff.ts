export interface BackoffOptions {
  /** First delay, default 250 ms. */
  baseMs?: number;
  /** Cap, default 5 000 ms. */
  capMs?: number;
  /** Random source in [0, 1), default Math.random. */
  random?: () => number;
}

/**
 * Exponential backoff with "equal jitter": attempt 1 waits between base/2 and base,
 * each further attempt doubles, never more than the cap.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 250;
  const cap = options.capMs ?? 5_000;
  const random = options.random ?? Math.random;
  const exp = Math.min(cap, base * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export type ResponseAction = 'ok' | 'retry' | 'auth' | 'drop' | 'overflow';

/** What to do with an HTTP status from the agent log API. */
export function classifyStatus(status: number): ResponseAction {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 401 || status === 403) return 'auth';
  if (status === 413) return 'overflow';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  return 'drop';
}

/** Pull coderd's `message` and `detail` out of an error body for a local message. */
export function describeErrorBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; detail?: unknown };
    const parts = [parsed.message, parsed.detail].filter((p): p is string => typeof p === 'string' && p !== '');
    if (parts.length > 0) return parts.join(': ');
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200) || '(empty body)';
}
