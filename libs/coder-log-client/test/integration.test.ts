// The client against the loopback Coder stand-in under each injected fault.
// Real: the client, node:http over TCP on 127.0.0.1, the local log file, the stand-in HTTP server.
// Emulated: coderd (tests/support/coder-standin follows its agent log contract).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoderStandin, type CoderStandinFaults, startCoderStandin } from '../../../tests/support/coder-standin/index.js';
import { type CoderLogClientOptions, createCoderLogClient } from '../src/client.js';
import type { CoderLogWarning } from '../src/types.js';

let standin: CoderStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

async function setup(faults: CoderStandinFaults = {}, extra: Partial<CoderLogClientOptions> = {}, logsLimitBytes?: number) {
  standin = await startCoderStandin({ faults, ...(logsLimitBytes ? { logsLimitBytes } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-'));
  const warnings: CoderLogWarning[] = [];
  const client = createCoderLogClient({
    agentUrl: standin.url,
    agentToken: standin.agentToken,
    logFile: join(dir, 'full.log'),
    flushIntervalMs: 50,
    batchMaxLines: 200,
    backoff: { baseMs: 20, capMs: 200 },
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { standin, client, warnings };
}

/** Use `bytes` of the agent's limit as its own scripts would (External source), 1 KiB lines. */
async function fillAgent(standin: CoderStandin, bytes: number) {
  const url = new URL('api/v2/workspaceagents/me/logs', standin.url);
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, 256 * 1024);
    const logs = [];
    for (let k = n; k > 0; k -= 1024)
      logs.push({ created_at: new Date().toISOString(), output: 's'.repeat(Math.min(k, 1024)), level: 'info' });
    const res = await fetch(url, {
      method: 'PATCH',
      headers: { 'Coder-Session-Token': standin.agentToken },
      body: JSON.stringify({ logs }),
    });
    expect(res.status).toBe(200);
    left -= n;
  }
}

/** Write `n` distinct lines over a few event-loop turns, so batches and faults interleave. */
async function writeLines(write: (line: string) => void, n: number, prefix = 'line') {
  const written: string[] = [];
  for (let i = 0; i < n; i++) {
    const line = `${prefix} ${i}`;
    written.push(line);
    write(line);
    if (i % 250 === 249) await new Promise((r) => setTimeout(r, 20));
  }
  return written;
}

const faultCases: [string, CoderStandinFaults, Partial<CoderLogClientOptions>?][] = [
  ['a 5xx burst', { serverErrors: 6, serverErrorStatus: 503, every: 2 }],
  ['429 answers', { tooManyRequests: 4, retryAfterSeconds: 0, every: 2 }],
  ['connection resets', { resets: 5, every: 2 }],
  ['stalls the client gives up on', { stalls: 2, stallMs: 10_000, every: 3 }, { fetchTimeoutMs: 2000 }],
  ['401 for the first 1.5 s', { unauthorizedForMs: 1500 }],
  ['403 for the first 1.5 s', { unauthorizedForMs: 1500, unauthorizedStatus: 403 }],
];

describe('no line lost, order kept', () => {
  for (const [name, faults, extra] of faultCases) {
    it(`under ${name}`, async () => {
      const { standin, client, warnings } = await setup(faults, extra);
      const stream = await client.createLogStream({ displayName: 'Build', icon: '/icon/docker.svg' });
      const written = await writeLines((l) => stream.write(l, 'info'), 3000);
      await client.close({ timeoutMs: 20_000 });
      const stored = standin.logs(stream.id).map((l) => l.output);
      expect(stored).toEqual(written);
      expect(stream.stats).toMatchObject({ sent: 3000, dropped: 0, overflowed: false });
      expect(stream.stats.retried).toBeGreaterThan(0);
      expect(standin.requests().some((r) => r.fault !== undefined)).toBe(true);
      expect(standin.sources()).toEqual([expect.objectContaining({ id: stream.id, display_name: 'Build' })]);
      expect(warnings).toEqual([]);
      // And the local log has every line too.
      expect(readFileSync(client.logFile, 'utf8').trim().split('\n')).toHaveLength(3000);
    });
  }

  it('through a 10 s stall the client waits out', async () => {
    const { standin, client } = await setup({ stalls: 1, stallMs: 10_000 });
    const stream = await client.createLogStream({ displayName: 'Build' });
    const written = await writeLines((l) => stream.write(l), 500);
    await client.close({ timeoutMs: 25_000 });
    expect(standin.logs(stream.id).map((l) => l.output)).toEqual(written);
    expect(standin.requests().filter((r) => r.fault === 'stall')).toHaveLength(1);
  }, 60_000);

  it('with at most one request in flight per stream and never an empty batch', async () => {
    const { standin, client } = await setup({ serverErrors: 3, every: 2 });
    const a = await client.createLogStream({ displayName: 'A' });
    const b = await client.createLogStream({ displayName: 'B' });
    const [wa, wb] = await Promise.all([writeLines((l) => a.write(l), 1000, 'a'), writeLines((l) => b.write(l), 1000, 'b')]);
    await client.close();
    expect(standin.logs(a.id).map((l) => l.output)).toEqual(wa);
    expect(standin.logs(b.id).map((l) => l.output)).toEqual(wb);
    const patches = standin.requests().filter((r) => r.method === 'PATCH' && r.status === 200);
    expect(patches.every((r) => (r.logCount ?? 0) > 0)).toBe(true);
  });
});

describe('limits', () => {
  it('over budget: keeps warn/error lines and the final lines visible, with a summary', async () => {
    const { standin, client, warnings } = await setup({}, { flushIntervalMs: 200, batchMaxLines: 2000 });
    const stream = await client.createLogStream({ displayName: 'Build' });
    const pad = 'x'.repeat(90);
    const errors: string[] = [];
    let n = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i % 1000 === 999) {
        const e = `ERROR step ${i} failed`;
        errors.push(e);
        stream.write(e, 'error');
      } else stream.write(`info ${i} ${pad}`, 'info');
      n++;
      if (i % 2000 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const finalLines = ['npm ERR! code ELIFECYCLE', 'npm ERR! errno 1', 'Build failed: exit code 1'];
    stream.write(finalLines[0] as string, 'error');
    stream.write(finalLines[1] as string, 'error');
    stream.write(finalLines[2] as string, 'info');
    n += 3;
    await client.close();

    const stored = standin.logs(stream.id);
    const outputs = stored.map((l) => l.output);
    expect(standin.stats().logsOverflowed).toBe(false);
    expect(standin.stats().logsLength).toBeLessThanOrEqual(896 * 1024);
    for (const e of errors) expect(outputs).toContain(e);
    expect(outputs.slice(-3)).toEqual(finalLines);
    const summary = outputs.find((o) => /not shown in Coder; full log: /.test(o));
    expect(summary).toBeDefined();
    const m = /^(\d+) lines \/ (\d+) KiB not shown in Coder; full log: (.+)$/.exec(summary as string);
    expect(m?.[3]).toBe(client.logFile);
    // The summary is followed by the contiguous end of the output (errors sent live appear again there).
    const tail = outputs.slice(outputs.indexOf(summary as string) + 1);
    expect(tail.length).toBeGreaterThan(100);
    expect(tail.slice(-7)).toEqual([
      'info 19996 ' + pad,
      'info 19997 ' + pad,
      'info 19998 ' + pad,
      'ERROR step 19999 failed',
      ...finalLines,
    ]);
    // Every written line is either stored (minus the summary) or counted in the summary.
    expect(Number(m?.[1]) + new Set(outputs).size - 1).toBe(n);
    expect(warnings.map((w) => w.code)).toEqual(['BUDGET_LIMITED']);
    expect(readFileSync(client.logFile, 'utf8').trim().split('\n')).toHaveLength(n);
  });

  it('on 413 (not sticky in coderd) stops ordinary lines, keeps the last words, and stays within a bounded number of 413s', async () => {
    // The agent's own scripts used most of the 1 MiB: this stand-in takes only 20 000 bytes.
    const { standin, client, warnings } = await setup({}, {}, 20_000);
    const stream = await client.createLogStream({ displayName: 'Build' });
    const written = await writeLines((l) => stream.write(`${l} ${'y'.repeat(50)}`), 2000);
    stream.write('FATAL: out of disk space', 'error');
    await client.close();
    expect(stream.stats.overflowed).toBe(true);
    expect(warnings.map((w) => w.code)).toEqual(['OVERFLOWED']);
    const patches = standin.requests().filter((r) => r.method === 'PATCH');
    const refused = patches.filter((r) => r.status === 413).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(8);
    expect(patches.at(-1)?.status).toBe(200);
    const stored = standin.logs(stream.id).map((l) => l.output);
    // What went out before the 413 is the start of the output, in order; the last words follow.
    const live = stored.indexOf('FATAL: out of disk space');
    expect(stored.slice(0, live)).toEqual(written.slice(0, live).map((l) => `${l} ${'y'.repeat(50)}`));
    expect(stored.at(-1)).toBe('FATAL: out of disk space');
    expect(stored.some((o) => / lines \/ [\d.]+ KiB not shown in Coder; full log: /.test(o))).toBe(true);
    expect(standin.stats()).toMatchObject({ logsOverflowed: true });
    expect(standin.stats().logsLength).toBeLessThanOrEqual(20_000);
    expect(readFileSync(client.logFile, 'utf8').trim().split('\n')).toHaveLength(2001);
  });

  for (const when of ['while closing', 'mid-run'] as const) {
    it(`a second run on an agent with 60 KB left keeps its final error and summary visible (413 ${when})`, async () => {
      const { standin, client } = await setup({}, { flushIntervalMs: 200, batchMaxLines: 2000 });
      // The first run and the agent's scripts left 60 KB of the agent's 1 MiB.
      await fillAgent(standin, 1_048_576 - 60 * 1024);
      const stream = await client.createLogStream({ displayName: 'Build' });
      for (let i = 0; i < 3000; i++) {
        stream.write(`compiling module ${i} ${'.'.repeat(80)}`, 'info'); // ~100 bytes: 300 KB in all
        if (i % 500 === 499) await new Promise((r) => setTimeout(r, 5));
      }
      // Mid-run: the 413 comes before the last lines are written; while closing: with them queued.
      if (when === 'mid-run') await stream.flush({ timeoutMs: 10_000 });
      stream.write('npm ERR! code ELIFECYCLE', 'error');
      stream.write('Build failed: exit code 1', 'error');
      await client.close();
      const stored = standin.logs(stream.id).map((l) => l.output);
      expect(stored.slice(-2)).toEqual(['npm ERR! code ELIFECYCLE', 'Build failed: exit code 1']);
      expect(stored.some((o) => /^\d+ lines \/ \d+ KiB not shown in Coder; full log: /.test(o))).toBe(true);
      const refused = standin.requests().filter((r) => r.status === 413).length;
      expect(refused).toBeGreaterThanOrEqual(1);
      expect(refused).toBeLessThanOrEqual(8);
      expect(standin.stats().logsLength).toBeLessThanOrEqual(1_048_576);
    });
  }

  it('sends lines longer than 1024 characters in pieces so the server truncates nothing', async () => {
    const { standin, client } = await setup();
    const stream = await client.createLogStream({ displayName: 'Build' });
    const long = `${'é'.repeat(1000)}${'😀'.repeat(1000)}end`;
    stream.write(long, 'warn');
    await client.close();
    const stored = standin.logs(stream.id);
    expect(stored.map((l) => l.output).join('')).toBe(long);
    expect(stored.every((l) => [...l.output].length <= 1024 && l.level === 'warn')).toBe(true);
  });

  it('registers sources with stable ids and uses the given id', async () => {
    const { standin, client } = await setup();
    const a = await client.createLogStream({ displayName: 'Dotfiles' });
    const b = await client.createLogStream({ displayName: 'Build', id: '0b3f7c4e-1111-4222-8333-444455556666' });
    a.write('a');
    b.write('b');
    await client.close();
    expect(b.id).toBe('0b3f7c4e-1111-4222-8333-444455556666');
    const again = createCoderLogClient({ agentUrl: standin.url, agentToken: standin.agentToken, logFile: client.logFile });
    expect((await again.createLogStream({ displayName: 'Dotfiles' })).id).toBe(a.id);
    await again.close();
    expect(
      standin
        .sources()
        .map((s) => s.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
  });
});

describe('budget across runs (budgetAccountFile)', () => {
  it('two runs on the same agent share the budget: the second starts with what is left and its error line is stored', async () => {
    standin = await startCoderStandin();
    const dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-runs-'));
    const accountFile = join(dir, 'coder-log-account.json');
    const run = async (name: string, lines: number, last: string) => {
      const warnings: CoderLogWarning[] = [];
      const client = createCoderLogClient({
        agentUrl: (standin as CoderStandin).url,
        agentToken: (standin as CoderStandin).agentToken,
        logFile: join(dir, `${name}.log`),
        budgetAccountFile: accountFile,
        flushIntervalMs: 50,
        onWarning: (w) => warnings.push(w),
      });
      const stream = await client.createLogStream({ displayName: 'Build' });
      await writeLines((l) => stream.write(`${l} ${'z'.repeat(90)}`), lines, name);
      stream.write(last, 'error');
      await client.close();
      return { client, stream, warnings };
    };
    // Run 1 uses most of its share of the agent's 1 MiB (9 000 lines of ~100 bytes: 75 % live, then the tail).
    const first = await run('run1', 9000, 'run 1: step 3 failed');
    expect(first.client.stats).toMatchObject({ earlierBytes: 0, budgetBytes: 896 * 1024 });
    const afterFirst = standin.stats().logsLength;
    expect(afterFirst).toBeGreaterThan(700 * 1024);
    // Run 2 (a restarted builder) knows what run 1 sent: it has only the rest of the share, so its
    // 300 KB do not run into a 413 (without the account it would send them all and pass 1 MiB).
    const second = await run('run2', 3000, 'run 2: build failed');
    expect(second.client.stats.earlierBytes).toBe(afterFirst);
    expect(second.client.stats.budgetBytes).toBe(896 * 1024 - afterFirst);
    const stored = standin.logs(second.stream.id).map((l) => l.output);
    expect(stored.at(-1)).toBe('run 2: build failed');
    expect(stored.filter((o) => o.startsWith('run2 ')).length).toBeLessThan(2000);
    expect(stored.filter((o) => / not shown in Coder; full log: .*run2\.log$/.test(o))).toHaveLength(1);
    expect(second.warnings.map((w) => w.code)).toContain('BUDGET_LIMITED');
    expect(second.warnings.find((w) => w.code === 'BUDGET_LIMITED')?.message).toMatch(/earlier runs on this agent already sent \d+ KiB/);
    expect(standin.requests().filter((r) => r.status === 413)).toEqual([]);
    // The account holds exactly what the agent counted; the local logs keep everything.
    const account = JSON.parse(readFileSync(accountFile, 'utf8')) as { sentBytes: number; overflowed: boolean };
    expect(account).toMatchObject({ sentBytes: standin.stats().logsLength, overflowed: false });
    expect(readFileSync(join(dir, 'run2.log'), 'utf8').trim().split('\n')).toHaveLength(3001);
  });

  it('after a run that hit the limit, the next run on the agent sends no ordinary lines live, only its last words', async () => {
    standin = await startCoderStandin({ logsLimitBytes: 30_000 });
    const dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-runs-'));
    const accountFile = join(dir, 'coder-log-account.json');
    const options = {
      agentUrl: standin.url,
      agentToken: standin.agentToken,
      budgetAccountFile: accountFile,
      flushIntervalMs: 50,
    };
    const one = createCoderLogClient({ ...options, logFile: join(dir, 'one.log') });
    const s1 = await one.createLogStream({ displayName: 'Build' });
    await writeLines((l) => s1.write(`${l} ${'q'.repeat(60)}`), 1000, 'one');
    await one.close();
    expect(JSON.parse(readFileSync(accountFile, 'utf8'))).toMatchObject({ overflowed: true });
    const before = standin.requests().length;
    const two = createCoderLogClient({ ...options, logFile: join(dir, 'two.log') });
    const s2 = await two.createLogStream({ displayName: 'Build' });
    await writeLines((l) => s2.write(l), 200, 'two');
    s2.write('two: failed', 'error');
    // Wait for the error line to arrive (a deadline, not a fixed sleep: a loaded machine is slower).
    const twoLines = () => (standin?.logs(s2.id) ?? []).filter((l) => l.output.startsWith('two'));
    for (const deadline = Date.now() + 10_000; twoLines().length === 0 && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 20));
    // Nothing but the error line has gone out live.
    const live = twoLines();
    expect(live.map((l) => l.output)).toEqual(['two: failed']);
    await two.close();
    expect(standin.logs(s2.id).at(-1)?.output).toBe('two: failed');
    expect(
      standin
        .requests()
        .slice(before)
        .filter((r) => r.status === 413).length,
    ).toBeLessThanOrEqual(8);
  });
});

describe('backpressure (maxQueueBytes)', () => {
  it('with a slow Coder: write() says when the queue is full, the queue stays within its bound, and every line reaches Coder and the log file in order', async () => {
    const bound = 16 * 1024;
    const { standin, client } = await setup(
      { stalls: 100_000, stallMs: 80 },
      { maxQueueBytes: bound, budgetBytes: 64 * 1024 * 1024 },
      2 ** 40,
    );
    const stream = await client.createLogStream({ displayName: 'slow' });
    const written: string[] = [];
    let full = 0;
    let maxQueued = 0;
    for (let i = 0; i < 3000; i++) {
      const line = `line ${i} ${'x'.repeat(i % 60)}`;
      written.push(line);
      const more = stream.write(line);
      maxQueued = Math.max(maxQueued, stream.stats.queuedBytes ?? 0);
      if (!more) {
        full++;
        expect(stream.writableNeedDrain).toBe(true);
        await new Promise<void>((resolve) => stream.once('drain', resolve));
        expect(stream.stats.queuedBytes ?? 0).toBeLessThan(bound);
      }
    }
    await client.close({ timeoutMs: 60_000 });
    expect(full).toBeGreaterThan(3);
    // At most the one line that filled it over the bound (output + 64 bytes of entry overhead).
    expect(maxQueued).toBeGreaterThanOrEqual(bound);
    expect(maxQueued).toBeLessThan(bound + 200);
    expect(standin.logs(stream.id).map((l) => l.output)).toEqual(written);
    expect(logFileLines(client.logFile)).toEqual(written);
    expect(client.stats.dropped).toBe(0);
  }, 60_000);

  it('a Coder that is failing never holds the producer up: write() stays true while requests are retried, and the lines go out once it answers', async () => {
    const { standin, client } = await setup(
      { serverErrors: 8, serverErrorStatus: 503 },
      { maxQueueBytes: 4096, budgetBytes: 64 * 1024 * 1024, backoff: { baseMs: 100, capMs: 200 } },
      2 ** 40,
    );
    const stream = await client.createLogStream({ displayName: 'failing' });
    stream.write('first');
    while (stream.stats.retried === 0) await new Promise((r) => setTimeout(r, 10));
    const written = ['first'];
    for (let i = 0; i < 2000; i++) {
      const line = `line ${i}`;
      written.push(line);
      expect(stream.write(line)).toBe(true);
    }
    expect(stream.stats.queuedBytes ?? 0).toBeGreaterThan(4096);
    expect(stream.writableNeedDrain).toBe(false);
    await client.close({ timeoutMs: 30_000 });
    expect(standin.logs(stream.id).map((l) => l.output)).toEqual(written);
  }, 40_000);
});

/** The line texts of the local log file (`ISO level [source] text`). */
function logFileLines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/^\S+ \S+ +\[[^\]]*\] /, ''));
}
