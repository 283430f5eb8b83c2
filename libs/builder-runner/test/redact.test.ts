// Pure: redaction and the status file's human form.
import { describe, expect, it } from 'vitest';
import { createRedactor, redact } from '../src/redact.js';
import { createStatus, formatStatus } from '../src/status.js';

describe('redact', () => {
  it('replaces every occurrence of each secret, ignores short or empty ones', () => {
    expect(redact('a tok-1234 b tok-1234', ['tok-1234', '', undefined, 'ab'])).toBe('a *** b ***');
    const r = createRedactor(['one-secret']);
    r.add('two-secret');
    expect(r('one-secret two-secret')).toBe('*** ***');
  });
});

describe('formatStatus', () => {
  it('shows phase timings, container, cache and the last error', () => {
    const s = createStatus({ workspace: 'app', workspaceFolder: '/workspaces/app' });
    Object.assign(s, {
      phase: 'supervise',
      phases: {
        preflight: { startedAt: 'x', durationMs: 1200, outcome: 'success' },
        up: { startedAt: 'y', durationMs: 3400, outcome: 'warning' },
      },
      containerId: '0123456789abcdef',
      reused: true,
      cache: 'hit',
      lastError: { code: 'lifecycle-hook-failed', phase: 'up', message: 'postCreateCommand failed', at: 'z' },
    });
    const text = formatStatus(s);
    expect(text).toContain('phase     supervise');
    expect(text).toContain('  preflight  success 1.2 s');
    expect(text).toContain('container 0123456789ab (reused)');
    expect(text).toContain('error     [lifecycle-hook-failed in up] postCreateCommand failed');
  });
});
