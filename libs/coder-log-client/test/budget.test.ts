// The byte budget and tail buffer. Real: nothing external (pure logic).
import { describe, expect, it } from 'vitest';
import { ByteBudget, DEFAULT_BUDGET_BYTES, describeBudgetHold, formatSize, formatSummaryLine, TailBuffer } from '../src/budget.js';

describe('ByteBudget', () => {
  it('defaults to 896 KiB with quiet mode at 75 % and a 10 % tail reserve', () => {
    const b = new ByteBudget({ totalBytes: DEFAULT_BUDGET_BYTES });
    expect(b.totalBytes).toBe(917_504);
    expect(b.quietAtBytes).toBe(688_128);
    expect(b.tailBytes).toBe(91_750);
  });

  it('sends everything below 75 %, then only warn/error, then holds all but the tail reserve', () => {
    const b = new ByteBudget({ totalBytes: 1000, tailBytes: 100 });
    expect(b.admit('info', 700)).toBe('send');
    expect(b.admit('debug', 40)).toBe('send'); // 700 < 750
    expect(b.quiet).toBe(false);
    expect(b.admit('trace', 20)).toBe('send'); // 740 → 760
    expect(b.quiet).toBe(true);
    expect(b.admit('info', 1)).toBe('hold');
    expect(b.admit('error', 100)).toBe('send'); // 860
    expect(b.admit('warn', 50)).toBe('hold'); // would pass 900 (the tail reserve)
    expect(b.admit('warn', 40)).toBe('send'); // 900
    expect(b.remaining).toBe(100);
    expect(b.spend(100)).toBe(true);
    expect(b.spend(1)).toBe(false);
  });
});

describe('TailBuffer', () => {
  const line = (output: string) => ({ output, level: 'info' as const, bytes: output.length, createdAt: '' });

  it('keeps the newest lines within its size and counts the evicted ones', () => {
    const t = new TailBuffer(10);
    for (const s of ['aaaa', 'bbbb', 'cccc', 'dd']) t.push(line(s));
    expect(t.size).toBe(3);
    expect(t.evictedLines).toBe(1);
    expect(t.evictedBytes).toBe(4);
  });

  it('gives the newest lines that fit on close, in order, and counts the rest', () => {
    const t = new TailBuffer(100);
    for (const s of ['a1', 'b22', 'c333', 'd4444']) t.push(line(s));
    expect(t.takeNewest(9).map((l) => l.output)).toEqual(['c333', 'd4444']);
    expect(t.evictedLines).toBe(2);
    expect(t.evictedBytes).toBe(5);
    expect(t.size).toBe(0);
  });
});

describe('formatSummaryLine', () => {
  it('names the count, the size and the full log', () => {
    expect(formatSummaryLine({ lines: 1234, bytes: 56_789, logFile: '/tmp/x.log' })).toBe(
      '1234 lines / 55 KiB not shown in Coder; full log: /tmp/x.log',
    );
    expect(formatSummaryLine({ lines: 3, bytes: 2048, logFile: 'f' })).toBe('3 lines / 2.0 KiB not shown in Coder; full log: f');
  });
});

describe('budget messages', () => {
  it('formatSize picks bytes, KiB or MiB', () => {
    expect([formatSize(512), formatSize(5632), formatSize(917_504), formatSize(100 * 1024 * 1024)]).toEqual([
      '512 bytes',
      '5.5 KiB',
      '896 KiB',
      '100 MiB',
    ]);
  });

  it('says why a line is held: a line larger than what is left, 75 % reached, or the budget full', () => {
    const b = new ByteBudget({ totalBytes: 917_504 });
    const huge = 100 * 1024 * 1024;
    expect(b.admit('info', huge)).toBe('hold');
    expect(b.holdReason('info', huge)).toBe('too-long');
    const base = { totalBytes: b.totalBytes, tailBytes: b.tailBytes, earlierBytes: 0, logFile: '/tmp/full.log' };
    const tooLong = describeBudgetHold({ ...base, reason: 'too-long', usedBytes: 0, lineBytes: huge });
    expect(tooLong).toBe(
      "a 100 MiB line is larger than the 806 KiB left of this run's Coder log budget: it is held back, shorter lines are still sent; the last lines and a summary follow on close. Full log: /tmp/full.log",
    );
    expect(tooLong).not.toMatch(/0 KiB of/);
    expect(b.admit('info', 700_000)).toBe('send');
    expect(b.holdReason('info', 10)).toBe('quiet');
    expect(b.holdReason('error', 200_000)).toBe('too-long');
    expect(b.admit('error', 125_000)).toBe('send');
    expect(b.holdReason('error', 10)).toBe('full');
    expect(describeBudgetHold({ ...base, reason: 'quiet', usedBytes: 700_000, lineBytes: 10, earlierBytes: 204_800 })).toBe(
      'Coder log budget 684 KiB of 896 KiB used (earlier runs on this agent already sent 200 KiB): from now only warn/error lines are sent; the last lines and a summary follow on close. Full log: /tmp/full.log',
    );
    expect(describeBudgetHold({ ...base, reason: 'full', usedBytes: 825_000, lineBytes: 10 })).toMatch(
      /^Coder log budget full, 806 KiB of 896 KiB used: lines are held back/,
    );
  });
});
