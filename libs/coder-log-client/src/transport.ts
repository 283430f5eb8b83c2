// What the agent log API's transports share: their options, coderd's paths, Retry-After.
/** What every transport of the agent log API takes. */
export interface TransportOptions {
  agentUrl: string;
  agentToken: string;
  /** Per-request timeout, default 15 000 ms (connecting, the answer, silence while it arrives). */
  fetchTimeoutMs?: number;
  userAgent?: string;
}

/** coderd's agent log API, relative to the agent URL. */
export const LOGS_PATH = 'api/v2/workspaceagents/me/logs';
export const SOURCE_PATH = 'api/v2/workspaceagents/me/log-source';

/** `Retry-After` as seconds: a number of seconds or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
