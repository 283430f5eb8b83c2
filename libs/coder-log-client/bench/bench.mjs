#!/usr/bin/env node
import { spawn } from 'node:child_process';
// Benchmark: coder-log-client vs a naive one-request-per-line sender, against the loopback Coder
// stand-in running as its own process. Prints figures side by side. Run: moon run coder-log-client:bench
// (or `node bench/bench.mjs` after a build). BENCH_INPUT_MB (default 100) sizes the mixed-lines run;
// BENCH_NAIVE_LINES (default 3000) bounds the naive baseline sample.
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { createCoderLogClient } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const cliJs = join(here, '..', 'dist', 'cli.js');
const standinCli = join(root, 'tests', 'support', 'coder-standin', 'cli.mjs');
const INPUT_MB = Number(process.env.BENCH_INPUT_MB ?? 100);
const NAIVE_LINES = Number(process.env.BENCH_NAIVE_LINES ?? 3000);
const work = process.env.BENCH_WORK ?? mkdtempSync(join(tmpdir(), 'dck-coder-log-client-bench-'));

async function startStandin({ logsLimitBytes } = {}) {
  const args = [standinCli, '--json'];
  if (logsLimitBytes) args.push('--logs-limit-bytes', String(logsLimitBytes));
  const child = spawn(process.execPath, ['--max-old-space-size=4096', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, CODER_STANDIN_TOKEN: randomUUID() }, // coderd agent tokens are UUIDs
  });
  const line = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
  const { url, agentToken } = JSON.parse(line);
  return {
    url,
    agentToken,
    get: async (what) => (await fetch(new URL(`__standin/${what}`, url))).json(),
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rate = (n) => (n >= 1000 ? `${Math.round(n).toLocaleString('en-US')}` : n.toFixed(1));

/** 1 M short lines through the library API. */
async function libraryRun({ lines, unlimited }) {
  const standin = await startStandin(unlimited ? { logsLimitBytes: 2 ** 40 } : {});
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const client = createCoderLogClient({
    agentUrl: standin.url,
    agentToken: standin.agentToken,
    logFile: join(work, `lib-${unlimited ? 'unlimited' : 'default'}.log`),
    ...(unlimited ? { budgetBytes: 2 ** 40 } : {}),
    onWarning: () => {},
  });
  const stream = await client.createLogStream({ displayName: 'bench' });
  const t0 = performance.now();
  for (let i = 0; i < lines; i++) {
    stream.write(`step ${i}: ok`, i % 10_000 === 0 ? 'warn' : 'info');
    if ((i & 0x3fff) === 0) await new Promise(setImmediate);
  }
  const tWritten = performance.now();
  await client.close({ timeoutMs: 120_000 });
  const t1 = performance.now();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const reqs = (await standin.get('requests')).filter((r) => r.method === 'PATCH');
  const stats = await standin.get('stats');
  await standin.stop();
  return {
    linesPerSec: lines / ((t1 - t0) / 1000),
    writePerSec: lines / ((tWritten - t0) / 1000),
    seconds: (t1 - t0) / 1000,
    requests: reqs.length,
    stored: stats.logCount,
    peakRss: peak,
  };
}

/** Steady state: a stream writing 2,000 lines/s for 6 s; requests per second during it. */
async function steadyRun() {
  const standin = await startStandin();
  const client = createCoderLogClient({
    agentUrl: standin.url,
    agentToken: standin.agentToken,
    logFile: join(work, 'steady.log'),
    onWarning: () => {},
  });
  const stream = await client.createLogStream({ displayName: 'steady' });
  const seconds = 6;
  let n = 0;
  for (let s = 0; s < seconds * 10; s++) {
    for (let i = 0; i < 200; i++) stream.write(`tick ${n++}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const reqs = (await standin.get('requests')).filter((r) => r.method === 'PATCH').length;
  await client.close();
  await standin.stop();
  return { lines: n, seconds, requestsPerSec: reqs / seconds, linesPerRequest: n / Math.max(1, reqs) };
}

/** The naive sender: one PATCH per line, awaited in order (keep-alive connection). */
async function naiveRun(lines) {
  const standin = await startStandin({ logsLimitBytes: 2 ** 40 });
  const pool = new Pool(new URL(standin.url).origin, { connections: 1 });
  const headers = { 'content-type': 'application/json', 'coder-session-token': standin.agentToken };
  await pool
    .request({
      method: 'POST',
      path: '/api/v2/workspaceagents/me/log-source',
      headers,
      body: JSON.stringify({ id: '11111111-2222-4333-8444-555555555555', display_name: 'naive', icon: '' }),
    })
    .then((r) => r.body.text());
  let peak = process.memoryUsage().rss;
  const t0 = performance.now();
  for (let i = 0; i < lines; i++) {
    const body = JSON.stringify({
      log_source_id: '11111111-2222-4333-8444-555555555555',
      logs: [{ created_at: new Date().toISOString(), output: `step ${i}: ok`, level: 'info' }],
    });
    const res = await pool.request({ method: 'PATCH', path: '/api/v2/workspaceagents/me/logs', headers, body });
    await res.body.text();
    if ((i & 0xff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const t1 = performance.now();
  await pool.destroy();
  await standin.stop();
  const perSec = lines / ((t1 - t0) / 1000);
  return { linesPerSec: perSec, requestsPerSec: perSec, peakRss: peak };
}

/** A mixed input file: short and long lines, unicode, \r progress, repeated runs, errors. */
async function makeMixedInput(targetBytes) {
  const file = join(work, 'mixed.txt');
  const out = createWriteStream(file);
  let bytes = 0;
  let i = 0;
  const long = 'L'.repeat(3000);
  const write = (s) => {
    bytes += Buffer.byteLength(s);
    return out.write(s);
  };
  while (bytes < targetBytes) {
    let chunk = '';
    for (let j = 0; j < 200; j++, i++) {
      const k = i % 50;
      if (k < 30) chunk += `#${i} npm http fetch GET 200 https://registry.npmjs.org/pkg-${i % 997} ${i % 120}ms\n`;
      else if (k < 35) chunk += `Step ${i}/99 : RUN apt-get install -y --no-install-recommends pkg${i}\n`;
      else if (k < 38) chunk += `${i}: 10%\r${i}: 45%\r${i}: 80%\r${i}: 100%\n`;
      else if (k < 44) chunk += 'Waiting for the database to accept connections...\n';
      else if (k < 46) chunk += `Ünïcödé ✓ 完成 😀 line ${i}\n`;
      else if (k < 48) chunk += `${long} ${i}\n`;
      else chunk += `npm WARN deprecated thing@${i}: use other-thing\n`;
    }
    if (!write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return { file, bytes: statSync(file).size, lines: readLineCount(file) };
}

function readLineCount(file) {
  const buf = readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

/** The CLI in stdin mode over the mixed file; peak RSS from /proc (VmHWM). */
async function cliRun(input) {
  const standin = await startStandin();
  const t0 = performance.now();
  const child = spawn(process.execPath, [cliJs, '--source-name', 'mixed', '--log-file', join(work, 'cli.log')], {
    stdio: [openSync(input.file, 'r'), 'ignore', 'pipe'],
    env: { ...process.env, CODER_AGENT_URL: standin.url, CODER_AGENT_TOKEN: standin.agentToken },
  });
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]) * 1024);
    } catch {}
  }, 25);
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((r) => child.once('exit', r));
  clearInterval(poll);
  const t1 = performance.now();
  const reqs = (await standin.get('requests')).filter((r) => r.method === 'PATCH').length;
  const stats = await standin.get('stats');
  await standin.stop();
  if (code !== 0) throw new Error(`coder-logstream exited ${code}: ${stderr}`);
  const seconds = (t1 - t0) / 1000;
  return {
    seconds,
    linesPerSec: input.lines / seconds,
    mbPerSec: input.bytes / 1024 / 1024 / seconds,
    peakRss: hwm,
    requests: reqs,
    storedBytes: stats.logsLength,
  };
}

/** Run one scenario in a fresh node process (clean peak RSS, read from /proc VmHWM). */
async function inChild(scenario, arg = '') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--scenario', scenario, arg], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_WORK: work },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let hwm = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]) * 1024);
    } catch {}
  }, 25);
  const code = await new Promise((r) => child.once('exit', r));
  clearInterval(poll);
  if (code !== 0) throw new Error(`scenario ${scenario} exited ${code}`);
  return { ...JSON.parse(out), peakRss: hwm };
}

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const scenarioIndex = process.argv.indexOf('--scenario');
if (scenarioIndex !== -1) {
  const name = process.argv[scenarioIndex + 1];
  const arg = process.argv[scenarioIndex + 2];
  const result =
    name === 'lib-default'
      ? await libraryRun({ lines: 1_000_000, unlimited: false })
      : name === 'lib-all'
        ? await libraryRun({ lines: 1_000_000, unlimited: true })
        : name === 'steady'
          ? await steadyRun()
          : name === 'naive'
            ? await naiveRun(Number(arg))
            : undefined;
  if (!result) throw new Error(`unknown scenario ${name}`);
  delete result.peakRss;
  process.stdout.write(JSON.stringify(result));
} else {
  const results = [];
  try {
    log('1 M short lines, default budget ...');
    const libDefault = await inChild('lib-default');
    log('1 M short lines, unlimited budget (every line shipped) ...');
    const libAll = await inChild('lib-all');
    log('steady state ...');
    const steady = await inChild('steady');
    log(`naive baseline on ${NAIVE_LINES} lines ...`);
    const naive = await inChild('naive', String(NAIVE_LINES));
    log(`making ${INPUT_MB} MB of mixed lines ...`);
    const input = await makeMixedInput(INPUT_MB * 1024 * 1024);
    log('coder-logstream over the mixed input ...');
    const cli = await cliRun(input);

    const n = (x) => x.toLocaleString('en-US');
    results.push(
      [
        '1 M short lines, lines/s (default 896 KiB budget)',
        rate(libDefault.linesPerSec),
        rate(naive.linesPerSec),
        `${Math.round(libDefault.linesPerSec / naive.linesPerSec)}x`,
      ],
      [
        '1 M short lines, lines/s (unlimited budget, all shipped)',
        rate(libAll.linesPerSec),
        rate(naive.linesPerSec),
        `${Math.round(libAll.linesPerSec / naive.linesPerSec)}x`,
      ],
      [
        '  requests for 1 M lines (all shipped)',
        n(libAll.requests),
        '1,000,000 (one per line)',
        `${Math.round(1_000_000 / libAll.requests)}x fewer`,
      ],
      ['  lines stored by the stand-in (default / unlimited)', `${n(libDefault.stored)} / ${n(libAll.stored)}`, '', ''],
      [
        `${mb(input.bytes)} mixed lines via CLI (${n(input.lines)} lines), lines/s`,
        rate(cli.linesPerSec),
        rate(naive.linesPerSec),
        `${Math.round(cli.linesPerSec / naive.linesPerSec)}x`,
      ],
      [`  ${mb(input.bytes)} mixed via CLI: MB/s, wall time`, `${cli.mbPerSec.toFixed(1)} MB/s, ${cli.seconds.toFixed(1)} s`, '', ''],
      ['requests/s at steady state (2,000 lines/s, 1 stream)', steady.requestsPerSec.toFixed(2), rate(naive.requestsPerSec), ''],
      ['  lines per request at steady state', rate(steady.linesPerRequest), '1', ''],
      ['peak RSS, 1 M lines, default budget (own process)', mb(libDefault.peakRss), mb(naive.peakRss), ''],
      ['peak RSS, 1 M lines, unlimited budget (own process)', mb(libAll.peakRss), '', ''],
      [`peak RSS, CLI process, ${mb(input.bytes)} mixed`, mb(cli.peakRss), '', ''],
    );
    const head = ['figure', 'coder-log-client', `naive (${n(NAIVE_LINES)} lines)`, 'ratio'];
    const widths = [0, 1, 2, 3].map((c) => Math.max(...[head, ...results].map((r) => r[c].length)));
    const row = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
    console.log(row(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
    for (const r of results) console.log(row(r));
    console.log(
      `\nnode ${process.version}, ${cpus().length} cores; stand-in in its own process on 127.0.0.1; naive = one awaited PATCH per line over keep-alive; each library scenario in a fresh process.`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
