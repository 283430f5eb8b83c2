// The Coder stand-in's contract (coderd's agent log API as in /work/shared/TESTBED.md).
// Real: an HTTP server on 127.0.0.1 port 0 and Node's fetch. Emulated: coderd itself.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoderStandin, EXTERNAL_LOG_SOURCE_ID, startCoderStandin } from './index.js';

const SRC = '7b7a2f4e-3c1d-4e5f-9a8b-0c1d2e3f4a5b';
let standin: CoderStandin;
afterEach(async () => {
  await standin?.close();
});

function call(method: string, path: string, body?: unknown, token: string | null = standin.agentToken) {
  return fetch(new URL(path, standin.url), {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { 'Coder-Session-Token': token } : {}) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}
const patchLogs = (body: unknown, token?: string | null) => call('PATCH', 'api/v2/workspaceagents/me/logs', body, token);

describe('coder stand-in', () => {
  it('registers log sources idempotently and stores logs in order, truncated to 1024 characters', async () => {
    standin = await startCoderStandin();
    const src = { id: SRC, display_name: 'Build', icon: '/icon/docker.svg' };
    expect((await call('POST', 'api/v2/workspaceagents/me/log-source', src)).status).toBe(201);
    expect((await call('POST', 'api/v2/workspaceagents/me/log-source', src)).status).toBe(201);
    expect(standin.sources()).toEqual([expect.objectContaining({ id: SRC, display_name: 'Build' })]);
    const long = 'é'.repeat(1500);
    const res = await patchLogs({
      log_source_id: SRC,
      logs: [
        { created_at: '2000-01-01T00:00:00Z', output: 'one', level: 'info' },
        { created_at: '2000-01-01T00:00:00Z', output: long, level: 'error' },
        { created_at: '2000-01-01T00:00:00Z', output: 'three', level: '' },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    const logs = standin.logs(SRC);
    expect(logs.map((l) => l.level)).toEqual(['info', 'error', 'info']);
    expect(logs[0]?.output).toBe('one');
    expect(logs[1]?.output).toBe('é'.repeat(1024));
    expect(logs[0]?.created_at.startsWith('2000')).toBe(false);
    // Counted before truncation, in bytes.
    expect(standin.stats().logsLength).toBe(3 + 3000 + 5);
  });

  it('validates like coderd: auth, uuid, empty logs, levels, NUL, display name length', async () => {
    standin = await startCoderStandin({ agentToken: 'secret-token' });
    const ok = { log_source_id: SRC, logs: [{ created_at: '', output: 'x', level: 'info' }] };
    expect((await patchLogs(ok, null)).status).toBe(401);
    expect((await patchLogs(ok, 'wrong')).status).toBe(401);
    expect((await patchLogs({ ...ok, log_source_id: 'nope' })).status).toBe(400);
    expect((await patchLogs('{not json')).status).toBe(400);
    expect((await patchLogs({ log_source_id: SRC, logs: [] })).status).toBe(400);
    const bad = await patchLogs({ log_source_id: SRC, logs: [{ output: 'x', level: 'fatal' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe('Invalid log level provided.');
    expect((await patchLogs({ log_source_id: SRC, logs: [{ output: 'a\u0000b', level: 'info' }] })).status).toBe(500);
    const longName = { id: SRC, display_name: 'n'.repeat(128), icon: '' };
    expect((await call('POST', 'api/v2/workspaceagents/me/log-source', longName)).status).toBe(500);
    expect(standin.logs()).toEqual([]);
    // Requests are recorded with header names only, never the token value.
    const recorded = JSON.stringify(standin.requests());
    expect(recorded).toContain('coder-session-token');
    expect(recorded).not.toContain('secret-token');
  });

  it('files logs with a nil source id under the External source', async () => {
    standin = await startCoderStandin();
    expect((await patchLogs({ logs: [{ output: 'x', level: 'warn' }] })).status).toBe(200);
    expect(standin.logs(EXTERNAL_LOG_SOURCE_ID)).toHaveLength(1);
    expect(standin.sources()[0]?.display_name).toBe('External');
  });

  it('answers 413 once the per-agent total would pass 1 MiB, and forever after', async () => {
    standin = await startCoderStandin();
    const big = 'x'.repeat(1024);
    const batch = { log_source_id: SRC, logs: Array.from({ length: 512 }, () => ({ output: big, level: 'info' })) };
    expect((await patchLogs(batch)).status).toBe(200);
    expect((await patchLogs(batch)).status).toBe(200); // exactly 1 MiB
    const over = await patchLogs({ log_source_id: SRC, logs: [{ output: 'y', level: 'error' }] });
    expect(over.status).toBe(413);
    expect(((await over.json()) as { message: string }).message).toBe('Logs limit exceeded');
    expect((await patchLogs({ log_source_id: SRC, logs: [{ output: '', level: 'error' }] })).status).toBe(413);
    expect(standin.logs()).toHaveLength(1024);
    expect(standin.stats().logsOverflowed).toBe(true);
  });

  it('injects 5xx bursts, 429, resets, stalls and 401 windows', async () => {
    standin = await startCoderStandin({ faults: { serverErrors: 2, serverErrorStatus: 503, tooManyRequests: 1 } });
    const ok = { log_source_id: SRC, logs: [{ output: 'x', level: 'info' }] };
    expect((await patchLogs(ok)).status).toBe(429);
    expect((await patchLogs(ok)).status).toBe(503);
    expect((await patchLogs(ok)).status).toBe(503);
    expect((await patchLogs(ok)).status).toBe(200);
    standin.setFaults({ resets: 1 });
    await expect(patchLogs(ok)).rejects.toThrow();
    expect((await patchLogs(ok)).status).toBe(200);
    standin.setFaults({ unauthorizedForMs: 60_000, unauthorizedStatus: 403 });
    expect((await patchLogs(ok)).status).toBe(403);
    standin.setFaults({ stalls: 1, stallMs: 200 });
    expect((await patchLogs(ok)).status).toBe(200);
    // A client that gives up during a stall stores nothing.
    standin.setFaults({ stalls: 1, stallMs: 5_000 });
    await expect(
      fetch(new URL('api/v2/workspaceagents/me/logs', standin.url), {
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
      'reset',
      '-',
      'unauthorized',
      'stall',
      'stall',
    ]);
  });

  it('serves the manifest (recording agent calls), buildinfo and agent binaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dck-standin-'));
    writeFileSync(join(dir, 'coder'), '#!/bin/sh\necho fake agent\n');
    standin = await startCoderStandin({ agentBinaries: { amd64: join(dir, 'coder') } });
    expect((await call('GET', 'api/v2/workspaceagents/me/manifest', undefined, null)).status).toBe(401);
    const manifest = await call('GET', 'api/v2/workspaceagents/me/manifest');
    expect(manifest.status).toBe(200);
    expect(standin.agentCalls()).toEqual([expect.objectContaining({ path: '/api/v2/workspaceagents/me/manifest' })]);
    expect(await (await call('GET', 'api/v2/buildinfo', undefined, null)).json()).toHaveProperty('version');
    expect(await (await call('GET', 'bin/coder-linux-amd64', undefined, null)).text()).toContain('fake agent');
    expect((await call('GET', 'bin/coder-linux-arm64', undefined, null)).status).toBe(404);
  });

  it('runs as a process that prints its URL and is inspectable over HTTP', async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'cli.mjs'), '--json'], {
      env: { ...process.env, CODER_STANDIN_TOKEN: 'proc-token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const line = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(String(d))));
      const { url, agentToken } = JSON.parse(line) as { url: string; agentToken: string };
      expect(agentToken).toBe('proc-token');
      const res = await fetch(new URL('api/v2/workspaceagents/me/logs', url), {
        method: 'PATCH',
        headers: { 'Coder-Session-Token': 'proc-token' },
        body: JSON.stringify({ log_source_id: SRC, logs: [{ output: 'hello', level: 'info' }] }),
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
