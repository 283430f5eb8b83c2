import { EventEmitter } from 'node:events';
import { type BackoffOptions, backoffDelay, classifyStatus, describeErrorBody } from './backoff.js';
import { type ByteBudget, describeBudgetHold, formatSummaryLine, type HoldReason, isLowLevel, TailBuffer } from './budget.js';
import { normaliseLine, splitLine, utf8Length } from './line-normalise.js';
import type { LocalLogFile } from './local-log-file.js';
import type { OverflowProbe, OverflowVerdict } from './overflow-probe.js';
import { RepeatCollapser } from './repeat-collapser.js';
import type {
  AgentLogEntry,
  CoderLogWarning,
  LogLevel,
  LogSourceBody,
  LogStreamStats,
  LogTransport,
  ShippingLogStream,
  TransportResponse,
} from './types.js';

export type StopReason = 'overflow' | 'unauthorized' | 'source-refused';

/**
 * What one queued entry costs beyond its output, as the queue bound counts it: the entry object,
 * its string header and the queue slot (about what V8 spends on a short line).
 */
export const QUEUE_ENTRY_OVERHEAD_BYTES = 64;

/** What a stream shares with its client (one per agent). */
export interface StreamContext {
  budget: ByteBudget;
  transport: LogTransport;
  file: LocalLogFile;
  flushIntervalMs: number;
  batchMaxBytes: number;
  batchMaxLines: number;
  /** write() returns false once the queue holds this much (output + per-entry overhead). */
  maxQueueBytes: number;
  authGraceMs: number;
  backoff: BackoffOptions;
  /** Longest wait a Retry-After answer can impose. */
  retryAfterMaxMs: number;
  /** The agent's limit after a 413: shared by all streams. */
  overflow: OverflowProbe;
  /** Bytes earlier runs on this agent sent (from the budget account), for messages. */
  earlierBytes: number;
  /** Whether accepted batches must be measured (budget account or overflow mode). */
  measureAccepted(): boolean;
  /** Coder accepted a batch of `bytes` bytes of output. */
  accepted(bytes: number): void;
  /** Coder answered 413 for a batch of `bytes` bytes: the client decides whether to go on. */
  rejected(bytes: number, detail: { status: number; message: string }): OverflowVerdict;
  /** Bytes to keep free per other open stream for its summary line. */
  summaryReserveBytes: number;
  now(): number;
  isoNow(): string;
  otherOpenStreams(self: CoderLogStream): number;
  /** The stream finished its close (it no longer needs a summary reserve). */
  closed(self: CoderLogStream): void;
  /** First 401/403 of the current run of refusals (shared by all streams). */
  auth: { failingSince: number | undefined };
  /** Report once per code (and `onceKey`, when given); BAD_REQUEST and FLUSH_TIMEOUT every time. */
  warn(warning: CoderLogWarning, stream?: CoderLogStream, onceKey?: string): void;
  stopAll(reason: StopReason, detail: { status?: number; message: string }): void;
}

interface Waiter {
  target: number;
  resolve: () => void;
}

type ExchangeResult = 'ok' | 'dropped' | 'overflow' | 'stopped' | 'aborted';

/**
 * One log source of one agent: normalises, collapses, budgets and batches lines, and ships
 * them with at most one request in flight, in order, retrying what can be retried.
 */
export class CoderLogStream extends EventEmitter implements ShippingLogStream {
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
  /** The request at the head is being retried (no answer, 5xx, 429, 401/403): no backpressure then. */
  private failing = false;
  /** write() returned false: emit 'drain' once the queue has room again. */
  private drainWanted = false;
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
  private lastHoldReason: HoldReason | undefined;
  /** Entries that must survive trimming longest (the summary line). */
  private readonly pinned = new WeakSet<AgentLogEntry>();
  /** The summary line once queued (its counts are brought up to date while it waits). */
  private summaryEntry: AgentLogEntry | undefined;
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
      overflowed: this.ctx.overflow.active,
      held: this.tail.heldLines,
      stopped: this.stopped,
      queuedBytes: this.queueBytes,
    };
  }

  /**
   * Always takes the line (the local log has it before this returns). Returns false once the
   * send queue holds `maxQueueBytes` or more while Coder is answering: a producer that can wait
   * should stop writing until 'drain'. While requests are failing it returns true, so a Coder
   * that is down never holds up the producer (the budget still bounds what is queued).
   */
  write(line: string, level: LogLevel = 'info'): boolean {
    const at = this.ctx.isoNow();
    this.ctx.file.append(this.displayName, level, line, at);
    if (this.closing || this.stopped) {
      this.counters.dropped++;
      return true;
    }
    const lines = normaliseLine(line);
    for (const l of lines) this.collapser.push(l, level, at);
    this.scheduleTick();
    return !this.writableNeedDrain;
  }

  /**
   * True while write() would return false: the queue is at its bound and Coder is answering.
   * When true, 'drain' follows once there is room (or requests start failing).
   */
  get writableNeedDrain(): boolean {
    const full = !this.failing && this.stopped === undefined && this.queueBytes >= this.ctx.maxQueueBytes;
    if (full) this.drainWanted = true;
    return full;
  }

  /** What the queue bound counts: queued output plus a fixed overhead per entry. */
  private get queueBytes(): number {
    return this.queuedBytes + this.pending * QUEUE_ENTRY_OVERHEAD_BYTES;
  }

  /** After the queue shrank or requests started failing: 'drain' for a producer that waits. */
  private maybeDrain(): void {
    if (!this.drainWanted || this.writableNeedDrain) return;
    this.drainWanted = false;
    process.nextTick(() => this.emit('drain'));
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

  /**
   * The agent's limit was reached (a 413): ordinary lines waiting in the queue go back to the
   * tail (they may still be shown on close); warn/error lines and the summary stay queued.
   */
  enterOverflow(): void {
    // While closing, the queue already is the last words (summary, tail): trimming keeps its newest part.
    if (this.stopped || this.closing) return;
    const pending = this.queue.slice(this.head);
    if (pending.length === 0) return;
    // While lines are held, the tail already records queued lines (as sent): do not add them twice.
    const tailHasThem = this.heldLines > 0;
    const keep: AgentLogEntry[] = [];
    let moved = 0;
    for (const e of pending) {
      if (isLowLevel(e.level) && !this.pinned.has(e)) {
        moved++;
        if (tailHasThem) {
          this.refusedLines++;
          this.refusedBytes += utf8Length(e.output);
          this.counters.dropped++;
        } else {
          this.tail.push({ output: e.output, level: e.level, bytes: utf8Length(e.output), createdAt: e.created_at });
        }
      } else {
        keep.push(e);
        if (!tailHasThem)
          this.tail.push({ output: e.output, level: e.level, bytes: utf8Length(e.output), createdAt: e.created_at, sent: true });
      }
    }
    if (!tailHasThem) this.heldLines += moved;
    this.replacePending(keep, moved);
  }

  /** Client-wide stop (413s past the bound, or 401/403 past the grace period): discard what is queued. */
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
    const ctx = this.ctx;
    const overflowHold = ctx.overflow.active && isLowLevel(level);
    if (overflowHold || ctx.budget.admit(level, bytes) === 'hold') {
      this.heldLines++;
      if (!overflowHold) this.warnHold(level, bytes);
      this.tail.push({ output: line, level, bytes, createdAt: at });
      return;
    }
    this.counters.bytesUsed += bytes;
    // Once lines are held back, the tail also records what went out live, so the tail sent
    // on close is the contiguous end of the output.
    if (this.heldLines > 0) this.tail.push({ output: line, level, bytes, createdAt: at, sent: true });
    this.enqueue(line, level, at);
  }

  /** The local message for the first line held for each reason (the overflow has its own). */
  private warnHold(level: LogLevel, bytes: number): void {
    const budget = this.ctx.budget;
    const reason = budget.holdReason(level, bytes);
    if (reason === this.lastHoldReason) return;
    this.lastHoldReason = reason;
    this.ctx.warn(
      {
        code: 'BUDGET_LIMITED',
        message: describeBudgetHold({
          reason,
          usedBytes: budget.used,
          totalBytes: budget.totalBytes,
          tailBytes: budget.tailBytes,
          lineBytes: bytes,
          earlierBytes: this.ctx.earlierBytes,
          logFile: this.ctx.file.path,
        }),
        source: this.displayName,
      },
      this,
      reason,
    );
  }

  private enqueue(line: string, level: LogLevel, at: string, pinned = false): void {
    for (const piece of splitLine(line)) {
      const entry: AgentLogEntry = { created_at: at, output: piece, level };
      if (pinned) {
        this.pinned.add(entry);
        this.summaryEntry ??= entry;
      }
      this.queue.push(entry);
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
      if (this.ctx.overflow.active) {
        // Only what may still fit: the oldest unpinned lines go first.
        this.trimToProbe();
        if (this.pending === 0) return;
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
        if (this.ctx.measureAccepted()) this.ctx.accepted(utf8Bytes(batch));
        this.settle(n);
      } else if (r === 'overflow') {
        // Only this batch was refused: try again smaller (trimmed to the probe), within a bound.
        if (this.ctx.rejected(utf8Bytes(batch), this.lastOverflow) === 'give-up') return;
        continue;
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
      this.setFailing(action === 'retry' || action === 'auth');
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
        this.lastOverflow = { status: res.status, message: describeErrorBody(res.body) };
        return 'overflow';
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
        // 429 and 503 say when to come back (coderd's rate limit: 60 s); earlier only earns another refusal.
        delay = Math.max(delay, Math.min(res.retryAfterSeconds * 1000, this.ctx.retryAfterMaxMs));
      }
      await this.sleep(delay);
    }
  }

  private setFailing(failing: boolean): void {
    if (failing === this.failing) return;
    this.failing = failing;
    if (failing) this.maybeDrain();
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

  private lastOverflow = { status: 413, message: '' };

  /** In overflow mode: drop queued entries, oldest unpinned first, until the queue fits the probe. */
  private trimToProbe(): void {
    const probe = this.ctx.overflow.probeBytes;
    const pending = this.queue.slice(this.head);
    const sizes = pending.map((e) => utf8Length(e.output));
    let total = sizes.reduce((a, b) => a + b, 0);
    if (total <= probe) return;
    if (this.closing && this.summaryEntry === undefined) {
      // Lines are about to be left out while closing, and no summary says so yet: put one first.
      const entry: AgentLogEntry = { created_at: this.ctx.isoNow(), output: this.summaryText(), level: 'warn' };
      this.pinned.add(entry);
      this.summaryEntry = entry;
      pending.unshift(entry);
      sizes.unshift(utf8Length(entry.output));
      total += sizes[0] as number;
      this.enqueued++;
      for (const w of this.waiters) w.target++;
    }
    const drop = new Array<boolean>(pending.length).fill(false);
    for (const pinnedPass of [false, true]) {
      for (let i = 0; i < pending.length && total > probe; i++) {
        if (drop[i] || this.pinned.has(pending[i] as AgentLogEntry) !== pinnedPass) continue;
        drop[i] = true;
        total -= sizes[i] as number;
        this.refusedLines++;
        this.refusedBytes += sizes[i] as number;
      }
    }
    const keep = pending.filter((_, i) => !drop[i]);
    const dropped = pending.length - keep.length;
    this.counters.dropped += dropped;
    const summary = this.summaryEntry;
    if (summary && !drop[pending.indexOf(summary)] && pending.includes(summary)) summary.output = this.summaryText();
    this.replacePending(keep, dropped);
  }

  /** The summary line for what Coder will not show, counted so far. */
  private summaryText(): string {
    return formatSummaryLine({
      lines: this.tail.evictedLines + this.refusedLines,
      bytes: this.tail.evictedBytes + this.refusedBytes,
      logFile: this.ctx.file.path,
    });
  }

  /** Replace the pending entries with `keep`, counting `removed` entries as settled. */
  private replacePending(keep: AgentLogEntry[], removed: number): void {
    this.queue = keep;
    this.head = 0;
    this.queuedBytes = 0;
    for (const e of keep) this.queuedBytes += e.output.length;
    this.settled += removed;
    this.resolveWaiters();
    this.maybeDrain();
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
    this.maybeDrain();
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
    const left = this.ctx.overflow.active ? Math.min(budget.remaining, this.ctx.overflow.probeBytes) : budget.remaining;
    const room = Math.max(0, left - otherReserve - reserve);
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
        this.enqueue(summary, 'warn', at, true);
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

function utf8Bytes(entries: readonly AgentLogEntry[]): number {
  let n = 0;
  for (const e of entries) n += utf8Length(e.output);
  return n;
}
