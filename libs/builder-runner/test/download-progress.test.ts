// Pure: sizes, rates, progress/summary lines and what a response's headers promise about its body.
import { describe, expect, it } from 'vitest';
import {
  checkDownload,
  describeDownloadProgress,
  describeDownloadSummary,
  formatBytes,
  formatRate,
  readDownloadExpectation,
} from '../src/download-progress.js';

describe('download progress', () => {
  it('formats sizes and rates in binary multiples', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(100 * 1024 * 1024)).toBe('100.0 MB');
    expect(formatRate(10 * 1024 * 1024, 2000)).toBe('5.0 MB/s');
    expect(formatRate(5, 0)).toBe('0 B/s');
  });

  it('describes progress with and without a total, and the summary with what was verified', () => {
    const MB = 1024 * 1024;
    expect(describeDownloadProgress({ bytes: 42 * MB, total: 100 * MB, elapsedMs: 4000 })).toBe(
      'agent binary: 42.0 MB of 100.0 MB (42%), 10.5 MB/s',
    );
    expect(describeDownloadProgress({ bytes: 3 * MB, elapsedMs: 1000 })).toBe('agent binary: 3.0 MB, 3.0 MB/s');
    expect(describeDownloadSummary({ bytes: 100 * MB, elapsedMs: 8000 }, 'sha1')).toBe(
      'agent binary: 100.0 MB in 8.0 s (12.5 MB/s), size and sha1 verified',
    );
    expect(describeDownloadSummary({ bytes: 1, elapsedMs: 1 }, 'none')).toContain('not cached');
  });

  it('reads coderd’s promises: X-Original-Content-Length over an encoded body, a quoted sha1 ETag only', () => {
    const h = (o: Record<string, string>) => new Headers(o);
    const sha = 'AA'.repeat(20);
    expect(readDownloadExpectation(h({ 'content-length': '10', etag: `"${sha}"` }))).toEqual({ size: 10, sha1: sha.toLowerCase() });
    // gzip: Content-Length (if any) is the compressed size — not a size for the decoded body.
    expect(readDownloadExpectation(h({ 'content-encoding': 'gzip', 'content-length': '4' }))).toEqual({ size: undefined, sha1: undefined });
    expect(readDownloadExpectation(h({ 'content-encoding': 'gzip', 'x-original-content-length': '10' })).size).toBe(10);
    expect(readDownloadExpectation(h({ etag: `W/"${sha}"` })).sha1).toBeUndefined();
    expect(readDownloadExpectation(h({ etag: '"abc"' })).sha1).toBeUndefined();
  });

  it('checks a finished body against size and sha1', () => {
    const sha1 = 'b'.repeat(40);
    expect(checkDownload({ size: 5, sha1 }, { size: 10, sha1 })).toEqual({ problem: 'expected 10 bytes, got 5 (the body ended early)' });
    expect(checkDownload({ size: 10, sha1 }, { size: 10, sha1: 'c'.repeat(40) }).problem).toBe(
      `expected sha1 ${'c'.repeat(40)} (ETag), got ${sha1}`,
    );
    expect(checkDownload({ size: 10, sha1 }, { size: 10, sha1 })).toEqual({ verification: 'sha1' });
    expect(checkDownload({ size: 10, sha1 }, { sha1 })).toEqual({ verification: 'sha1-only' });
    expect(checkDownload({ size: 10, sha1 }, { size: 10 })).toEqual({ verification: 'size' });
    expect(checkDownload({ size: 10, sha1 }, {})).toEqual({ verification: 'none' });
  });
});
