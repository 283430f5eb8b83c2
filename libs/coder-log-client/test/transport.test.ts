// Retry-After parsing. Real: nothing external (pure logic).
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../src/transport.js';

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, ignores what it cannot read', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('60', now)).toBe(60);
    expect(parseRetryAfter(['2'], now)).toBe(2);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
