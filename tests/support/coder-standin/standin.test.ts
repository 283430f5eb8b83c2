// The Coder stand-in's contract: each test names the coderd behaviour it copies (facts checked
// against a real coderd v2.30.0, /work/shared/TESTBED.md "Coder agent log API" and "Coder: what a
// real coderd … does").
// Real: an HTTP server on 127.0.0.1 port 0, Node's fetch and http client. Emulated: coderd itself.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CoderStandin,
  EXTERNAL_LOG_SOURCE_ID,
  LOGS_LIMIT_BYTES,
  RATE_LIMIT_REQUESTS,
  STANDIN_CODER_VERSION,
  startCoderStandin,
} from './index.js';

const SRC = '7b7a2f4e-3c1d-4e5f-9a8b-0c1d2e3f4a5b';
const LOGS = 'api/v2/workspaceagents/me/logs';
const LOG_SOURCE = 'api/v2/workspaceagents/me/log-source';
let standin: CoderStandin;
afterEach(async () => {
  await standin?.close();
});

function call(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = standin.agentToken,
  headers: Record<string, string> = {},
) {
  return fetch(new URL(path, standin.url), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'Coder-Session-Token': token } : {}), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
}
const patchLogs = (body: unknown, token?: string | null) => call('PATCH', LOGS, body, token);
const line = (output: string, level = 'info') => ({ created_at: '2000-01-01T00:00:00Z', output, level });
const batch = (...outputs: string[]) => ({ log_source_id: SRC, logs: outputs.map((o) => line(o)) });
async function json(res: Response): Promise<{ message?: string; detail?: string } & Record<string, unknown>> {
  return (await res.json()) as { message?: string; detail?: string };
}

/** A websocket upgrade at the agent's RPC route, as the agent opens its connection; resolves with the status. */
function upgradeRpc(headers: Record<string, string>, query = '?version=2.0'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(`api/v2/workspaceagents/me/rpc${query}`, standin.url), {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        ...headers,
      },
    });
    req.on('upgrade', (res, socket) => {
      expect(res.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('coder stand-in: log sources (coderd POST /workspaceagents/me/log-source)', () => {
  it('201 on registration; registering the id again answers 201 echoing the new name/icon while the stored row keeps the first', async () => {
    standin = await startCoderStandin();
    const first = await call('POST', LOG_SOURCE, { id: SRC, display_name: 'Build', icon: '/icon/docker.svg' });
    expect(first.status).toBe(201);
    expect(await json(first)).toMatchObject({ id: SRC, display_name: 'Build', icon: '/icon/docker.svg' });
    const again = await call('POST', LOG_SOURCE, { id: SRC, display_name: 'Renamed', icon: '/icon/git.svg' });
    expect(again.status).toBe(201);
    expect(await json(again)).toMatchObject({ id: SRC, display_name: 'Renamed', icon: '/icon/git.svg' });
    expect(standin.sources()).toEqual([expect.objectContaining({ id: SRC, display_name: 'Build', icon: '/icon/docker.svg' })]);
  });

  it('a display_name over 127 characters is 201 and stored cut to 127 (not a 5xx)', async () => {
    standin = await startCoderStandin();
    const name = `${'n'.repeat(126)}éxyz`;
    expect((await call('POST', LOG_SOURCE, { id: SRC, display_name: name, icon: '' })).status).toBe(201);
    expect(standin.sources()[0]?.display_name).toBe(`${'n'.repeat(126)}é`);
  });

  it('400 for an id that is not a UUID', async () => {
    standin = await startCoderStandin();
    expect((await call('POST', LOG_SOURCE, { id: 'nope', display_name: 'x', icon: '' })).status).toBe(400);
  });
});

describe('coder stand-in: logs (coderd PATCH /workspaceagents/me/logs)', () => {
  it('200 with body null; stored in order with the server timestamp; output truncated at 1024 code points, bytes counted before truncation', async () => {
    standin = await startCoderStandin();
    const long = '😀'.repeat(1500);
    const res = await patchLogs({ log_source_id: SRC, logs: [line('one'), line(long, 'error'), line('three', '')] });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('null');
    const logs = standin.logs(SRC);
    expect(logs.map((l) => l.level)).toEqual(['info', 'error', 'info']);
    expect(logs[0]?.output).toBe('one');
    expect(logs[1]?.output).toBe('😀'.repeat(1024));
    expect(logs[0]?.created_at.startsWith('2000')).toBe(false);
    expect(standin.stats().logsLength).toBe(3 + 4 * 1500 + 5);
  });

  it('validates like coderd: 400 for a bad uuid, invalid JSON, empty logs, a bad level; 500 for NUL', async () => {
    standin = await startCoderStandin();
    expect((await patchLogs({ ...batch('x'), log_source_id: 'nope' })).status).toBe(400);
    expect((await patchLogs('{not json')).status).toBe(400);
    const empty = await patchLogs({ log_source_id: SRC, logs: [] });
    expect([empty.status, (await json(empty)).message]).toEqual([400, 'No logs provided.']);
    const bad = await patchLogs({ log_source_id: SRC, logs: [line('x', 'fatal')] });
    expect([bad.status, (await json(bad)).message]).toEqual([400, 'Invalid log level provided.']);
    expect((await patchLogs(batch('a\u0000b'))).status).toBe(500);
    expect(standin.logs()).toEqual([]);
    expect(standin.stats().logsLength).toBe(0);
  });

  it('raw bytes ff fe e2 82 are stored as four U+FFFD; a lone surrogate as one U+FFFD (and counted as such)', async () => {
    standin = await startCoderStandin();
    const body = Buffer.concat([
      Buffer.from(`{"log_source_id":"${SRC}","logs":[{"output":"a`),
      Buffer.from([0xff, 0xfe, 0xe2, 0x82]),
      Buffer.from('b","level":"info"},{"output":"x\\ud800y","level":"info"}]}'),
    ]);
    expect((await patchLogs(body)).status).toBe(200);
    expect(standin.logs().map((l) => l.output)).toEqual(['a\uFFFD\uFFFD\uFFFD\uFFFDb', 'x\uFFFDy']);
    expect(standin.stats().logsLength).toBe(2 + 4 * 3 + 2 + 3);
  });

  it('files logs with a nil source id under the built-in External source', async () => {
    standin = await startCoderStandin();
    expect((await patchLogs({ logs: [line('x', 'warn')] })).status).toBe(200);
    expect(standin.logs(EXTERNAL_LOG_SOURCE_ID)).toHaveLength(1);
    expect(standin.sources()[0]?.display_name).toBe('External');
  });

  it('413 is not sticky: only the batch that would pass 1 MiB is refused (the first without detail), later batches that fit are stored, logs_overflowed stays set', async () => {
    standin = await startCoderStandin();
    const kib = 'x'.repeat(1024);
    const full = { log_source_id: SRC, logs: Array.from({ length: 1023 }, () => line(kib)) };
    expect((await patchLogs(full)).status).toBe(200); // 1023 KiB used, 1 KiB left
    const over = await patchLogs(batch('y'.repeat(2000)));
    expect(over.status).toBe(413);
    expect(await json(over)).toEqual({ message: 'Logs limit exceeded' });
    expect(standin.stats().logsOverflowed).toBe(true);
    expect((await patchLogs(batch('0123456789'))).status).toBe(200); // a 10-byte batch
    const again = await patchLogs(batch('z'.repeat(1024)));
    expect(again.status).toBe(413);
    expect((await json(again)).detail).toMatch(/violates check constraint/);
    expect((await patchLogs(batch('e'.repeat(1024 - 10)))).status).toBe(200); // fills to exactly 1 MiB
    expect(standin.stats().logsLength).toBe(LOGS_LIMIT_BYTES);
    expect((await patchLogs(batch(''))).status).toBe(200); // an empty output still fits
    expect((await patchLogs(batch('!'))).status).toBe(413);
    expect(
      standin
        .logs()
        .slice(-3)
        .map((l) => l.output.length),
    ).toEqual([10, 1014, 0]);
    expect(standin.stats().logsOverflowed).toBe(true);
  });
});

describe('coder stand-in: authentication (coderd agent token middleware)', () => {
  it('takes the token as Coder-Session-Token, Authorization: Bearer and ?coder_session_token=', async () => {
    standin = await startCoderStandin();
    const token = standin.agentToken;
    expect((await patchLogs(batch('header'))).status).toBe(200);
    expect((await call('PATCH', LOGS, batch('bearer'), null, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await call('PATCH', `${LOGS}?coder_session_token=${token}`, batch('query'), null)).status).toBe(200);
    expect(standin.logs().map((l) => l.output)).toEqual(['header', 'bearer', 'query']);
    // Requests are recorded with header names and the path only: never the token.
    const recorded = JSON.stringify(standin.requests());
    expect(recorded).toContain('coder-session-token');
    expect(recorded).toContain('authorization');
    expect(recorded).not.toContain(token);
  });

  it("answers coderd's 401 texts: missing token, malformed token, unknown token", async () => {
    standin = await startCoderStandin();
    const missing = await patchLogs(batch('x'), null);
    expect([missing.status, (await json(missing)).message]).toEqual([401, 'Cookie "coder_session_token" must be provided.']);
    const malformed = await patchLogs(batch('x'), 'not-a-uuid');
    expect([malformed.status, (await json(malformed)).message]).toEqual([401, 'Workspace agent token invalid.']);
    const unknown = await patchLogs(batch('x'), randomUUID());
    expect([unknown.status, (await json(unknown)).message]).toEqual([401, 'Workspace agent not authorized.']);
    const source = await call('POST', LOG_SOURCE, { id: SRC, display_name: 'x', icon: '' }, 'not-a-uuid');
    expect(source.status).toBe(401);
    expect(standin.logs()).toEqual([]);
  });

  it('only runs with a UUID agent token, as coderd issues', async () => {
    await expect(startCoderStandin({ agentToken: 'secret-token' })).rejects.toThrow(/must be a UUID/);
    standin = await startCoderStandin({ agentToken: '1E0B3C2A-5D4F-4A6B-8C7D-9E0F1A2B3C4D' });
    expect((await patchLogs(batch('x'), '1e0b3c2a-5d4f-4a6b-8c7d-9e0f1a2b3c4d')).status).toBe(200);
  });
});

describe('coder stand-in: agents (coderd keeps sources, logs and the 1 MiB per agent)', () => {
  it('each agent token is its own agent: its own sources, logs, limit and logs_overflowed, for as long as the stand-in runs', async () => {
    standin = await startCoderStandin();
    const other = standin.addAgent();
    const kib = 'x'.repeat(1024);
    expect((await patchLogs({ log_source_id: SRC, logs: Array.from({ length: 1024 }, () => line(kib)) })).status).toBe(200);
    expect((await patchLogs(batch('over'))).status).toBe(413);
    // The other agent's 1 MiB is untouched.
    expect((await patchLogs(batch('other agent'), other)).status).toBe(200);
    expect((await call('POST', LOG_SOURCE, { id: SRC, display_name: 'Other', icon: '' }, other)).status).toBe(201);
    expect(standin.stats()).toMatchObject({ logsLength: 1_048_576, logsOverflowed: true, logCount: 1024 });
    expect(standin.stats(other)).toMatchObject({ logsLength: 11, logsOverflowed: false, logCount: 1 });
    expect(standin.logs(undefined, other).map((l) => l.output)).toEqual(['other agent']);
    expect(standin.sources(other).map((s) => s.display_name)).toEqual(['Other']);
    expect(standin.sources()).toEqual([]);
    // Out of process: ?agent=<token> on the control routes.
    const stats = await (await fetch(new URL(`__standin/stats?agent=${other}`, standin.url))).json();
    expect(stats).toMatchObject({ logsLength: 11 });
    expect((await fetch(new URL(`__standin/stats?agent=${randomUUID()}`, standin.url))).status).toBe(404);
    expect(() => standin.addAgent('not-a-uuid')).toThrow(/UUID/);
    const added = (await (await fetch(new URL('__standin/agents', standin.url), { method: 'POST' })).json()) as { agentToken: string };
    expect((await patchLogs(batch('third'), added.agentToken)).status).toBe(200);
    expect(standin.logs(undefined, added.agentToken).map((l) => l.output)).toEqual(['third']);
  });
});

describe('coder stand-in: other routes', () => {
  it('GET /api/v2/buildinfo is public and reports a real version string', async () => {
    standin = await startCoderStandin();
    const res = await call('GET', 'api/v2/buildinfo', undefined, null);
    expect(res.status).toBe(200);
    const info = await json(res);
    expect(info.version).toBe(STANDIN_CODER_VERSION);
    expect(info.version).toMatch(/^v2\.\d+\.\d+$/);
  });

  it('GET /api/v2/workspaceagents/me/manifest does not exist over HTTP (404, with or without a token)', async () => {
    standin = await startCoderStandin();
    expect((await call('GET', 'api/v2/workspaceagents/me/manifest')).status).toBe(404);
    expect((await call('GET', 'api/v2/workspaceagents/me/manifest', undefined, null)).status).toBe(404);
    expect(standin.agentCalls()).toEqual([]);
  });

  it('the agent connects with a websocket upgrade at /workspaceagents/me/rpc after authentication, recorded as an agent call', async () => {
    standin = await startCoderStandin();
    expect(await upgradeRpc({})).toBe(401);
    expect(await upgradeRpc({ 'coder-session-token': randomUUID() })).toBe(401);
    expect(await upgradeRpc({ 'coder-session-token': standin.agentToken, 'user-agent': 'fake-agent/1 uid=1000' })).toBe(101);
    expect(await upgradeRpc({ authorization: `Bearer ${standin.agentToken}` }, '?version=9.0')).toBe(400);
    expect(standin.agentCalls()).toEqual([
      expect.objectContaining({ method: 'GET', path: '/api/v2/workspaceagents/me/rpc', userAgent: 'fake-agent/1 uid=1000' }),
    ]);
    // A plain GET (no upgrade) is refused by coderd's websocket library.
    expect((await call('GET', 'api/v2/workspaceagents/me/rpc')).status).toBe(426);
  });

  it('serves agent binaries publicly at /bin/coder-linux-<arch>, 404 when none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dck-standin-'));
    writeFileSync(join(dir, 'coder'), '#!/bin/sh\necho fake agent\n');
    standin = await startCoderStandin({ agentBinaries: { amd64: join(dir, 'coder') } });
    expect(await (await call('GET', 'bin/coder-linux-amd64', undefined, null)).text()).toContain('fake agent');
    expect((await call('GET', 'bin/coder-linux-arm64', undefined, null)).status).toBe(404);
  });

  it('serves /bin/* as coderd’s site/bin.go does: sha1 ETag, X-Original-Content-Length, 304 on If-None-Match, gzip without Content-Length, underscores as hyphens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dck-standin-'));
    const body = Buffer.from('#!/bin/sh\necho fake agent\n'.repeat(1000));
    writeFileSync(join(dir, 'coder'), body);
    standin = await startCoderStandin({ agentBinaries: { amd64: join(dir, 'coder') } });
    const sha1 = createHash('sha1').update(body).digest('hex');
    const get = (path: string, headers: Record<string, string> = {}) => fetch(new URL(path, standin?.url), { headers });
    // Without compression: the file as is, with its length.
    const plain = await get('bin/coder-linux-amd64', { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('etag')).toBe(`"${sha1}"`);
    expect(plain.headers.get('x-original-content-length')).toBe(String(body.length));
    expect(plain.headers.get('content-length')).toBe(String(body.length));
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Buffer.from(await plain.arrayBuffer()).equals(body)).toBe(true);
    // A client that accepts gzip (fetch does by default): gzip, no Content-Length, the size in X-Original-Content-Length.
    const zipped = await new Promise<{ headers: Record<string, unknown>; raw: Buffer }>((resolve, reject) => {
      request(new URL('bin/coder-linux-amd64', standin?.url), { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, raw: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(zipped.headers).toMatchObject({
      'content-encoding': 'gzip',
      etag: `"${sha1}"`,
      'x-original-content-length': String(body.length),
    });
    expect(zipped.headers['content-length']).toBeUndefined();
    expect(gunzipSync(zipped.raw).equals(body)).toBe(true);
    // ETag support and the underscore spelling.
    const notModified = await get('bin/coder-linux-amd64', { 'if-none-match': `"${sha1}"` });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe(`"${sha1}"`);
    expect((await get('bin/coder-linux-amd64', { 'if-none-match': `"${'0'.repeat(40)}"` })).status).toBe(200);
    expect((await get('bin/coder_linux_amd64')).headers.get('etag')).toBe(`"${sha1}"`);
    expect((await get('bin/coder-linux-arm64')).status).toBe(404);
  });
});

describe('coder stand-in: faults', () => {
  it(`opt-in rate limit at coderd's threshold: ${RATE_LIMIT_REQUESTS} requests per minute per IP and endpoint, then 429 with Retry-After: 60`, async () => {
    standin = await startCoderStandin({ faults: { rateLimit: true } });
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT_REQUESTS; i += 32) {
      const res = await Promise.all(Array.from({ length: 32 }, () => call('GET', 'api/v2/buildinfo', undefined, null)));
      for (const r of res) {
        statuses.push(r.status);
        await r.arrayBuffer();
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT_REQUESTS);
    const limited = await call('GET', 'api/v2/buildinfo', undefined, null);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    // Per endpoint: another route is not limited yet.
    expect((await patchLogs(batch('still fine'))).status).toBe(200);
    expect(standin.requests().at(-2)?.fault).toBe('rateLimit');
  });

  it('does not rate-limit unless asked (tests send bursts)', async () => {
    standin = await startCoderStandin();
    const res = await Promise.all(Array.from({ length: RATE_LIMIT_REQUESTS + 8 }, () => call('GET', 'api/v2/buildinfo', undefined, null)));
    expect(res.every((r) => r.status === 200)).toBe(true);
    await Promise.all(res.map((r) => r.arrayBuffer()));
  });

  it('injects 5xx bursts, 429 (Retry-After 60 by default, as coderd), resets, stalls and 401 windows', async () => {
    standin = await startCoderStandin({ faults: { serverErrors: 2, serverErrorStatus: 503, tooManyRequests: 1 } });
    const ok = batch('x');
    const limited = await patchLogs(ok);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '60']);
    expect((await patchLogs(ok)).status).toBe(503);
    expect((await patchLogs(ok)).status).toBe(503);
    expect((await patchLogs(ok)).status).toBe(200);
    standin.setFaults({ tooManyRequests: 1, retryAfterSeconds: 0 });
    expect((await patchLogs(ok)).headers.get('retry-after')).toBe('0');
    standin.setFaults({ resets: 1 });
    await expect(patchLogs(ok)).rejects.toThrow();
    expect((await patchLogs(ok)).status).toBe(200);
    standin.setFaults({ unauthorizedForMs: 60_000, unauthorizedStatus: 403 });
    expect((await patchLogs(ok)).status).toBe(403);
    standin.setFaults({ stalls: 1, stallMs: 200 });
    expect((await patchLogs(ok)).status).toBe(200);
    // A client that gives up during a stall stores nothing (coderd's request context is cancelled).
    standin.setFaults({ stalls: 1, stallMs: 5_000 });
    await expect(
      fetch(new URL(LOGS, standin.url), {
        method: 'PATCH',
        headers: { 'Coder-Session-Token': standin.agentToken },
        body: JSON.stringify(ok),
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    expect(standin.logs()).toHaveLength(3);
    expect(standin.requests().map((r) => r.fault ?? '-')).toEqual([
      'tooMany',
      'serverError',
      'serverError',
      '-',
      'tooMany',
      'reset',
      '-',
      'unauthorized',
      'stall',
      'stall',
    ]);
  });
});

describe('coder stand-in: as a process', () => {
  it('prints its URL and is inspectable over HTTP', async () => {
    const token = randomUUID();
    const child = spawn(process.execPath, [join(import.meta.dirname, 'cli.mjs'), '--json'], {
      env: { ...process.env, CODER_STANDIN_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const out = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d))));
      const { url, agentToken } = JSON.parse(out) as { url: string; agentToken: string };
      expect(agentToken).toBe(token);
      const res = await fetch(new URL(LOGS, url), {
        method: 'PATCH',
        headers: { 'Coder-Session-Token': token },
        body: JSON.stringify(batch('hello')),
      });
      expect(res.status).toBe(200);
      const logs = (await (await fetch(new URL('__standin/logs', url))).json()) as { output: string }[];
      expect(logs.map((l) => l.output)).toEqual(['hello']);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    standin = await startCoderStandin(); // for afterEach
  });
});
