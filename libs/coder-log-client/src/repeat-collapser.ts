import type { LogLevel } from './types.js';

/** Emitted lines, in order. */
export type LineSink = (line: string, level: LogLevel, at: string) => void;

/**
 * Collapses runs of identical consecutive lines (same text and level) into one line with a
 * " (repeated N times)" suffix. A line is held until a different line arrives or `release()`
 * is called (on every flush tick and on close), so a run spanning ticks is reported per tick.
 */
export class RepeatCollapser {
  private line: string | undefined;
  private level: LogLevel = 'info';
  private at = '';
  private count = 0;

  constructor(private readonly sink: LineSink) {}

  /** `at` is the time of the first line of a run (kept as the collapsed line's time). */
  push(line: string, level: LogLevel, at = ''): void {
    if (this.count > 0 && line === this.line && level === this.level) {
      this.count++;
      return;
    }
    this.release();
    this.line = line;
    this.level = level;
    this.at = at;
    this.count = 1;
  }

  /** Emit the held line (if any). */
  release(): void {
    if (this.count === 0 || this.line === undefined) return;
    const { line, level, count, at } = this;
    this.count = 0;
    this.line = undefined;
    this.sink(count === 1 ? line : `${line} (repeated ${count} times)`, level, at);
  }

  get holding(): boolean {
    return this.count > 0;
  }
}
