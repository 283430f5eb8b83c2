// Backoff and status classification. Real: nothing external (pure functions).
import { describe, expect, it } from 'vitest';
import { backoffDelay, classifyStatus, describeErrorBody } from '../src/backoff.js';

describe('backoffDelay', () => {
  it('doubles from 250 ms with jitter between half and full delay, capped at 5 s', () => {
    const lo = (a: number) => backoffDelay(a, { random: () => 0 });
    const hi = (a: number) => backoffDelay(a, { random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(hi)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
    expect([1, 2, 3, 6].map(lo)).toEqual([125, 250, 500, 2500]);
  });
});

describe('classifyStatus', () => {
  it('maps coderd answers to actions', () => {
    expect(classifyStatus(200)).toBe('ok');
    expect(classifyStatus(201)).toBe('ok');
    expect(classifyStatus(500)).toBe('retry');
    expect(classifyStatus(503)).toBe('retry');
    expect(classifyStatus(429)).toBe('retry');
    expect(classifyStatus(401)).toBe('auth');
    expect(classifyStatus(403)).toBe('auth');
    expect(classifyStatus(400)).toBe('drop');
    expect(classifyStatus(404)).toBe('drop');
    expect(classifyStatus(413)).toBe('overflow');
  });

  it('describes coderd error bodies by message and detail', () => {
    expect(describeErrorBody('{"message":"Invalid log level provided.","detail":"invalid log level: \\"x\\""}')).toBe(
      'Invalid log level provided.: invalid log level: "x"',
    );
    expect(describeErrorBody('')).toBe('(empty body)');
  });
});
