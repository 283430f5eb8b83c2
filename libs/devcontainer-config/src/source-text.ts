import type { SourceLocation } from './types.js';

/** Maps offsets to 1-based line/column with a binary search over line starts. */
export class LineIndex {
  private starts: number[] | undefined;

  constructor(private readonly text: string) {}

  /** Line starts, computed on first use (a valid config never needs them). */
  private lineStarts(): number[] {
    if (this.starts) return this.starts;
    const text = this.text;
    // A byte order mark is not a column: line 1 starts after it (offsets still count it).
    const starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) starts.push(i + 1);
      else if (ch === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
    return starts;
  }

  locate(offset: number, length = 0): SourceLocation {
    const starts = this.lineStarts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { offset, length, line: lo + 1, column: Math.max(1, offset - (starts[lo] as number) + 1) };
  }
}
