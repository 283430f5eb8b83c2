/** Coder's log levels, in increasing severity. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** One entry of a PATCH /api/v2/workspaceagents/me/logs body. */
export interface AgentLogEntry {
  created_at: string;
  output: string;
  level: LogLevel;
}

/** The body of POST /api/v2/workspaceagents/me/log-source. */
export interface LogSourceBody {
  id: string;
  display_name: string;
  icon: string;
}

export interface LogStreamStats {
  /** Entries the server accepted (a line split into pieces counts once per piece). */
  sent: number;
  /** Entries that did not reach Coder (held back by the budget or after a 413, refused with 400, or left when shipping stopped or close timed out). All are in the local log file. */
  dropped: number;
  /** Requests retried (5xx, 429, 401/403 in the grace period, network errors). */
  retried: number;
  /** Bytes of output this stream has counted against the agent budget. */
  bytesUsed: number;
  /** True once Coder answered 413 (in this run, or an earlier one per the budget account): only warn/error lines, the summary and the tail are still sent. */
  overflowed: boolean;
  /** Lines currently held back by the budget (the tail candidates sent on close). */
  held?: number;
  /** Why shipping stopped, if it did ('overflow': after `maxOverflowRejections` 413 answers). */
  stopped?: 'overflow' | 'unauthorized' | 'source-refused' | undefined;
  /** What the send queue holds now, as its bound counts it: output bytes plus 64 per entry (Coder-backed streams). */
  queuedBytes?: number;
}

export type WarningCode =
  | 'UNAUTHORIZED'
  | 'BAD_REQUEST'
  | 'OVERFLOWED'
  | 'BUDGET_LIMITED'
  | 'FLUSH_TIMEOUT'
  | 'LOG_FILE_ERROR'
  | 'BUDGET_ACCOUNT_ERROR'
  | 'UNEXPECTED_STATUS';

/** A local problem report: shipping problems never throw, they are reported here once. */
export interface CoderLogWarning {
  code: WarningCode;
  message: string;
  /** The log source's display name, when the warning concerns one stream. */
  source?: string;
  status?: number;
}

/** The shared interface of Coder-backed and terminal log streams. */
export interface LogStream {
  readonly id: string;
  readonly displayName: string;
  write(line: string, level?: LogLevel): void;
  /** Resolves once everything written before the call was delivered or given up. */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  close(options?: { timeoutMs?: number }): Promise<void>;
  readonly stats: LogStreamStats;
  on(event: 'warning', listener: (warning: CoderLogWarning) => void): this;
}

/**
 * A LogStream that ships to Coder, with backpressure: write() still takes every line, and returns
 * false once the send queue is at its bound (`maxQueueBytes`) while Coder is answering; 'drain'
 * says when there is room again. The usual Node streams contract, for producers that can wait.
 */
export interface ShippingLogStream extends LogStream {
  write(line: string, level?: LogLevel): boolean;
  /** True while write() would return false; 'drain' follows once there is room. */
  readonly writableNeedDrain: boolean;
  on(event: 'warning', listener: (warning: CoderLogWarning) => void): this;
  on(event: 'drain', listener: () => void): this;
  once(event: 'drain', listener: () => void): this;
  off(event: 'drain', listener: () => void): this;
}

/** What an HTTP exchange came back with; network errors are thrown instead. */
export interface TransportResponse {
  status: number;
  body: string;
  /** Seconds from a Retry-After header, when present. */
  retryAfterSeconds?: number;
}

/** The HTTP layer, replaceable in tests. Bodies are JSON text. */
export interface LogTransport {
  postLogSource(body: string, signal: AbortSignal): Promise<TransportResponse>;
  patchLogs(body: string, signal: AbortSignal): Promise<TransportResponse>;
  close(): Promise<void>;
}
