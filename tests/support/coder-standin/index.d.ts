// Types for the loopback Coder stand-in (index.js). See README.md next to this file.

export declare const EXTERNAL_LOG_SOURCE_ID: '3b579bf4-1ed8-4b99-87a8-e9a1e3410410';
/** coderd's per-agent log limit: 1 MiB of output bytes, counted before truncation. */
export declare const LOGS_LIMIT_BYTES: 1048576;
/** coderd truncates each stored output to this many characters. */
export declare const MAX_OUTPUT_CHARS: 1024;
/** coderd stores display names cut to this many characters (201, not an error). */
export declare const MAX_DISPLAY_NAME_CHARS: 127;
/** The version GET /api/v2/buildinfo reports: the coderd release the stand-in's facts were checked against. */
export declare const STANDIN_CODER_VERSION: 'v2.30.0';
/** coderd's API rate limit: this many requests per window per IP and endpoint, then 429 with `Retry-After: 60`. */
export declare const RATE_LIMIT_REQUESTS: 512;
export declare const RATE_LIMIT_WINDOW_SECONDS: 60;
export declare const LOG_LEVELS: readonly ['trace', 'debug', 'info', 'warn', 'error'];

export type StandinLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type StandinEndpoint = 'logs' | 'log-source' | 'rpc' | 'buildinfo' | 'bin';

/**
 * Faults to inject. Counted faults are consumed one per matching request, in the order
 * reset → stall → 429 → 5xx (so `{ resets: 2, serverErrors: 3 }` fails five requests in a row).
 * `setFaults` replaces the whole set and restarts the clocks/counters.
 */
export interface CoderStandinFaults {
  /** Answer the next N matching requests with `serverErrorStatus` (a 5xx burst). */
  serverErrors?: number;
  /** Default 500. */
  serverErrorStatus?: number;
  /** Answer the next N matching requests with 429 (and `Retry-After`). */
  tooManyRequests?: number;
  /** Retry-After seconds on injected 429 answers. Default 60 (what coderd's rate limiter sends). */
  retryAfterSeconds?: number;
  /**
   * Turn on coderd's real rate limit: 512 requests per minute per client IP and endpoint path, then
   * 429 `Retry-After: 60` until the window ends. Off by default (tests send bursts coderd would limit).
   */
  rateLimit?: boolean;
  /** Destroy the socket of the next N matching requests without answering (connection reset). */
  resets?: number;
  /** Hold the next N matching requests for `stallMs` before handling them normally. If the client gives up meanwhile, nothing is stored (like coderd's cancelled request context). */
  stalls?: number;
  /** Default 10 000 ms. */
  stallMs?: number;
  /** Answer every authenticated matching request with 401 (or `unauthorizedStatus`) for this many ms from now. */
  unauthorizedForMs?: number;
  unauthorizedStatus?: 401 | 403;
  /** Only every Nth matching request consumes a counted fault (default 1: consecutive). */
  every?: number;
  /** Endpoints the faults apply to. Default ['logs', 'log-source']. */
  endpoints?: StandinEndpoint[];
}

export interface CoderStandinOptions {
  /** The agent token to accept; must be a UUID, as coderd's are (anything else throws). Default: a random UUID. */
  agentToken?: string;
  faults?: CoderStandinFaults;
  /** Files served at GET /bin/coder-linux-amd64 and /bin/coder-linux-arm64 (404 when absent). */
  agentBinaries?: { amd64?: string; arm64?: string };
  /** Port to listen on, on 127.0.0.1. Default 0 (ephemeral). */
  port?: number;
  /** Per-agent log limit in bytes. Default 1 MiB (coderd's). Lower it only to speed tests up. */
  logsLimitBytes?: number;
}

export interface StoredLog {
  id: number;
  /** The server's own timestamp (the client's created_at is ignored, as in coderd). */
  created_at: string;
  /** As stored: truncated to 1024 characters. */
  output: string;
  level: StandinLogLevel;
  log_source_id: string;
}

export interface StoredLogSource {
  id: string;
  display_name: string;
  icon: string;
  created_at: string;
}

export interface RecordedRequest {
  at: string;
  method: string;
  path: string;
  /** 0 when no answer was sent (reset, or the client left during a stall). */
  status: number;
  /** Lower-cased header names; never header values (so never the token). */
  headerNames: string[];
  fault?: 'reset' | 'stall' | 'tooMany' | 'serverError' | 'unauthorized' | 'rateLimit' | undefined;
  sourceId?: string;
  logCount?: number;
}

export interface AgentCall {
  at: string;
  method: string;
  path: string;
  userAgent: string;
}

export interface CoderStandinStats {
  /** Bytes of output counted against the agent's limit so far. */
  logsLength: number;
  /** coderd's `logs_overflowed`: set by the first 413 and never cleared. */
  logsOverflowed: boolean;
  logCount: number;
  requestCount: number;
}

export interface CoderStandin {
  /** `http://127.0.0.1:PORT/` (with a trailing slash). */
  url: string;
  port: number;
  agentToken: string;
  /**
   * Add another agent (as another workspace would have): its own sources, logs, 1 MiB and
   * `logs_overflowed`. Returns its token (a UUID; random by default).
   */
  addAgent(agentToken?: string): string;
  /** The first agent's sources (or those of the agent `agentToken` names). */
  sources(agentToken?: string): StoredLogSource[];
  /** What was stored for the first agent (or `agentToken`'s), in order; only one source's logs when `sourceId` is given. */
  logs(sourceId?: string, agentToken?: string): StoredLog[];
  /** Every request to every agent's routes. */
  requests(): RecordedRequest[];
  /** Accepted agent connections (websocket upgrades at GET /api/v2/workspaceagents/me/rpc with this agent's token): the fake agent proves it runs with the right URL and token. */
  agentCalls(agentToken?: string): AgentCall[];
  stats(agentToken?: string): CoderStandinStats;
  setFaults(faults: CoderStandinFaults): void;
  setAgentBinaries(bins: { amd64?: string; arm64?: string }): void;
  close(): Promise<void>;
}

export declare function startCoderStandin(options?: CoderStandinOptions): Promise<CoderStandin>;
