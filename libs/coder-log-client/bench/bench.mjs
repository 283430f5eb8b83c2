#!/usr/bin/env node
import { spawn } from 'node:child_process';
// Benchmark: coder-log-client vs a naive one-request-per-line sender, against the loopback Coder
// stand-in running as its own process (log limit raised, so the stand-in never refuses).
// Prints figures, the targets and the machine's load side by side. Run: moon run coder-log-client:bench
// (or `node bench/bench.mjs` after a build). BENCH_INPUT_MB (default 100) sizes the mixed-lines runs
// (library and CLI); BENCH_SHIP_ALL_MB (default: the same) the run that ships every line;
// BENCH_NAIVE_LINES (default 3000) bounds the naive baseline sample.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCoderLogClient, LineReader } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const cliJs = join(here, '..', 'dist', 'cli.js');
const standinCli = join(root, 'tests', 'support', 'coder-standin', 'cli.mjs');
const INPUT_MB = Number(process.env.BENCH_INPUT_MB ?? 100);
const SHIP_ALL_MB = Number(process.env.BENCH_SHIP_ALL_MB ?? INPUT_MB);
const NAIVE_LINES = Number(process.env.BENCH_NAIVE_LINES ?? 3000);
const UNLIMITED = 2 ** 40;
const work = process.env.BENCH_WORK ?? mkdtempSync(join(tmpdir(), 'dck-coder-log-client-bench-'));

async function startStandin({ logsLimitBytes = UNLIMITED } = {}) {
  const args = [standinCli, '--json', '--logs-limit-bytes', String(logsLimitBytes)];
  const child = spawn(process.execPath, ['--max-old-space-size=8192', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, CODER_STANDIN_TOKEN: randomUUID() }, // coderd agent tokens are UUIDs
  });
  const line = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(String(d))));
  const { url, agentToken } = JSON.parse(line);
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (stopping) return;
    // The client would retry forever (and, with an unlimited budget, queue without bound): stop.
    process.stderr.write(`bench: the stand-in exited during the run (${signal ?? code}); figures would be meaningless\n`);
    process.exit(1);
  });
  return {
    url,
    agentToken,
    get: async (what) => (await fetch(new URL(`__standin/${what}`, url))).json(),
    stop: () =>
      new Promise((r) => {
        stopping = true;
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rate = (n) => (n >= 1000 ? `${Math.round(n).toLocaleString('en-US')}` : n.toFixed(1));

/**
 * This process's peak RSS since it started: VmHWM from /proc. Not resourceUsage().maxRSS: Linux
 * keeps maxrss across fork + exec, so a child spawned by this bench (which has read the whole input)
 * would report the parent's size.
 */
function maxRss() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {}
  return process.resourceUsage().maxRSS * 1024;
}

/** 1 M short lines through the library API, waiting for 'drain' when write() says the queue is full. */
async function libraryRun({ lines, unlimited }) {
  const standin = await startStandin();
  const client = createCoderLogClient({
    agentUrl: standin.url,
    agentToken: standin.agentToken,
    logFile: join(work, `lib-${unlimited ? 'unlimited' : 'default'}.log`),
    ...(unlimited ? { budgetBytes: UNLIMITED } : {}),
    onWarning: () => {},
  });
  const stream = await client.createLogStream({ displayName: 'bench' });
  let waits = 0;
  const t0 = performance.now();
  for (let i = 0; i < lines; i++) {
    if (!stream.write(`step ${i}: ok`, i % 10_000 === 0 ? 'warn' : 'info')) {
      waits++;
      await once(stream, 'drain');
    } else if ((i & 0x3fff) === 0) await new Promise(setImmediate);
  }
  const tWritten = performance.now();
  await client.close({ timeoutMs: 120_000 });
  const t1 = performance.now();
  const peak = maxRss(); // before the stand-in is asked over fetch (see libraryFileRun)
  const reqs = (await standin.get('requests')).filter((r) => r.method === 'PATCH');
  const stats = await standin.get('stats');
  await standin.stop();
  return {
    linesPerSec: lines / ((t1 - t0) / 1000),
    writePerSec: lines / ((tWritten - t0) / 1000),
    seconds: (t1 - t0) / 1000,
    requests: reqs.length,
    stored: stats.logCount,
    drainWaits: waits,
    maxRss: peak,
  };
}

/**
 * The mixed input file through the library, as a program embedding it would: a file stream,
 * LineReader, stream.write(), pausing on a full queue. Peak RSS from this process's resourceUsage.
 */
async function libraryFileRun({ file, unlimited }) {
  const standin = await startStandin();
  const client = createCoderLogClient({
    agentUrl: standin.url,
    agentToken: standin.agentToken,
    logFile: join(work, `lib-file-${unlimited ? 'all' : 'default'}.log`),
    ...(unlimited ? { budgetBytes: UNLIMITED } : {}),
    onWarning: () => {},
  });
  const stream = await client.createLogStream({ displayName: 'bench-file' });
  let lines = 0;
  let waits = 0;
  let maxQueued = 0;
  const reader = new LineReader((line) => {
    lines++;
    stream.write(line);
  });
  const t0 = performance.now();
  for await (const chunk of createReadStream(file)) {
    reader.push(chunk);
    if (unlimited) maxQueued = Math.max(maxQueued, stream.stats.queuedBytes ?? 0);
    if (stream.writableNeedDrain) {
      waits++;
      await once(stream, 'drain');
    }
  }
  reader.end();
  await client.close({ timeoutMs: 600_000 });
  const t1 = performance.now();
  // Before asking the stand-in for its counts: global fetch loads Node's internal undici, ~10 MB
  // that is the bench's, not the client's.
  const peak = maxRss();
  const stats = await standin.get('stats');
  await standin.stop();
  return {
    lines,
    linesPerSec: lines / ((t1 - t0) / 1000),
    seconds: (t1 - t0) / 1000,
    storedBytes: stats.logsLength,
    sent: client.stats.sent,
    drainWaits: waits,
    maxQueued,
    maxRss: peak,
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
  // One keep-alive socket, each request awaited before the next (node:http, as the library's default).
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { 'content-type': 'application/json', 'coder-session-token': standin.agentToken };
  const send = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = request(
        new URL(path, standin.url),
        { method, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await send(
    'POST',
    '/api/v2/workspaceagents/me/log-source',
    JSON.stringify({ id: '11111111-2222-4333-8444-555555555555', display_name: 'naive', icon: '' }),
  );
  const t0 = performance.now();
  for (let i = 0; i < lines; i++) {
    const body = JSON.stringify({
      log_source_id: '11111111-2222-4333-8444-555555555555',
      logs: [{ created_at: new Date().toISOString(), output: `step ${i}: ok`, level: 'info' }],
    });
    await send('PATCH', '/api/v2/workspaceagents/me/logs', body);
  }
  const t1 = performance.now();
  agent.destroy();
  await standin.stop();
  const perSec = lines / ((t1 - t0) / 1000);
  return { linesPerSec: perSec, requestsPerSec: perSec, maxRss: maxRss() };
}

/** A mixed input file: short and long lines, unicode, \r progress, repeated runs, errors. */
async function makeMixedInput(targetBytes, name) {
  const file = join(work, name);
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

const TIME = '/usr/bin/time';

/**
 * The CLI in stdin mode over the mixed file, its stdin a pipe as in `cmd | coder-logstream` (cat
 * feeds it), stdout to /dev/null. Peak RSS of the CLI process from `/usr/bin/time -v` (from /proc
 * VmHWM sampling when time is not installed).
 */
async function cliRun(input) {
  const standin = await startStandin();
  const withTime = existsSync(TIME);
  const cliArgs = [cliJs, '--source-name', 'mixed', '--log-file', join(work, 'cli.log')];
  const t0 = performance.now();
  const cat = spawn('cat', [input.file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const child = spawn(withTime ? TIME : process.execPath, withTime ? ['-v', process.execPath, ...cliArgs] : cliArgs, {
    stdio: [cat.stdout, 'ignore', 'pipe'],
    env: { ...process.env, CODER_AGENT_URL: standin.url, CODER_AGENT_TOKEN: standin.agentToken },
  });
  let hwm = 0;
  const poll = withTime
    ? undefined
    : setInterval(() => {
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
  if (withTime) {
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
    if (m) hwm = Number(m[1]) * 1024;
  }
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
    peakFrom: withTime ? '/usr/bin/time -v' : '/proc VmHWM',
    requests: reqs,
    storedBytes: stats.logsLength,
  };
}

/** Run one scenario in a fresh node process; its peak RSS is its own resourceUsage().maxRSS. */
async function inChild(scenario, arg = '') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--scenario', scenario, arg], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_WORK: work },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`scenario ${scenario} exited ${code}`);
  const result = JSON.parse(out);
  return { ...result, peakRss: result.maxRss };
}

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const scenarioIndex = process.argv.indexOf('--scenario');
if (scenarioIndex !== -1) {
  const name = process.argv[scenarioIndex + 1];
  const arg = process.argv[scenarioIndex + 2];
  const scenarios = {
    'lib-default': () => libraryRun({ lines: 1_000_000, unlimited: false }),
    'lib-all': () => libraryRun({ lines: 1_000_000, unlimited: true }),
    'lib-file': () => libraryFileRun({ file: arg, unlimited: false }),
    'lib-file-all': () => libraryFileRun({ file: arg, unlimited: true }),
    steady: () => steadyRun(),
    naive: () => naiveRun(Number(arg)),
  };
  if (!scenarios[name]) throw new Error(`unknown scenario ${name}`);
  const result = await scenarios[name]();
  result.maxRss ??= maxRss();
  process.stdout.write(JSON.stringify(result));
} else {
  // The work directory holds several GB on a 1 GB run (the input and each run's full local log):
  // remove it on Ctrl-C or kill too, not only when the run ends.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      rmSync(work, { recursive: true, force: true });
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  const results = [];
  const loads = [];
  const note = (what) => loads.push(`${what}: ${load()}`);
  try {
    note('start');
    log(`making ${INPUT_MB} MB of mixed lines ...`);
    const input = await makeMixedInput(INPUT_MB * 1024 * 1024, 'mixed.txt');
    const shipAll = SHIP_ALL_MB === INPUT_MB ? input : await makeMixedInput(SHIP_ALL_MB * 1024 * 1024, 'mixed-all.txt');
    log(`library over the ${INPUT_MB} MB input (default budget) ...`);
    const libFile = await inChild('lib-file', input.file);
    note('library file');
    log('coder-logstream over the same input (stdin a pipe) ...');
    const cli = await cliRun(input);
    note('CLI');
    log(`library over ${SHIP_ALL_MB} MB, every line shipped (budget and stand-in limit raised) ...`);
    const libFileAll = await inChild('lib-file-all', shipAll.file);
    note('every line shipped');
    log('1 M short lines, default budget ...');
    const libDefault = await inChild('lib-default');
    log('1 M short lines, unlimited budget (every line shipped) ...');
    const libAll = await inChild('lib-all');
    log('steady state ...');
    const steady = await inChild('steady');
    log(`naive baseline on ${NAIVE_LINES} lines ...`);
    const naive = await inChild('naive', String(NAIVE_LINES));
    note('end');

    const n = (x) => x.toLocaleString('en-US');
    const sz = (b) => mb(b);
    const x = (a, b) => `${Math.round(a / b)}x`;
    results.push(
      [
        `${sz(input.bytes)} mixed (${n(input.lines)} lines) via library, lines/s`,
        rate(libFile.linesPerSec),
        '>= 400,000',
        rate(naive.linesPerSec),
        x(libFile.linesPerSec, naive.linesPerSec),
      ],
      [`  peak RSS, library process`, mb(libFile.peakRss), '<= 100 MB', mb(naive.peakRss), ''],
      [
        `${sz(input.bytes)} mixed via CLI (stdin pipe), lines/s`,
        rate(cli.linesPerSec),
        '>= 250,000',
        rate(naive.linesPerSec),
        x(cli.linesPerSec, naive.linesPerSec),
      ],
      [`  peak RSS, CLI process (${cli.peakFrom})`, mb(cli.peakRss), '<= 100 MB', '', ''],
      [`  CLI: MB/s, wall time`, `${cli.mbPerSec.toFixed(1)} MB/s, ${cli.seconds.toFixed(1)} s`, '', '', ''],
      [
        `${sz(shipAll.bytes)} mixed, every line shipped, lines/s`,
        rate(libFileAll.linesPerSec),
        '',
        rate(naive.linesPerSec),
        x(libFileAll.linesPerSec, naive.linesPerSec),
      ],
      [
        `  peak RSS; largest queue seen (bound 1 MiB)`,
        `${mb(libFileAll.peakRss)}; ${(libFileAll.maxQueued / 1024).toFixed(0)} KiB`,
        '',
        '',
        '',
      ],
      [`  waits for 'drain'; bytes stored by the stand-in`, `${n(libFileAll.drainWaits)}; ${sz(libFileAll.storedBytes)}`, '', '', ''],
      [
        '1 M short lines, lines/s (default 896 KiB budget)',
        rate(libDefault.linesPerSec),
        '',
        rate(naive.linesPerSec),
        x(libDefault.linesPerSec, naive.linesPerSec),
      ],
      [
        '1 M short lines, lines/s (unlimited budget, all shipped)',
        rate(libAll.linesPerSec),
        '',
        rate(naive.linesPerSec),
        x(libAll.linesPerSec, naive.linesPerSec),
      ],
      [
        '  requests for 1 M lines (all shipped)',
        n(libAll.requests),
        '',
        '1,000,000 (one per line)',
        `${Math.round(1_000_000 / libAll.requests)}x fewer`,
      ],
      ['  lines stored by the stand-in (default / unlimited)', `${n(libDefault.stored)} / ${n(libAll.stored)}`, '', '', ''],
      ['requests/s at steady state (2,000 lines/s, 1 stream)', steady.requestsPerSec.toFixed(2), '<= 1', rate(naive.requestsPerSec), ''],
      ['  lines per request at steady state', rate(steady.linesPerRequest), '', '1', ''],
      ['peak RSS, 1 M lines, default budget (own process)', mb(libDefault.peakRss), '', mb(naive.peakRss), ''],
      ['peak RSS, 1 M lines, unlimited budget (own process)', mb(libAll.peakRss), '', '', ''],
    );
    const head = ['figure', 'coder-log-client', 'target', `naive (${n(NAIVE_LINES)} lines)`, 'ratio'];
    const widths = head.map((_, c) => Math.max(...[head, ...results].map((r) => r[c].length)));
    const row = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
    console.log(row(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
    for (const r of results) console.log(row(r));
    console.log(
      `\n${new Date().toISOString()}; node ${process.version}, ${cpus().length} cores; load average (1/5/15 min) at ${loads.join('; ')}.`,
    );
    console.log(
      'Stand-in in its own process on 127.0.0.1 with its log limit raised; each library scenario in a fresh process; peak RSS is the client process only (never the stand-in); naive = one awaited PATCH per line over keep-alive.',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
