import type { LogLevel } from './types.js';

/** Default share of Coder's 1 MiB per-agent limit (the agent's own scripts use the rest). */
export const DEFAULT_BUDGET_BYTES = 896 * 1024;
/** Fraction of the budget after which trace/debug/info lines are held back. */
export const QUIET_FRACTION = 0.75;
/** Fraction of the budget reserved for the tail and summary sent on close. */
export const TAIL_FRACTION = 0.1;

export type BudgetDecision = 'send' | 'hold';
/** Why a line is held: 75 % reached (low levels), the budget is full, or this one line is larger than what is left. */
export type HoldReason = 'quiet' | 'full' | 'too-long';

const LOW_LEVELS: ReadonlySet<LogLevel> = new Set(['trace', 'debug', 'info']);

/** trace, debug and info: the "ordinary" lines held back first. */
export function isLowLevel(level: LogLevel): boolean {
  return LOW_LEVELS.has(level);
}

/**
 * The byte budget shared by every stream of one client (Coder's limit is per agent).
 * Below 75 % everything is sent; from 75 % only warn/error; the last `tailBytes` are kept
 * for the tail lines and summary that `close()` sends.
 */
export class ByteBudget {
  readonly totalBytes: number;
  readonly quietAtBytes: number;
  readonly tailBytes: number;
  private usedBytes = 0;

  constructor({ totalBytes, tailBytes }: { totalBytes: number; tailBytes?: number }) {
    this.totalBytes = Math.max(0, Math.floor(totalBytes));
    this.tailBytes = Math.floor(tailBytes ?? this.totalBytes * TAIL_FRACTION);
    this.quietAtBytes = Math.floor(this.totalBytes * QUIET_FRACTION);
  }

  get used(): number {
    return this.usedBytes;
  }

  /** True once low levels are held back. */
  get quiet(): boolean {
    return this.usedBytes >= this.quietAtBytes;
  }

  /** Decide for one line of `bytes` and count it when sent. */
  admit(level: LogLevel, bytes: number): BudgetDecision {
    if (this.usedBytes + bytes > this.totalBytes - this.tailBytes) return 'hold';
    if (this.usedBytes >= this.quietAtBytes && LOW_LEVELS.has(level)) return 'hold';
    this.usedBytes += bytes;
    return 'send';
  }

  /** Why `admit(level, bytes)` holds (call after it answered 'hold'). */
  holdReason(level: LogLevel, bytes: number): HoldReason {
    const open = this.totalBytes - this.tailBytes - this.usedBytes;
    if (this.usedBytes >= this.quietAtBytes && LOW_LEVELS.has(level)) return 'quiet';
    if (open > 0 && bytes > open) return 'too-long';
    return 'full';
  }

  /** Bytes still available, tail reserve included (what close() may spend). */
  get remaining(): number {
    return Math.max(0, this.totalBytes - this.usedBytes);
  }

  /** Spend from the remaining budget (tail and summary on close); false when it does not fit. */
  spend(bytes: number): boolean {
    if (this.usedBytes + bytes > this.totalBytes) return false;
    this.usedBytes += bytes;
    return true;
  }
}

export interface HeldLine {
  output: string;
  level: LogLevel;
  bytes: number;
  createdAt: string;
  /** Already sent live (a warn/error line while quiet): kept only so the tail reads contiguously. */
  sent?: boolean;
}

/**
 * The most recent lines once the budget started holding lines back, at most `maxBytes` of
 * output: what close() sends as the tail. Held lines pushed out of it are counted as not shown;
 * lines that were sent live are in it only so the tail is the contiguous end of the output.
 */
export class TailBuffer {
  private items: HeldLine[] = [];
  private head = 0;
  private bytes = 0;
  /** Lines held back and pushed out of the tail (never shown in Coder). */
  evictedLines = 0;
  evictedBytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(line: HeldLine): void {
    this.items.push(line);
    this.bytes += line.bytes;
    while (this.bytes > this.maxBytes && this.head < this.items.length) {
      const old = this.items[this.head++] as HeldLine;
      this.bytes -= old.bytes;
      this.count(old);
    }
    if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  private count(line: HeldLine): void {
    if (line.sent) return;
    this.evictedLines++;
    this.evictedBytes += line.bytes;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Held (never sent) lines currently in the tail. */
  get heldLines(): number {
    let n = 0;
    for (let i = this.head; i < this.items.length; i++) if (!(this.items[i] as HeldLine).sent) n++;
    return n;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Take the newest lines fitting in `budgetBytes` (in order); the rest count as evicted. */
  takeNewest(budgetBytes: number): HeldLine[] {
    const live = this.items.slice(this.head);
    let used = 0;
    let from = live.length;
    while (from > 0) {
      const candidate = live[from - 1] as HeldLine;
      if (used + candidate.bytes > budgetBytes) break;
      used += candidate.bytes;
      from--;
    }
    for (let i = 0; i < from; i++) this.count(live[i] as HeldLine);
    this.items = [];
    this.head = 0;
    this.bytes = 0;
    return live.slice(from);
  }
}

/** The summary line sent in place of what was held back. */
export function formatSummaryLine({ lines, bytes, logFile }: { lines: number; bytes: number; logFile: string }): string {
  const kib = bytes / 1024;
  const size = kib >= 10 ? Math.round(kib).toString() : bytes > 0 && kib < 0.1 ? '0.1' : kib.toFixed(1);
  return `${lines} lines / ${size} KiB not shown in Coder; full log: ${logFile}`;
}

/** `512 bytes`, `12.5 KiB`, `896 KiB`, `95 MiB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const kib = bytes / 1024;
  if (kib < 10) return `${kib.toFixed(1)} KiB`;
  if (kib < 10 * 1024) return `${Math.round(kib)} KiB`;
  return `${Math.round(kib / 1024)} MiB`;
}

/** The one-time local message when the budget first holds a line back. */
export function describeBudgetHold({
  reason,
  usedBytes,
  totalBytes,
  tailBytes,
  lineBytes,
  earlierBytes,
  logFile,
}: {
  reason: HoldReason;
  usedBytes: number;
  totalBytes: number;
  tailBytes: number;
  lineBytes: number;
  /** Bytes earlier runs on this agent already used (from the budget account). */
  earlierBytes: number;
  logFile: string;
}): string {
  const earlier = earlierBytes > 0 ? ` (earlier runs on this agent already sent ${formatSize(earlierBytes)})` : '';
  const end = `; the last lines and a summary follow on close. Full log: ${logFile}`;
  if (reason === 'too-long') {
    const left = Math.max(0, totalBytes - tailBytes - usedBytes);
    return `a ${formatSize(lineBytes)} line is larger than the ${formatSize(left)} left of this run's Coder log budget${earlier}: it is held back, shorter lines are still sent${end}`;
  }
  const used = `${formatSize(usedBytes)} of ${formatSize(totalBytes)} used`;
  if (reason === 'quiet') {
    return `Coder log budget ${used}${earlier}: from now only warn/error lines are sent${end}`;
  }
  return `Coder log budget full, ${used}${earlier}: lines are held back${end}`;
}
