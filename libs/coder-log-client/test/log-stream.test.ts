// Batching, ordering, retries and failure handling of a stream, with a scripted transport and
// vitest's fake clock. Real: the stream, budget and local log file (a temp file). Scripted: HTTP.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { budgetAccountAgentKey, formatBudgetAccount } from '../src/budget-account.js';
import { type CoderLogClientOptions, createCoderLogClient, MIN_RUN_BUDGET_BYTES } from '../src/client.js';
import type { AgentLogEntry, CoderLogWarning, LogTransport, TransportResponse } from '../src/types.js';

interface Call {
  kind: 'source' | 'logs';
  at: number;
  logs: AgentLogEntry[];
  ok?: boolean;
}
type Answer = TransportResponse | Error | 'hang';

/** A transport that records calls and answers from a script (default 200/201). */
function scriptedTransport(script: (call: Call, index: number) => Answer | undefined = () => undefined) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const answer = async (kind: Call['kind'], body: string, signal: AbortSignal) => {
    const parsed = JSON.parse(body) as { logs?: AgentLogEntry[] };
    const call: Call = { kind, at: Date.now(), logs: parsed.logs ?? [] };
    calls.push(call);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const a = script(call, calls.length - 1) ?? { status: kind === 'source' ? 201 : 200, body: '' };
      if (a === 'hang') {
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      await Promise.resolve();
      if (a instanceof Error) throw a;
      const response = a as TransportResponse;
      call.ok = response.status < 300;
      return response;
    } finally {
      inFlight--;
    }
  };
  const transport: LogTransport = {
    postLogSource: (body, signal) => answer('source', body, signal),
    patchLogs: (body, signal) => answer('logs', body, signal),
    close: async () => {},
  };
  return {
    transport,
    calls,
    logCalls: () => calls.filter((c) => c.kind === 'logs'),
    shipped: () => calls.filter((c) => c.kind === 'logs' && c.ok).flatMap((c) => c.logs.map((l) => l.output)),
    maxInFlight: () => maxInFlight,
  };
}

let dir: string;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-'));
});
afterEach(() => {
  vi.useRealTimers();
});

function makeClient(transport: LogTransport, extra: Partial<CoderLogClientOptions> = {}) {
  const warnings: CoderLogWarning[] = [];
  const client = createCoderLogClient({
    agentUrl: 'http://127.0.0.1:1/',
    agentToken: 'sekrit-agent-token',
    logFile: join(dir, 'full.log'),
    transport,
    onWarning: (w) => warnings.push(w),
    backoff: { random: () => 0.999999 },
    ...extra,
  });
  return { client, warnings };
}

describe('batching', () => {
  it('sends once per flush interval, never an empty batch, registering the source first', async () => {
    const t = scriptedTransport();
    const { client } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(t.calls).toHaveLength(0); // nothing written: nothing sent
    s.write('a', 'info');
    s.write('b', 'warn');
    await vi.advanceTimersByTimeAsync(999);
    expect(t.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.calls.map((c) => c.kind)).toEqual(['source', 'logs']);
    expect(t.logCalls()[0]?.logs).toEqual([
      { created_at: '2026-01-01T00:00:05.000Z', output: 'a', level: 'info' },
      { created_at: '2026-01-01T00:00:05.000Z', output: 'b', level: 'warn' },
    ]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(t.logCalls()).toHaveLength(1);
    await client.close();
    expect(t.logCalls().every((c) => c.logs.length > 0)).toBe(true);
  });

  it('sends early when a batch reaches the size cap, one request in flight', async () => {
    let release: (() => void) | undefined;
    const t = scriptedTransport();
    const slow: LogTransport = {
      ...t.transport,
      patchLogs: async (body, signal) => {
        await new Promise<void>((r) => {
          release = r;
        });
        return t.transport.patchLogs(body, signal);
      },
    };
    const { client } = makeClient(slow, { batchMaxLines: 10 });
    const s = await client.createLogStream({ displayName: 'Build' });
    for (let i = 0; i < 35; i++) s.write(`line ${i}`);
    await vi.advanceTimersByTimeAsync(0);
    // The first batch of 10 went out before the interval; the rest waits for it.
    for (let round = 0; round < 5 && release; round++) {
      const r = release;
      release = undefined;
      r();
      await vi.advanceTimersByTimeAsync(0);
    }
    await vi.advanceTimersByTimeAsync(1000);
    release?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.maxInFlight()).toBe(1);
    expect(t.logCalls().map((c) => c.logs.length)).toEqual([10, 10, 10, 5]);
    expect(t.shipped()).toEqual(Array.from({ length: 35 }, (_, i) => `line ${i}`));
    await client.close();
  });

  it('collapses repeats per tick and splits long lines before sending', async () => {
    const t = scriptedTransport();
    const { client } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    for (let i = 0; i < 5; i++) s.write('Waiting for the database');
    s.write('x'.repeat(2100), 'error');
    s.write('50%\r100%');
    s.write('bad\u0000byte');
    await client.close();
    expect(t.shipped()).toEqual([
      'Waiting for the database (repeated 5 times)',
      'x'.repeat(1024),
      'x'.repeat(1024),
      'x'.repeat(52),
      '100%',
      'bad\uFFFDbyte',
    ]);
    // The local log has every line as written.
    const local = readFileSync(client.logFile, 'utf8').trim().split('\n');
    expect(local).toHaveLength(8);
    expect(local.filter((l) => l.endsWith('Waiting for the database'))).toHaveLength(5);
  });
});

describe('retries', () => {
  it('retries 5xx, 429 and network errors with capped exponential backoff, keeping order', async () => {
    const failures: Answer[] = [
      { status: 500, body: '' },
      { status: 503, body: '' },
      new Error('ECONNRESET'),
      { status: 429, body: '', retryAfterSeconds: 3 },
      { status: 502, body: '' },
      { status: 500, body: '' },
      { status: 500, body: '' },
    ];
    let logCall = 0;
    const t = scriptedTransport((call) => (call.kind === 'logs' ? failures[logCall++] : undefined));
    const { client } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    s.write('first');
    await vi.advanceTimersByTimeAsync(1000);
    s.write('second'); // arrives while the first batch is being retried
    await vi.advanceTimersByTimeAsync(60_000);
    const attempts = t.logCalls();
    const gaps = attempts.slice(1).map((c, i) => c.at - (attempts[i] as Call).at);
    // 250, 500, 1000, then Retry-After 3 s beats 2000, 4000, 5000 (cap), 5000.
    expect(gaps.slice(0, 7)).toEqual([250, 500, 1000, 3000, 4000, 5000, 5000]);
    expect(t.shipped()).toEqual(['first', 'second']);
    expect(s.stats).toMatchObject({ sent: 2, dropped: 0, retried: 7 });
    await client.close();
  });

  it('retries 401/403 for 60 s, then stops shipping with one warning; the local log keeps everything', async () => {
    const t = scriptedTransport((call) => (call.kind === 'logs' ? { status: 401, body: '{"message":"nope"}' } : undefined));
    const { client, warnings } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    s.write('one');
    await vi.advanceTimersByTimeAsync(59_000);
    expect(s.stats.stopped).toBeUndefined();
    s.write('two');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(s.stats.stopped).toBe('unauthorized');
    const calls = t.logCalls().length;
    s.write('three');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.logCalls()).toHaveLength(calls);
    expect(warnings.filter((w) => w.code === 'UNAUTHORIZED')).toHaveLength(1);
    expect(warnings[0]?.message).not.toContain('sekrit');
    await client.close();
    expect(readFileSync(client.logFile, 'utf8')).toMatch(/one\n.*two\n.*three\n$/s);
  });

  it('recovers when the token becomes valid within the grace period', async () => {
    let n = 0;
    const t = scriptedTransport((call) => (call.kind === 'logs' && n++ < 5 ? { status: 403, body: '' } : undefined));
    const { client, warnings } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    s.write('early');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(t.shipped().at(-1)).toBe('early');
    expect(s.stats.sent).toBe(1);
    expect(warnings).toEqual([]);
    await client.close();
  });

  it('drops a batch refused with 400 and says why, then carries on', async () => {
    let n = 0;
    const t = scriptedTransport((call) =>
      call.kind === 'logs' && n++ === 0
        ? { status: 400, body: '{"message":"Invalid log level provided.","detail":"invalid log level: \\"x\\""}' }
        : undefined,
    );
    const { client, warnings } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    s.write('refused');
    await vi.advanceTimersByTimeAsync(1000);
    s.write('accepted');
    await client.close();
    expect(warnings).toEqual([
      expect.objectContaining({ code: 'BAD_REQUEST', status: 400, message: expect.stringContaining('Invalid log level provided.') }),
    ]);
    expect(s.stats).toMatchObject({ sent: 2, dropped: 1 }); // 'accepted' + the summary line
    expect(t.shipped()).toEqual(['accepted', expect.stringMatching(/^1 lines \/ 0.1 KiB not shown in Coder/)]);
  });

  it('honours Retry-After on 429 and 503 beyond the backoff cap (coderd rate-limits with Retry-After: 60)', async () => {
    const failures: Answer[] = [
      { status: 429, body: '', retryAfterSeconds: 60 },
      { status: 503, body: '', retryAfterSeconds: 7 },
    ];
    let logCall = 0;
    const t = scriptedTransport((call) => (call.kind === 'logs' ? failures[logCall++] : undefined));
    const { client } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    s.write('first');
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(t.logCalls()).toHaveLength(1); // not after the 5 s backoff cap: after 60 s
    await vi.advanceTimersByTimeAsync(1);
    expect(t.logCalls()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(6_999);
    expect(t.logCalls()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.shipped()).toEqual(['first']);
    await client.close();
  });
});

/** A scripted coderd that takes `limit` bytes of output in all, refusing (413) only batches that would pass it. */
function limitedAgent(limit: number) {
  let used = 0;
  const answers: number[] = [];
  const t = scriptedTransport((call) => {
    if (call.kind !== 'logs') return undefined;
    const bytes = call.logs.reduce((n, l) => n + Buffer.byteLength(l.output), 0);
    if (used + bytes > limit) {
      answers.push(413);
      return { status: 413, body: '{"message":"Logs limit exceeded"}' };
    }
    used += bytes;
    answers.push(200);
    return undefined;
  });
  return { ...t, answers, used: () => used };
}

describe('after a 413 (the agent limit is reached, coderd refuses only that batch)', () => {
  it('stops ordinary lines but still sends warn/error lines, the summary and the tail, in batches small enough to fit', async () => {
    const agent = limitedAgent(6000);
    const { client, warnings } = makeClient(agent.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    for (let i = 0; i < 100; i++) s.write(`step ${String(i).padStart(3, '0')} ${'.'.repeat(90)}`); // 100 bytes each
    await vi.advanceTimersByTimeAsync(1000); // one batch of 10 000 bytes: refused
    expect(agent.answers).toEqual([413]);
    expect(s.stats.overflowed).toBe(true);
    s.write('warning: disk almost full', 'warn');
    for (let i = 100; i < 120; i++) s.write(`step ${i} ${'.'.repeat(90)}`);
    s.write('npm ERR! code ELIFECYCLE', 'error');
    s.write('Build failed: exit code 1', 'error');
    await vi.advanceTimersByTimeAsync(1000);
    await client.close();
    const shipped = agent.shipped();
    // No ordinary line went out live after the 413; the warn/error lines did.
    expect(shipped.slice(0, 3)).toEqual(['warning: disk almost full', 'npm ERR! code ELIFECYCLE', 'Build failed: exit code 1']);
    // Then the summary and the end of the output, finishing with the last words.
    const summary = shipped.find((o) => / not shown in Coder; full log: /.test(o));
    expect(summary).toBeDefined();
    expect(shipped.at(-1)).toBe('Build failed: exit code 1');
    expect(shipped.indexOf(summary as string)).toBeLessThan(shipped.length - 1);
    expect(agent.used()).toBeLessThanOrEqual(6000);
    expect(agent.answers.filter((a) => a === 413).length).toBeLessThanOrEqual(8);
    expect(warnings.map((w) => w.code)).toEqual(['OVERFLOWED']);
    expect(warnings[0]?.message).toMatch(/only warn\/error lines, the summary and the last lines/);
    expect(readFileSync(client.logFile, 'utf8').trim().split('\n')).toHaveLength(123);
  });

  it('on a full agent: sends nothing more after a bounded number of 413s, and close() still returns', async () => {
    const agent = limitedAgent(0);
    const { client, warnings } = makeClient(agent.transport, { maxOverflowRejections: 5 });
    const a = await client.createLogStream({ displayName: 'A' });
    const b = await client.createLogStream({ displayName: 'B' });
    for (let i = 0; i < 50; i++) a.write(`a line ${i}`);
    for (let i = 0; i < 50; i++) b.write(`b error ${i}`, 'error');
    await vi.advanceTimersByTimeAsync(5000);
    for (let i = 0; i < 50; i++) b.write(`b error late ${i}`, 'error');
    const closed = client.close();
    await vi.advanceTimersByTimeAsync(60_000);
    await closed;
    expect(agent.answers.every((a) => a === 413)).toBe(true);
    expect(agent.answers.length).toBeLessThanOrEqual(5);
    expect(agent.answers.length).toBeGreaterThan(0);
    expect(warnings.map((w) => w.code)).toEqual(['OVERFLOWED', 'OVERFLOWED']);
    expect(warnings[1]?.message).toMatch(/no more lines are sent to Coder/);
    expect(a.stats.stopped).toBe('overflow');
    expect(client.stats.overflowed).toBe(true);
    expect(client.stats.sent).toBe(0);
  });
});

describe('close', () => {
  it('close() gives up after its timeout without blocking, counting what was left', async () => {
    const t = scriptedTransport((call) => (call.kind === 'logs' ? 'hang' : undefined));
    const { client, warnings } = makeClient(t.transport);
    const s = await client.createLogStream({ displayName: 'Build' });
    s.write('a');
    s.write('b');
    const closed = client.close({ timeoutMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    await closed;
    expect(s.stats.dropped).toBe(2);
    expect(warnings.map((w) => w.code)).toEqual(['FLUSH_TIMEOUT']);
  });
});

describe('budget', () => {
  it('shares one budget between streams and holds low levels back from 75 %', async () => {
    const t = scriptedTransport();
    const { client, warnings } = makeClient(t.transport, { budgetBytes: 10_000 });
    const a = await client.createLogStream({ displayName: 'A' });
    const b = await client.createLogStream({ displayName: 'B' });
    for (let i = 0; i < 40; i++) a.write(`${'a'.repeat(96)}${String(i).padStart(3, '0')}`); // 99 bytes each
    for (let i = 0; i < 40; i++) b.write(`${'b'.repeat(96)}${String(i).padStart(3, '0')}`);
    b.write('real problem', 'error');
    await vi.advanceTimersByTimeAsync(1000);
    expect(a.stats.bytesUsed + b.stats.bytesUsed).toBeLessThanOrEqual(7500 + 99);
    expect(t.shipped()).toContain('real problem');
    expect(warnings.filter((w) => w.code === 'BUDGET_LIMITED')).toHaveLength(1);
    await client.close();
    expect(client.stats.bytesUsed).toBeLessThanOrEqual(10_000);
  });

  it('with a budget account: starts from what earlier runs left, but keeps at least 32 KiB for its last words', async () => {
    const accountFile = join(dir, 'account.json');
    const key = budgetAccountAgentKey('http://127.0.0.1:1/', 'sekrit-agent-token');
    const run = async (sentBefore: number) => {
      writeFileSync(accountFile, formatBudgetAccount({ sentBytes: sentBefore, overflowed: false }, key));
      const t = scriptedTransport();
      const { client } = makeClient(t.transport, { budgetAccountFile: accountFile });
      const s = await client.createLogStream({ displayName: 'Build' });
      s.write('x'.repeat(100));
      await client.close();
      return client.stats;
    };
    expect(await run(100_000)).toMatchObject({ earlierBytes: 100_000, budgetBytes: 917_504 - 100_000 });
    expect(await run(917_504)).toMatchObject({ earlierBytes: 917_504, budgetBytes: MIN_RUN_BUDGET_BYTES });
    // This run's 100 bytes were added to the account.
    expect(JSON.parse(readFileSync(accountFile, 'utf8'))).toMatchObject({ sentBytes: 917_604, overflowed: false });
    // Another agent's account (another token) does not count.
    writeFileSync(
      accountFile,
      formatBudgetAccount({ sentBytes: 800_000, overflowed: true }, budgetAccountAgentKey('http://127.0.0.1:1/', 'old')),
    );
    const { client } = makeClient(scriptedTransport().transport, { budgetAccountFile: accountFile });
    expect(client.stats).toMatchObject({ earlierBytes: 0, budgetBytes: 917_504, overflowed: false });
    await client.close();
  });
});
