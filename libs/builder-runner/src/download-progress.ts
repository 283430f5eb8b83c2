// What a download looks like to a person: sizes, rates and the one-line progress and summary the
// agent binary download writes to its phase log. Pure: no clock, no I/O (the caller passes times).

/** 1536 → "1.5 KB", 98_304_000 → "93.8 MB" (binary multiples, one decimal from KB on). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(bytes || 0))} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Bytes per second as "12.3 MB/s" (0 B/s before any time has passed). */
export function formatRate(bytes: number, elapsedMs: number): string {
  return `${formatBytes(elapsedMs > 0 ? (bytes * 1000) / elapsedMs : 0)}/s`;
}

export interface DownloadState {
  /** Bytes received so far (after any content decoding). */
  bytes: number;
  /** Expected size, when the server said it. */
  total?: number | undefined;
  /** Milliseconds since the download started. */
  elapsedMs: number;
}

/** "agent binary: 42.0 MB of 98.3 MB (43%), 12.3 MB/s"; without a total: "agent binary: 42.0 MB, 12.3 MB/s". */
export function describeDownloadProgress({ bytes, total, elapsedMs }: DownloadState, label = 'agent binary'): string {
  const of = total ? ` of ${formatBytes(total)} (${Math.min(100, Math.floor((bytes * 100) / total))}%)` : '';
  return `${label}: ${formatBytes(bytes)}${of}, ${formatRate(bytes, elapsedMs)}`;
}

/** "agent binary: 98.3 MB in 8.0 s (12.3 MB/s), sha1 verified". */
export function describeDownloadSummary(
  { bytes, elapsedMs }: DownloadState,
  verified: DownloadVerification,
  label = 'agent binary',
): string {
  const checks: Record<DownloadVerification, string> = {
    sha1: 'size and sha1 verified',
    'sha1-only': 'sha1 verified',
    size: 'size verified (the server sent no sha1 ETag)',
    none: 'not verified: the server sent neither a size nor a sha1 ETag, so it is not cached',
  };
  return `${label}: ${formatBytes(bytes)} in ${(elapsedMs / 1000).toFixed(1)} s (${formatRate(bytes, elapsedMs)}), ${checks[verified]}`;
}

/** What a finished download was checked against. */
export type DownloadVerification = 'sha1' | 'sha1-only' | 'size' | 'none';

/** What the response headers promise about the body after decoding. */
export interface DownloadExpectation {
  /** Decoded size in bytes, when known. */
  size?: number | undefined;
  /** Lower-case hex sha1 of the decoded body, when the server gave one. */
  sha1?: string | undefined;
}

/**
 * The size and checksum a response promises. coderd's `/bin/*` sets `ETag: "<sha1 hex>"` (from its
 * `coder.sha1` manifest, else computed) and `X-Original-Content-Length: <file size>`, because with
 * `Content-Encoding: gzip` there is no usable Content-Length. Content-Length counts only when the
 * body is not encoded. Weak or non-sha1 ETags are not checksums. Pure.
 */
export function readDownloadExpectation(headers: { get(name: string): string | null }): DownloadExpectation {
  const size = (value: string | null) => (value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined);
  const encoding = (headers.get('content-encoding') ?? '').trim().toLowerCase();
  const etag = /^"([0-9a-fA-F]{40})"$/.exec((headers.get('etag') ?? '').trim());
  return {
    size:
      size(headers.get('x-original-content-length')) ??
      (encoding === '' || encoding === 'identity' ? size(headers.get('content-length')) : undefined),
    sha1: etag?.[1]?.toLowerCase(),
  };
}

/** The problem with a finished body, or undefined when it is what the headers promised. Pure. */
export function checkDownload(
  got: { size: number; sha1: string },
  expected: DownloadExpectation,
): { problem: string; verification?: undefined } | { problem?: undefined; verification: DownloadVerification } {
  if (expected.size !== undefined && got.size !== expected.size)
    return {
      problem: `expected ${expected.size} bytes, got ${got.size}${got.size < expected.size ? ' (the body ended early)' : ''}`,
    };
  if (expected.sha1 !== undefined && got.sha1 !== expected.sha1)
    return { problem: `expected sha1 ${expected.sha1} (ETag), got ${got.sha1}` };
  if (expected.sha1 !== undefined) return { verification: expected.size !== undefined ? 'sha1' : 'sha1-only' };
  return { verification: expected.size !== undefined ? 'size' : 'none' };
}
