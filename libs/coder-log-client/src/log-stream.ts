import { EventEmitter } from 'node:events';
import { type BackoffOptions, backoffDelay, classifyStatus, describeErrorBody } from './backoff.js';
import { type ByteBudget, formatSummaryLine, TailBuffer } from './budget.js';
import { normaliseLine, splitLine, utf8Length } from './line-normalise.js';
import type { LocalLogFile } from './local-log-file.js';
import { RepeatCollapser } from './repeat-collapser.js';
import type {
  AgentLogEntry,
  CoderLogWarning,
  LogLevel,
  LogSourceBody,
  LogStream,
  LogStreamStats,
  LogTransport,
  TransportResponse,
} from './types.js';

export type StopReason = 'overflow' | 'unauthorized' | 'source-refused';

/** What a stream shares with its client (one per agent). */
export interface StreamContext {
  budget: ByteBudget;
  transport: LogTransport;
  file: LocalLogFile;
  flushIntervalMs: number;
  batchMaxBytes: number;
  batchMaxLines: number;
  authGraceMs: number;
  backoff: BackoffOptions;
  /** Bytes to keep free per other open stream for its summary line. */
  summaryReserveBytes: number;
  now(): number;
  isoNow(): string;
  otherOpenStreams(self: CoderLogStream): number;
  /** The stream finished its close (it no longer needs a summary reserve). */
  closed(self: CoderLogStream): void;
  /** First 401/403 of the current run of refusals (shared by all streams). */
  auth: { failingSince: number | undefined };
  warn(warning: CoderLogWarning, stream?: CoderLogStream): void;
  stopAll(reason: StopReason, detail: { status?: number; message: string }): void;
}

interface Waiter {
  target: number;
  resolve: () => void;
}

type ExchangeResult = 'ok' | 'dropped' | 'stopped' | 'aborted';

/**
 * One log source of one agent: normalises, collapses, budgets and batches lines, and ships
 * them with at most one request in flight, in order, retrying what can be retried.
 */
export class CoderLogStream extends EventEmitter implements LogStream {
  readonly id: string;
  readonly displayName: string;
  private readonly source: LogSourceBody;
  private readonly ctx: StreamContext;
  private readonly collapser: RepeatCollapser;
  private readonly tail: TailBuffer;

  private queue: AgentLogEntry[] = [];
  private head = 0;
  private queuedBytes = 0;
  private enqueued = 0;
  private settled = 0;
  private waiters: Waiter[] = [];
  private inflight = false;
  private timer: NodeJS.Timeout | undefined;
  private registered = false;
  private abort = new AbortController();
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;
  private stopped: StopReason | undefined;
  private heldLines = 0;
  private refusedLines = 0;
  private refusedBytes = 0;
  private readonly counters = { sent: 0, dropped: 0, retried: 0, bytesUsed: 0 };

  constructor(source: LogSourceBody, ctx: StreamContext) {
    super();
    this.source = source;
    this.id = source.id;
    this.displayName = source.display_name;
    this.ctx = ctx;
    this.tail = new TailBuffer(ctx.budget.tailBytes);
    this.collapser = new RepeatCollapser((line, level, at) => this.emitLine(line, level, at));
  }

  get stats(): LogStreamStats {
    return {
      ...this.counters,
      overflowed: this.stopped === 'overflow',
      held: this.tail.heldLines,
      stopped: this.stopped,
    };
  }

  write(line: string, level: LogLevel = 'info'): void {
    const at = this.ctx.isoNow();
    this.ctx.file.append(this.displayName, level, line, at);
    if (this.closing || this.stopped) {
      this.counters.dropped++;
      return;
    }
    const lines = normaliseLine(line);
    for (const l of lines) this.collapser.push(l, level, at);
    this.scheduleTick();
  }

  async flush(options: { timeoutMs?: number } = {}): Promise<void> {
    this.collapser.release();
    const target = this.enqueued;
    if (this.settled >= target) return;
    const done = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
    this.pump(true);
    if (options.timeoutMs === undefined) return done;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, options.timeoutMs).unref()))]);
    clearTimeout(timer);
  }

  close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closePromise ??= this.doClose(options.timeoutMs ?? 10_000);
    return this.closePromise;
  }

  /** Client-wide stop (413, or 401/403 past the grace period): discard what is queued. */
  stopShipping(reason: StopReason): void {
    if (this.stopped) return;
    this.stopped = reason;
    const pending = this.queue.length - this.head;
    this.counters.dropped += pending;
    this.settle(pending);
    this.counters.dropped += this.tail.heldLines;
    this.tail.takeNewest(0);
  }

  // --- pipeline -------------------------------------------------------------------------

  /** Called by the collapser with a final (normalised, collapsed) line. */
  private emitLine(line: string, level: LogLevel, at: string): void {
    if (this.stopped) {
      this.counters.dropped++;
      return;
    }
    const bytes = utf8Length(line);
    if (this.ctx.budget.admit(level, bytes) === 'hold') {
      if (this.heldLines++ === 0) {
        this.ctx.warn(
          {
            code: 'BUDGET_LIMITED',
            message: `Coder log budget ${Math.round(this.ctx.budget.used / 1024)} KiB of ${Math.round(this.ctx.budget.totalBytes / 1024)} KiB used: only warn/error lines are sent now, the last lines follow on close; full log: ${this.ctx.file.path}`,
            source: this.displayName,
          },
          this,
        );
      }
      this.tail.push({ output: line, level, bytes, createdAt: at });
      return;
    }
    this.counters.bytesUsed += bytes;
    // Once lines are held back, the tail also records what went out live, so the tail sent
    // on close is the contiguous end of the output.
    if (this.heldLines > 0) this.tail.push({ output: line, level, bytes, createdAt: at, sent: true });
    this.enqueue(line, level, at);
  }

  private enqueue(line: string, level: LogLevel, at: string): void {
    for (const piece of splitLine(line)) {
      this.queue.push({ created_at: at, output: piece, level });
      this.queuedBytes += piece.length;
      this.enqueued++;
    }
    if (this.queuedBytes >= this.ctx.batchMaxBytes || this.queue.length - this.head >= this.ctx.batchMaxLines) {
      this.pump(false);
    }
  }

  private scheduleTick(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.collapser.release();
      this.pump(false);
    }, this.ctx.flushIntervalMs);
    this.timer.unref();
  }

  private get pending(): number {
    return this.queue.length - this.head;
  }

  /** Start the send loop unless a request is in flight. */
  private pump(urgent: boolean): void {
    if (urgent) this.urgentUntil = Math.max(this.urgentUntil, this.enqueued);
    if (this.inflight) return;
    if (this.stopped || this.pending === 0) {
      this.resolveWaiters();
      return;
    }
    this.inflight = true;
    void this.sendLoop().finally(() => {
      this.inflight = false;
      this.resolveWaiters();
      if (this.pending > 0 && !this.stopped && !this.abort.signal.aborted) {
        if (this.isUrgent() || this.batchFull()) this.pump(false);
        else this.scheduleTick();
      } else if (this.collapser.holding) {
        this.scheduleTick();
      }
    });
  }

  private urgentUntil = 0;

  private isUrgent(): boolean {
    return this.closing || this.settled < this.urgentUntil;
  }

  private batchFull(): boolean {
    return this.queuedBytes >= this.ctx.batchMaxBytes || this.pending >= this.ctx.batchMaxLines;
  }

  private async sendLoop(): Promise<void> {
    while (!this.stopped && this.pending > 0 && !this.abort.signal.aborted) {
      if (!this.registered) {
        const r = await this.exchange('source', JSON.stringify(this.source), 0);
        if (r === 'ok') this.registered = true;
        else if (r === 'dropped') {
          // Other streams keep shipping; this one cannot.
          this.stopShipping('source-refused');
          return;
        } else return;
      }
      // Take a batch from the head, within the caps.
      let n = 0;
      let bytes = 0;
      const max = this.ctx.batchMaxLines;
      while (n < max && this.head + n < this.queue.length) {
        const e = this.queue[this.head + n] as AgentLogEntry;
        if (n > 0 && bytes + e.output.length > this.ctx.batchMaxBytes) break;
        bytes += e.output.length;
        n++;
      }
      const batch = this.queue.slice(this.head, this.head + n);
      const body = JSON.stringify({ log_source_id: this.source.id, logs: batch });
      const r = await this.exchange('logs', body, n);
      if (r === 'ok') {
        this.counters.sent += n;
        this.settle(n);
      } else if (r === 'dropped') {
        this.counters.dropped += n;
        this.refusedLines += n;
        for (const e of batch) this.refusedBytes += utf8Length(e.output);
        this.settle(n);
      } else {
        return;
      }
      if (!this.isUrgent() && !this.batchFull()) return;
    }
  }

  /** One request, retried per the rules until it succeeds, is refused, shipping stops, or close aborts it. */
  private async exchange(kind: 'source' | 'logs', body: string, lines: number): Promise<ExchangeResult> {
    let attempt = 0;
    for (;;) {
      if (this.stopped) return 'stopped';
      if (this.abort.signal.aborted) return 'aborted';
      let res: TransportResponse | undefined;
      try {
        res =
          kind === 'source'
            ? await this.ctx.transport.postLogSource(body, this.abort.signal)
            : await this.ctx.transport.patchLogs(body, this.abort.signal);
      } catch {
        // Network error (refused, reset, timeout): retried below.
      }
      if (this.abort.signal.aborted) return 'aborted';
      const action = res ? classifyStatus(res.status) : 'retry';
      if (action === 'ok') {
        this.ctx.auth.failingSince = undefined;
        return 'ok';
      }
      if (res && action === 'drop') {
        this.ctx.warn(
          {
            code: 'BAD_REQUEST',
            status: res.status,
            source: this.displayName,
            message:
              kind === 'source'
                ? `Coder refused log source "${this.displayName}" (${res.status} ${describeErrorBody(res.body)}); its lines stay in ${this.ctx.file.path}`
                : `Coder refused a batch of ${lines} lines (${res.status} ${describeErrorBody(res.body)}); they stay in ${this.ctx.file.path}`,
          },
          this,
        );
        return 'dropped';
      }
      if (res && action === 'overflow') {
        if (kind === 'source') {
          // Not a log-source answer coderd gives; treat like a refusal.
          return 'dropped';
        }
        this.ctx.stopAll('overflow', { status: res.status, message: describeErrorBody(res.body) });
        return 'stopped';
      }
      if (res && action === 'auth') {
        const now = this.ctx.now();
        this.ctx.auth.failingSince ??= now;
        if (now - this.ctx.auth.failingSince >= this.ctx.authGraceMs) {
          this.ctx.stopAll('unauthorized', { status: res.status, message: describeErrorBody(res.body) });
          return 'stopped';
        }
      }
      attempt++;
      this.counters.retried++;
      let delay = backoffDelay(attempt, this.ctx.backoff);
      if (res?.retryAfterSeconds !== undefined) {
        delay = Math.max(delay, Math.min(res.retryAfterSeconds * 1000, this.ctx.backoff.capMs ?? 5_000));
      }
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      if (signal.aborted) return resolve();
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Remove `n` entries from the head of the queue (delivered or given up). */
  private settle(n: number): void {
    for (let i = 0; i < n; i++) this.queuedBytes -= (this.queue[this.head + i] as AgentLogEntry).output.length;
    this.head += n;
    this.settled += n;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
      this.queuedBytes = 0;
    } else if (this.head > 8192 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.resolveWaiters();
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const done = this.stopped !== undefined || this.pending === 0;
    this.waiters = this.waiters.filter((w) => {
      if (done || this.settled >= w.target) {
        w.resolve();
        return false;
      }
      return true;
    });
  }

  // --- close ------------------------------------------------------------------------------

  private async doClose(timeoutMs: number): Promise<void> {
    this.collapser.release();
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.appendTailAndSummary();
    const target = this.enqueued;
    if (this.settled < target && !this.stopped) {
      const drained = new Promise<void>((resolve) => this.waiters.push({ target, resolve }));
      this.pump(true);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.abort.abort();
        const left = this.pending;
        this.counters.dropped += left;
        this.settle(left);
        if (left > 0) {
          this.ctx.warn(
            {
              code: 'FLUSH_TIMEOUT',
              source: this.displayName,
              message: `${left} lines not delivered to Coder within ${timeoutMs} ms; full log: ${this.ctx.file.path}`,
            },
            this,
          );
        }
      }
    }
    this.abort.abort();
    this.closed = true;
    this.ctx.closed(this);
    this.ctx.file.flush();
  }

  /** On close: the summary line for what was held back, then the newest held lines. */
  private appendTailAndSummary(): void {
    if (this.stopped) return;
    const budget = this.ctx.budget;
    const reserve = this.ctx.summaryReserveBytes;
    const otherReserve = reserve * this.ctx.otherOpenStreams(this);
    const heldSomething = this.heldLines > 0 || this.refusedLines > 0;
    if (!heldSomething) return;
    const room = Math.max(0, budget.remaining - otherReserve - reserve);
    const tailLines = this.tail.takeNewest(room);
    const notShownLines = this.tail.evictedLines + this.refusedLines;
    const notShownBytes = this.tail.evictedBytes + this.refusedBytes;
    this.counters.dropped += this.tail.evictedLines;
    const at = this.ctx.isoNow();
    if (notShownLines > 0) {
      const summary = formatSummaryLine({ lines: notShownLines, bytes: notShownBytes, logFile: this.ctx.file.path });
      const bytes = utf8Length(summary);
      if (budget.spend(bytes)) {
        this.counters.bytesUsed += bytes;
        this.enqueue(summary, 'warn', at);
      }
    }
    for (const line of tailLines) {
      if (!budget.spend(line.bytes)) {
        if (!line.sent) this.counters.dropped++;
        continue;
      }
      this.counters.bytesUsed += line.bytes;
      this.enqueue(line.output, line.level, line.createdAt);
    }
  }
}
