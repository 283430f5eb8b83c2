import type { Pool } from 'undici';
import type { LogTransport, TransportResponse } from './types.js';

/** What every transport of the agent log API takes. */
export interface TransportOptions {
  agentUrl: string;
  agentToken: string;
  /** Per-request timeout, default 15 000 ms (node:http: connecting, the answer, silence while it arrives; undici: headers and body). */
  fetchTimeoutMs?: number;
  userAgent?: string;
}

export type UndiciTransportOptions = TransportOptions;

/** coderd's agent log API, relative to the agent URL. */
export const LOGS_PATH = 'api/v2/workspaceagents/me/logs';
export const SOURCE_PATH = 'api/v2/workspaceagents/me/log-source';

/**
 * The agent log API over one keep-alive undici Pool. The token travels only in the
 * Coder-Session-Token header; it is never part of an error message.
 */
export function createUndiciTransport(options: UndiciTransportOptions): LogTransport {
  const base = new URL(options.agentUrl.endsWith('/') ? options.agentUrl : `${options.agentUrl}/`);
  // undici is loaded with the first request, not with the package: it is most of a bundled CLI's
  // code, and a builder's warm restart should not parse it before its first docker call.
  let pool: Promise<Pool> | undefined;
  const getPool = () =>
    (pool ??= import('undici').then((m) => {
      // Node gives a CommonJS module's exports both as names and as `default`; a bundler, often only
      // as `default`.
      const { Pool } = m.default ?? m;
      return new Pool(base.origin, {
        connections: 4,
        pipelining: 1,
        keepAliveTimeout: 10_000,
        connect: { timeout: 10_000 },
      });
    }));
  const timeout = options.fetchTimeoutMs ?? 15_000;
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    'coder-session-token': options.agentToken,
    'user-agent': options.userAgent ?? 'devcontainer-kit-coder-log-client',
  };

  async function send(method: 'POST' | 'PATCH', path: string, body: string, signal: AbortSignal) {
    const res = await (await getPool()).request({
      method,
      path: new URL(path, base).pathname,
      headers,
      body,
      signal,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const text = await res.body.text();
    const result: TransportResponse = { status: res.statusCode, body: text };
    const retryAfter = parseRetryAfter(res.headers['retry-after']);
    if (retryAfter !== undefined) result.retryAfterSeconds = retryAfter;
    return result;
  }

  return {
    postLogSource: (body, signal) => send('POST', SOURCE_PATH, body, signal),
    patchLogs: (body, signal) => send('PATCH', LOGS_PATH, body, signal),
    close: async () => {
      if (pool) await (await pool).destroy();
    },
  };
}

/** `Retry-After` as seconds: a number of seconds or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
