// fetchAgentBinary and the prefetch against real HTTP servers on 127.0.0.1 (node:http; no fetch mocks):
// streamed to disk with progress lines, size and sha1 checked as coderd promises them, nothing partial
// or unverified left in the cache.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startCoderStandin } from '../../../tests/support/coder-standin/index.js';
import { fetchAgentBinary, followAgentBinaryPrefetch, prefetchAgentBinary } from '../src/agent-binary.js';
import type { BuilderError } from '../src/errors.js';
import type { LogLevel } from '../src/phase-log.js';

const MB = 1024 * 1024;
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

let buildinfoRequests = 0;
async function serve(bin: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<string> {
  const server = createServer((req, res) => {
    if (req.url === '/api/v2/buildinfo') {
      buildinfoRequests++;
      return res.end(JSON.stringify({ version: 'v2.30.0' }));
    }
    if (req.url?.startsWith('/bin/')) return void bin(req, res);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
}

/** Writes `body` in `parts` pieces, `gapMs` apart (a download slow enough to show progress). */
async function trickle(res: ServerResponse, body: Buffer, parts: number, gapMs: number) {
  const step = Math.ceil(body.length / parts);
  for (let i = 0; i < body.length; i += step) {
    res.write(body.subarray(i, i + step));
    await sleep(gapMs);
  }
  res.end();
}

function collect() {
  const lines: { line: string; level: LogLevel }[] = [];
  return { lines, log: { write: (line: string, level: LogLevel) => void lines.push({ line, level }), async close() {} } };
}

const cacheFiles = (cacheDir: string) =>
  readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => !f.endsWith('v2.30.0') && f !== 'coder-agent');

describe('fetchAgentBinary', () => {
  it('streams to the cache with progress lines every interval and a verified summary, then serves it from the cache', async () => {
    const body = Buffer.alloc(3 * MB, 7);
    let requests = 0;
    const url = await serve(async (_req, res) => {
      requests++;
      res.writeHead(200, { 'content-length': body.length, etag: `"${sha1(body)}"`, 'x-original-content-length': body.length });
      await trickle(res, body, 12, 40);
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    // A partial file a killed builder left (its pid is gone) is removed; nothing else is touched.
    mkdirSync(join(cacheDir, 'coder-agent', 'v2.30.0'), { recursive: true });
    writeFileSync(join(cacheDir, 'coder-agent', 'v2.30.0', 'coder-linux-amd64.4194303.deadbeef.tmp'), 'partial');
    const { lines, log } = collect();
    const bin = await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log, progressIntervalMs: 100 });
    expect(bin).toMatchObject({ version: 'v2.30.0', cached: false, bytes: body.length, verification: 'sha1' });
    expect(readFileSync(bin.path).equals(body)).toBe(true);
    const progress = lines.filter((l) => / of 3\.0 MB \(\d+%\), [\d.]+ \w+\/s$/.test(l.line));
    // ~480 ms of trickle at 100 ms: several lines, not one per chunk (12 chunks).
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThan(12);
    expect(lines.at(-1)).toEqual({
      line: expect.stringMatching(/^agent binary: 3\.0 MB in [\d.]+ s \([\d.]+ \w+\/s\), size and sha1 verified$/),
      level: 'info',
    });
    expect(cacheFiles(cacheDir)).toEqual([join('coder-agent', 'v2.30.0', 'coder-linux-amd64')]);
    expect(await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log })).toMatchObject({ cached: true, path: bin.path });
    expect(requests).toBe(1);
    // With the version preflight read, the cache entry is found without asking buildinfo again.
    const before = buildinfoRequests;
    expect(await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log, coderVersion: 'v2.30.0' })).toMatchObject({
      cached: true,
      path: bin.path,
    });
    expect(buildinfoRequests).toBe(before);
  });

  it('as coderd sends it to fetch (gzip, no Content-Length): total from X-Original-Content-Length, sha1 from the ETag', async () => {
    const body = Buffer.from('#!/bin/sh\necho agent\n'.repeat(50_000));
    const url = await serve((req, res) => {
      expect(req.headers['accept-encoding']).toContain('gzip');
      res.writeHead(200, { 'content-encoding': 'gzip', etag: `"${sha1(body)}"`, 'x-original-content-length': body.length });
      res.end(gzipSync(body));
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const { lines, log } = collect();
    const bin = await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log });
    expect(readFileSync(bin.path).equals(body)).toBe(true);
    expect(bin.verification).toBe('sha1');
    expect(lines.at(-1)?.line).toMatch(/^agent binary: 1\.0 MB in/);
  });

  it('a body cut short fails with agent-download-failed, what was expected and got, and leaves no file', async () => {
    const body = Buffer.alloc(MB, 1);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': body.length, etag: `"${sha1(body)}"` });
      res.write(body.subarray(0, 300_000), () => res.destroy());
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const error = (await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log: collect().log }).catch((e) => e)) as BuilderError;
    expect(error.code).toBe('agent-download-failed');
    expect(error.message).toMatch(/after \d+ of 1048576 bytes/);
    expect(error.message).toContain('downloads it again');
    expect(cacheFiles(cacheDir)).toEqual([]);
  });

  it('a chunked body that ends early (coderd’s gzip case: no Content-Length) fails on X-Original-Content-Length', async () => {
    const body = Buffer.alloc(500_000, 2);
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'x-original-content-length': '1000000', etag: `"${sha1(body)}"` });
      res.end(body);
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const error = (await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log: collect().log }).catch((e) => e)) as BuilderError;
    expect(error.code).toBe('agent-download-failed');
    expect(error.message).toContain('expected 1000000 bytes, got 500000 (the body ended early)');
    expect(error.message).toContain('Nothing was cached');
    expect(cacheFiles(cacheDir)).toEqual([]);
  });

  it('a wrong checksum fails, says both sums and leaves no file; a later good download is cached', async () => {
    const body = Buffer.alloc(200_000, 3);
    let etag = `"${'0'.repeat(40)}"`;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': body.length, etag });
      res.end(body);
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const error = (await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log: collect().log }).catch((e) => e)) as BuilderError;
    expect(error.code).toBe('agent-download-failed');
    expect(error.message).toContain(`expected sha1 ${'0'.repeat(40)} (ETag), got ${sha1(body)}`);
    expect(cacheFiles(cacheDir)).toEqual([]);
    etag = `"${sha1(body)}"`;
    expect(await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log: collect().log })).toMatchObject({ verification: 'sha1' });
  });

  it('a body nothing can verify (no length, no ETag) serves this run only and is never cached', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests++;
      res.write('#!/bin/sh\n'); // chunked: no Content-Length
      res.end();
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const { lines, log } = collect();
    const bin = await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log });
    expect(bin).toMatchObject({ cached: false, verification: 'none' });
    expect(lines.at(-1)?.level).toBe('warn');
    expect(bin.path).not.toBe(join(cacheDir, 'coder-agent', 'v2.30.0', 'coder-linux-amd64'));
    expect(await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log })).toMatchObject({ cached: false });
    expect(requests).toBe(2);
  });

  it('holds only chunks in memory: a 128 MB body does not grow heap + buffers by anything near its size', async () => {
    const chunk = Buffer.alloc(MB, 9);
    const hash = createHash('sha1');
    for (let i = 0; i < 128; i++) hash.update(chunk);
    const url = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-length': 128 * MB, etag: `"${hash.digest('hex')}"` });
      for (let i = 0; i < 128; i++) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      res.end();
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const used = () => {
      const m = process.memoryUsage();
      return m.heapUsed + m.arrayBuffers;
    };
    const base = used();
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, used());
    }, 5);
    try {
      const bin = await fetchAgentBinary({ agentUrl: url, arch: 'amd64', cacheDir, log: collect().log });
      expect(bin.bytes).toBe(128 * MB);
    } finally {
      clearInterval(sampler);
    }
    // arrayBuffer() would need all 128 MB at once; streaming peaked near 30 MB here (256 MB body) (GC leeway included).
    expect(peak - base).toBeLessThan(64 * MB);
  });
});

describe('fetchAgentBinary against the Coder stand-in (coderd’s /bin contract)', () => {
  it('gets the gzip body fetch asks for, sized by X-Original-Content-Length and checked against the sha1 ETag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const body = Buffer.from('#!/bin/sh\necho fake agent\n'.repeat(40_000));
    writeFileSync(join(dir, 'coder'), body);
    const standin = await startCoderStandin({ agentBinaries: { amd64: join(dir, 'coder') } });
    closers.push(() => void standin.close());
    const { lines, log } = collect();
    const bin = await fetchAgentBinary({ agentUrl: standin.url, arch: 'amd64', cacheDir: join(dir, 'cache'), log });
    expect(bin).toMatchObject({ version: 'v2.30.0', cached: false, bytes: body.length, verification: 'sha1' });
    expect(readFileSync(bin.path).equals(body)).toBe(true);
    expect(lines.at(-1)?.line).toMatch(/^agent binary: 1015\.6 KB in .*size and sha1 verified$/);
  });
});

describe('prefetch progress in the agent phase', () => {
  const coder = { agentUrl: '', agentUrlInContainer: '', agentToken: 'agent-token-prefetch', initScript: undefined as string | undefined };

  it('a download still running when the agent phase follows it: where it stands, then live progress and the summary', async () => {
    const body = Buffer.alloc(2 * MB, 5);
    const url = await serve(async (_req, res) => {
      res.writeHead(200, { 'content-length': body.length, etag: `"${sha1(body)}"` });
      await trickle(res, body, 16, 40);
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const early = prefetchAgentBinary({ coder: { ...coder, agentUrl: url }, mode: 'binary', cacheDir, progressIntervalMs: 100 });
    await sleep(250);
    const { lines, log } = collect();
    const bin = await followAgentBinaryPrefetch(early as NonNullable<typeof early>, log);
    expect(bin).toMatchObject({ cached: false, verification: 'sha1' });
    expect(lines[0]?.line).toMatch(
      /^waiting for the agent binary download started while devcontainer up ran \(so far: [\d.]+ \w+ of 2\.0 MB/,
    );
    expect(lines.some((l) => / of 2\.0 MB \(\d+%\)/.test(l.line) && l.line.startsWith('agent binary:'))).toBe(true);
    expect(lines.at(-1)?.line).toMatch(/^agent binary: 2\.0 MB in .* size and sha1 verified$/);
    // Nothing from the quiet part before (the "downloading …" line went nowhere).
    expect(lines.some((l) => l.line.startsWith('downloading the agent binary'))).toBe(false);
  });

  it('a download finished during up: one summary line; a failed one: a warning and undefined', async () => {
    const body = Buffer.alloc(100_000, 6);
    let etag = `"${sha1(body)}"`;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': body.length, etag });
      res.end(body);
    });
    const cacheDir = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const early = prefetchAgentBinary({ coder: { ...coder, agentUrl: url }, mode: 'binary', cacheDir }) as NonNullable<
      ReturnType<typeof prefetchAgentBinary>
    >;
    await early;
    const done = collect();
    await followAgentBinaryPrefetch(early, done.log);
    expect(done.lines.map((l) => l.line)).toEqual([
      expect.stringMatching(/^agent binary: 97\.7 KB in .*verified \(downloaded while devcontainer up ran\)$/),
    ]);

    etag = `"${'f'.repeat(40)}"`;
    const other = mkdtempSync(join(tmpdir(), 'agent-bin-'));
    const failed = collect();
    const bad = prefetchAgentBinary({ coder: { ...coder, agentUrl: url }, mode: 'binary', cacheDir: other }) as NonNullable<
      ReturnType<typeof prefetchAgentBinary>
    >;
    expect(await followAgentBinaryPrefetch(bad, failed.log)).toBeUndefined();
    expect(failed.lines.at(-1)).toEqual({
      line: expect.stringMatching(/^the early agent binary download failed \(.*expected sha1 f+ .*\); downloading again$/),
      level: 'warn',
    });
  });
});
