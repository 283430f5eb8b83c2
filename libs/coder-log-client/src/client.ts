import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackoffOptions } from './backoff.js';
import { ByteBudget, DEFAULT_BUDGET_BYTES } from './budget.js';
import { BudgetAccount, budgetAccountAgentKey } from './budget-account.js';
import { CoderLogClientError } from './errors.js';
import { createHttpTransport } from './http-transport.js';
import { LocalLogFile } from './local-log-file.js';
import { createLogSource, type LogSourceOptions } from './log-source.js';
import { CoderLogStream, type StopReason, type StreamContext } from './log-stream.js';
import { DEFAULT_MAX_OVERFLOW_REJECTIONS, OverflowProbe } from './overflow-probe.js';
import type { CoderLogWarning, LogStreamStats, LogTransport, ShippingLogStream } from './types.js';

export interface CoderLogClientOptions {
  /** The Coder deployment URL the agent uses (CODER_AGENT_URL), e.g. `https://coder.example.com/`. */
  agentUrl: string;
  /** The agent token (CODER_AGENT_TOKEN). Sent only in the Coder-Session-Token header. */
  agentToken: string;
  /** Bytes of output this client may use of the agent's 1 MiB. Default 896 KiB. */
  budgetBytes?: number;
  /** Bytes kept for the tail and summary sent on close. Default 10 % of the budget. */
  tailBytes?: number;
  /**
   * A small JSON file that counts what this agent's runs already sent (read at start, updated
   * atomically as Coder accepts batches), so a restarted run starts with the right remaining
   * budget: `budgetBytes` minus what earlier runs sent, but never less than 32 KiB for its last
   * words. Missing or corrupt: starts from 0. Keyed by a hash of the agent URL and token, so a new
   * agent starts fresh. Default: none (every run assumes the whole budget).
   */
  budgetAccountFile?: string;
  /** How many 413 answers the client takes (shrinking its batches) before it sends nothing more. Default 8. */
  maxOverflowRejections?: number;
  /** Longest wait a `Retry-After` header can impose on a retry. Default 120 000 ms. */
  retryAfterMaxMs?: number;
  /** The full local log. Default `$TMPDIR/coder-log-client-<pid>.log`. */
  logFile?: string;
  /** Batch interval. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Per-request timeout. Default 15 000 ms. */
  fetchTimeoutMs?: number;
  /** A batch is sent early once it holds this many bytes of output. Default 256 KiB. */
  batchMaxBytes?: number;
  /** ... or this many lines. Default 2000. */
  batchMaxLines?: number;
  /**
   * Backpressure: a stream's write() returns false (and 'drain' follows) once its send queue holds
   * this many bytes (output plus 64 per entry) while Coder is answering. Default 1 MiB: four full
   * batches ready behind the one in flight, a few MB of heap at most.
   */
  maxQueueBytes?: number;
  /** How long 401/403 answers are retried before shipping stops. Default 60 000 ms. */
  authGraceMs?: number;
  /** Retry backoff (base 250 ms, cap 5 000 ms). */
  backoff?: BackoffOptions;
  /** Local problem reports (never thrown). */
  onWarning?: (warning: CoderLogWarning) => void;
  /** Replace the HTTP layer (tests). */
  transport?: LogTransport;
  /** Clock for the 401/403 grace period (tests). Default Date.now. */
  now?: () => number;
}

export interface CoderLogClient {
  createLogStream(options: LogSourceOptions): Promise<ShippingLogStream>;
  /** Close every stream (tail + summary, then drain within `timeoutMs`, default 10 s) and the connections. */
  close(options?: { timeoutMs?: number }): Promise<void>;
  readonly logFile: string;
  readonly stats: LogStreamStats & {
    /** This run's budget (after what earlier runs sent, with a budget account). */
    budgetBytes: number;
    /** Bytes earlier runs on this agent sent, from the budget account (0 without one). */
    earlierBytes: number;
  };
}

/** The default send-queue bound per stream (see `maxQueueBytes`). */
export const DEFAULT_MAX_QUEUE_BYTES = 1024 * 1024;

/** What a restarted run keeps for its last words (warn/error lines, summary, tail) even when earlier runs used the whole budget. */
export const MIN_RUN_BUDGET_BYTES = 32 * 1024;

/** One client per agent: the byte budget and the local log file are shared by its streams. */
export function createCoderLogClient(options: CoderLogClientOptions): CoderLogClient {
  validateOptions(options);
  const logFilePath = options.logFile ?? join(tmpdir(), `coder-log-client-${process.pid}.log`);
  const streams = new Map<string, CoderLogStream>();
  const openStreams = new Set<CoderLogStream>();
  const warnedOnce = new Set<string>();
  let stopped: StopReason | undefined;

  const warn = (warning: CoderLogWarning, stream?: CoderLogStream, onceKey?: string) => {
    if (warning.code !== 'BAD_REQUEST' && warning.code !== 'FLUSH_TIMEOUT') {
      const key = onceKey === undefined ? warning.code : `${warning.code}:${onceKey}`;
      if (warnedOnce.has(key)) return;
      warnedOnce.add(key);
    }
    options.onWarning?.(warning);
    stream?.emit('warning', warning);
  };
  const file = new LocalLogFile(logFilePath, (err) =>
    warn({
      code: 'LOG_FILE_ERROR',
      message: `cannot write the local log ${logFilePath}: ${err instanceof Error ? err.message : String(err)}`,
    }),
  );
  let lastMs = -1;
  let lastIso = '';
  const account =
    options.budgetAccountFile === undefined
      ? undefined
      : new BudgetAccount(options.budgetAccountFile, budgetAccountAgentKey(options.agentUrl, options.agentToken), (message) =>
          warn({ code: 'BUDGET_ACCOUNT_ERROR', message }),
        );
  const share = options.budgetBytes ?? DEFAULT_BUDGET_BYTES;
  const earlierBytes = account?.earlier.sentBytes ?? 0;
  const runBudget = earlierBytes > 0 ? Math.max(share - earlierBytes, Math.min(share, MIN_RUN_BUDGET_BYTES)) : share;
  const budget = new ByteBudget({
    totalBytes: runBudget,
    ...(options.tailBytes === undefined ? {} : { tailBytes: Math.min(options.tailBytes, runBudget) }),
  });
  const overflow = new OverflowProbe(options.maxOverflowRejections ?? DEFAULT_MAX_OVERFLOW_REJECTIONS);
  // An earlier run on this agent already saw a 413: start careful (no ordinary lines, small batches).
  if (account?.earlier.overflowed) overflow.start(budget.totalBytes);
  let rejectedBatches = 0;
  const ctx: StreamContext = {
    budget,
    transport:
      options.transport ??
      createHttpTransport({
        agentUrl: options.agentUrl,
        agentToken: options.agentToken,
        ...(options.fetchTimeoutMs === undefined ? {} : { fetchTimeoutMs: options.fetchTimeoutMs }),
      }),
    file,
    flushIntervalMs: options.flushIntervalMs ?? 1000,
    batchMaxBytes: options.batchMaxBytes ?? 256 * 1024,
    batchMaxLines: options.batchMaxLines ?? 2000,
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES,
    authGraceMs: options.authGraceMs ?? 60_000,
    backoff: options.backoff ?? {},
    retryAfterMaxMs: options.retryAfterMaxMs ?? 120_000,
    overflow,
    earlierBytes,
    measureAccepted: () => account !== undefined || overflow.active,
    accepted: (bytes) => {
      overflow.accepted(bytes);
      account?.add(bytes);
    },
    rejected: (bytes, detail) => {
      const first = !overflow.active;
      rejectedBatches++;
      const verdict = overflow.rejected(bytes);
      if (first) {
        account?.markOverflowed();
        warn({
          code: 'OVERFLOWED',
          status: detail.status,
          message: `Coder's log limit for this agent is reached (${detail.status} ${detail.message}; the 1 MiB is shared with earlier runs and the agent's scripts): from now only warn/error lines, the summary and the last lines are sent, in batches small enough to fit. Full log: ${logFilePath}`,
        });
        for (const s of streams.values()) s.enterOverflow();
      }
      if (verdict === 'give-up') ctx.stopAll('overflow', detail);
      return verdict;
    },
    summaryReserveBytes: 512,
    now: options.now ?? Date.now,
    isoNow: () => {
      const ms = Date.now();
      if (ms !== lastMs) {
        lastMs = ms;
        lastIso = new Date(ms).toISOString();
      }
      return lastIso;
    },
    otherOpenStreams: (self) => openStreams.size - (openStreams.has(self) ? 1 : 0),
    closed: (self) => {
      openStreams.delete(self);
    },
    auth: { failingSince: undefined },
    warn,
    stopAll: (reason, detail) => {
      if (stopped) return;
      stopped = reason;
      for (const s of streams.values()) s.stopShipping(reason);
      warn(
        reason === 'overflow'
          ? {
              code: 'OVERFLOWED',
              status: detail.status,
              message: `Coder refused ${rejectedBatches} batches as over this agent's log limit (${detail.status} ${detail.message}): no more lines are sent to Coder. Full log: ${logFilePath}`,
            }
          : {
              code: 'UNAUTHORIZED',
              status: detail.status,
              message: `Coder refused the agent token for ${Math.round(ctx.authGraceMs / 1000)} s (${detail.status} ${detail.message}); no more lines are sent. Full log: ${logFilePath}`,
            },
        undefined,
        'stopped',
      );
    },
  };

  let closing: Promise<void> | undefined;
  return {
    logFile: logFilePath,
    async createLogStream(sourceOptions) {
      if (closing) throw new CoderLogClientError('CLOSED', 'createLogStream called after close()');
      const source = createLogSource(sourceOptions);
      const existing = streams.get(source.id);
      if (existing) return existing;
      const stream = new CoderLogStream(source, ctx);
      streams.set(source.id, stream);
      openStreams.add(stream);
      if (stopped) stream.stopShipping(stopped);
      // Registration happens in the stream's send loop, so a slow or absent Coder never blocks here.
      return stream;
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        // Each close() takes its tail synchronously, leaving summary room for the streams after it.
        await Promise.all([...streams.values()].map((s) => s.close(closeOptions)));
        file.close();
        await ctx.transport.close();
      })();
      return closing;
    },
    get stats() {
      const total = { sent: 0, dropped: 0, retried: 0, bytesUsed: 0, overflowed: overflow.active };
      for (const s of streams.values()) {
        const st = s.stats;
        total.sent += st.sent;
        total.dropped += st.dropped;
        total.retried += st.retried;
        total.bytesUsed += st.bytesUsed;
      }
      return { ...total, budgetBytes: budget.totalBytes, earlierBytes };
    },
  };
}

function validateOptions(options: CoderLogClientOptions): void {
  let url: URL | undefined;
  try {
    url = new URL(options.agentUrl);
  } catch (cause) {
    throw new CoderLogClientError('INVALID_OPTIONS', 'agentUrl is not a URL', { cause, field: 'agentUrl' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CoderLogClientError('INVALID_OPTIONS', `agentUrl must be http(s), got ${url.protocol}`, {
      field: 'agentUrl',
    });
  }
  if (typeof options.agentToken !== 'string' || options.agentToken.trim() === '') {
    // Never echo the token.
    throw new CoderLogClientError('INVALID_OPTIONS', 'agentToken is empty', { field: 'agentToken' });
  }
  for (const key of [
    'budgetBytes',
    'flushIntervalMs',
    'fetchTimeoutMs',
    'batchMaxBytes',
    'batchMaxLines',
    'maxQueueBytes',
    'maxOverflowRejections',
    'retryAfterMaxMs',
  ] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isFinite(v) || v <= 0)) {
      throw new CoderLogClientError('INVALID_OPTIONS', `${key} must be a positive number`, { field: key });
    }
  }
}
