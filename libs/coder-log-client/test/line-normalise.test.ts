// Pure line transformations. Real: nothing external (pure functions).
import { describe, expect, it } from 'vitest';
import { collapseCarriageReturns, normaliseLine, sanitiseLine, splitLine } from '../src/line-normalise.js';

describe('splitLine', () => {
  it('keeps lines of up to 1024 characters whole', () => {
    expect(splitLine('a'.repeat(1024))).toEqual(['a'.repeat(1024)]);
    expect(splitLine('')).toEqual(['']);
  });

  it('splits longer lines into pieces of at most 1024 code points, losing nothing', () => {
    const line = 'x'.repeat(2500);
    const pieces = splitLine(line);
    expect(pieces.map((p) => p.length)).toEqual([1024, 1024, 452]);
    expect(pieces.join('')).toBe(line);
  });

  it('counts code points and never splits a surrogate pair', () => {
    const line = `a${'😀'.repeat(1100)}`; // 1101 code points, 2201 UTF-16 units
    const pieces = splitLine(line);
    expect(pieces.map((p) => [...p].length)).toEqual([1024, 77]);
    expect(pieces.join('')).toBe(line);
    for (const p of pieces) expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    // 600 emoji = 1200 UTF-16 units but only 600 characters: one piece.
    expect(splitLine('😀'.repeat(600))).toHaveLength(1);
  });
});

describe('sanitiseLine', () => {
  it('replaces NUL and lone surrogates (invalid UTF-8) with U+FFFD and keeps valid pairs', () => {
    expect(sanitiseLine('a\u0000b')).toBe('a\uFFFDb');
    expect(sanitiseLine('x\uD800y\uDC00z😀')).toBe('x\uFFFDy\uFFFDz😀');
    expect(sanitiseLine('plain')).toBe('plain');
  });
});

describe('collapseCarriageReturns', () => {
  it('keeps the final state of a progress redraw and drops a CRLF ending', () => {
    expect(collapseCarriageReturns('10%\r50%\r100%')).toBe('100%');
    expect(collapseCarriageReturns('done\r')).toBe('done');
    expect(collapseCarriageReturns('a\r\r')).toBe('a');
    expect(collapseCarriageReturns('\r')).toBe('');
  });
});

describe('normaliseLine', () => {
  it('splits embedded newlines and collapses each line', () => {
    expect(normaliseLine('one\ntwo\r\nthree 1%\rthree 2%\n')).toEqual(['one', 'two', 'three 2%']);
    expect(normaliseLine('ok')).toEqual(['ok']);
  });
});
