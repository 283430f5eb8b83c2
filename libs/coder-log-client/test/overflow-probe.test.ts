// The overflow probe: what the client still tries after a 413. Real: nothing external (pure logic).
import { describe, expect, it } from 'vitest';
import { OverflowProbe } from '../src/overflow-probe.js';

describe('OverflowProbe', () => {
  it('halves below each refused batch, spends what is accepted, and gives up after the bound', () => {
    const p = new OverflowProbe(4);
    expect(p.active).toBe(false);
    expect(p.rejected(10_000)).toBe('retry-smaller');
    expect([p.active, p.probeBytes]).toEqual([true, 5000]);
    p.accepted(1200);
    expect(p.probeBytes).toBe(3800);
    expect(p.rejected(3000)).toBe('retry-smaller'); // a batch under the probe refused: the probe falls below it
    expect(p.probeBytes).toBe(1500);
    expect(p.rejected(20_000)).toBe('retry-smaller'); // never grows back
    expect(p.probeBytes).toBe(1500);
    expect(p.rejected(1)).toBe('give-up');
    expect(p.probeBytes).toBe(0);
  });

  it('can start without a refusal (an earlier run saw one) and spends down to zero, never below', () => {
    const p = new OverflowProbe();
    p.accepted(100); // inactive: no effect
    expect(p.probeBytes).toBe(Number.POSITIVE_INFINITY);
    p.start(32 * 1024);
    expect([p.active, p.probeBytes]).toEqual([true, 32 * 1024]);
    p.accepted(40 * 1024);
    expect(p.probeBytes).toBe(0);
  });
});
