// Collapsing identical consecutive lines. Real: nothing external (pure state machine).
import { describe, expect, it } from 'vitest';
import { RepeatCollapser } from '../src/repeat-collapser.js';
import type { LogLevel } from '../src/types.js';

function collect() {
  const out: [string, LogLevel][] = [];
  const c = new RepeatCollapser((line, level) => out.push([line, level]));
  return { c, out };
}

describe('RepeatCollapser', () => {
  it('collapses a run into one line with "(repeated N times)"', () => {
    const { c, out } = collect();
    for (const l of ['a', 'b', 'b', 'b', 'c']) c.push(l, 'info');
    c.release();
    expect(out).toEqual([
      ['a', 'info'],
      ['b (repeated 3 times)', 'info'],
      ['c', 'info'],
    ]);
  });

  it('treats a different level as a different line', () => {
    const { c, out } = collect();
    c.push('x', 'info');
    c.push('x', 'error');
    c.release();
    expect(out).toEqual([
      ['x', 'info'],
      ['x', 'error'],
    ]);
  });

  it('reports a run per release (flush tick), so nothing waits for the run to end', () => {
    const { c, out } = collect();
    c.push('x', 'warn');
    c.push('x', 'warn');
    c.release();
    c.push('x', 'warn');
    c.release();
    c.release();
    expect(out.map((o) => o[0])).toEqual(['x (repeated 2 times)', 'x']);
  });
});
