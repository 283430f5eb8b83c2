// The client against the loopback Coder stand-in under each injected fault.
// Real: the client, undici over TCP on 127.0.0.1, the local log file, the stand-in HTTP server.
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

  it('on 413 marks the stream overflowed, stops shipping and warns once; the local log keeps all', async () => {
    // The agent's own scripts used most of the 1 MiB: this stand-in takes only 20 000 bytes.
    const { standin, client, warnings } = await setup({}, {}, 20_000);
    const stream = await client.createLogStream({ displayName: 'Build' });
    const written = await writeLines((l) => stream.write(`${l} ${'y'.repeat(50)}`), 2000);
    await client.close();
    expect(stream.stats.overflowed).toBe(true);
    expect(warnings.map((w) => w.code)).toEqual(['OVERFLOWED']);
    const patches = standin.requests().filter((r) => r.method === 'PATCH');
    expect(patches.filter((r) => r.status === 413)).toHaveLength(1);
    expect(patches.at(-1)?.status).toBe(413);
    const stored = standin.logs(stream.id).map((l) => l.output);
    expect(stored).toEqual(written.slice(0, stored.length).map((l) => `${l} ${'y'.repeat(50)}`));
    expect(readFileSync(client.logFile, 'utf8').trim().split('\n')).toHaveLength(2000);
  });

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
