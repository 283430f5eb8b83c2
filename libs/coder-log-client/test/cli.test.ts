// The coder-logstream CLI as a real process (the built dist/cli.js) against the stand-in.
// Real: node child processes, sh, signals, node:http over TCP on 127.0.0.1, files.
// Emulated: coderd (tests/support/coder-standin).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../../tests/support/coder-standin/index.js';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(pkgDir, 'dist', 'cli.js');
// coderd agent tokens are UUIDs; this one must never be printed.
const TOKEN = '5e1c2e7a-0b4d-4f3e-9a6c-7d8e9f0a1b2c';

beforeAll(() => {
  // Test the built artifact; rebuild when the sources are newer.
  ensurePackageBuilt(pkgDir, { entry: 'dist/cli.js' });
}, 120_000);

let standin: CoderStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(
  args: string[],
  opts: {
    env?: Record<string, string | undefined>;
    input?: string;
    onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
  } = {},
): Promise<Run> {
  const child = spawn(process.execPath, [cli, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d;
    opts.onStdout?.(stdout, child);
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d;
  });
  if (opts.input !== undefined) child.stdin.end(opts.input);
  else child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Use `bytes` of the agent's limit as its own scripts would (External source). */
async function fillAgent(s: CoderStandin, bytes: number) {
  for (let left = bytes; left > 0; ) {
    const n = Math.min(left, 256 * 1024);
    const logs = [];
    for (let k = n; k > 0; k -= 1024) logs.push({ created_at: '', output: 's'.repeat(Math.min(k, 1024)), level: 'info' });
    const res = await fetch(new URL('api/v2/workspaceagents/me/logs', s.url), {
      method: 'PATCH',
      headers: { 'Coder-Session-Token': s.agentToken },
      body: JSON.stringify({ logs }),
    });
    expect(res.status).toBe(200);
    left -= n;
  }
}

/** A shell command printing `n` lines of about 100 bytes (`prefix i ....`). */
const printLines = (prefix: string, n: number) => `i=0; while [ $i -lt ${n} ]; do echo "${prefix} $i ${'.'.repeat(80)}"; i=$((i+1)); done`;

async function withStandin() {
  standin = await startCoderStandin({ agentToken: TOKEN });
  const dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-cli-'));
  return {
    standin,
    logFile: join(dir, 'full.log'),
    env: { CODER_AGENT_URL: standin.url, CODER_AGENT_TOKEN: TOKEN },
  };
}

describe('coder-logstream', () => {
  it('streams stdout as info and stderr as error, echoes both unchanged, and passes the exit code through', async () => {
    const { standin, env, logFile } = await withStandin();
    const r = await runCli(
      ['--source-name', 'Build', '--log-file', logFile, '--', 'sh', '-c', 'echo out1; echo err1 >&2; printf "partial"; exit 7'],
      { env },
    );
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('out1\npartial');
    expect(r.stderr).toBe('err1\n');
    const logs = standin.logs().map((l) => [l.output, l.level]);
    expect(logs).toContainEqual(['out1', 'info']);
    expect(logs).toContainEqual(['err1', 'error']);
    expect(logs).toContainEqual(['partial', 'info']);
    expect(standin.sources().map((s) => s.display_name)).toEqual(['Build']);
    expect(readFileSync(logFile, 'utf8')).toContain('[Build] out1');
  });

  it('honours --stderr-level and --level-from-json (devcontainer CLI events)', async () => {
    const { standin, env, logFile } = await withStandin();
    const events = [
      { type: 'text', level: 1, timestamp: 1, text: 'trace it' },
      { type: 'text', level: 2, timestamp: 1, text: 'debug it' },
      { type: 'text', level: 3, timestamp: 1, text: 'info it' },
      { type: 'text', level: 4, timestamp: 1, text: 'warn it' },
      { type: 'text', level: 5, timestamp: 1, text: 'error it\n' },
    ];
    const script = `${events.map((e) => `printf '%s\\n' '${JSON.stringify(e)}' >&2`).join('; ')}; echo plain >&2; echo '{"outcome":"success"}'`;
    const r = await runCli(['--level-from-json', '--stderr-level', 'warn', '--log-file', logFile, '--', 'sh', '-c', script], { env });
    expect(r.code).toBe(0);
    const stored = standin.logs().map((l) => [l.output, l.level]);
    // stdout and stderr are separate pipes: compare each one's order on its own.
    expect(stored.filter(([o]) => o !== '{"outcome":"success"}')).toEqual([
      ['trace it', 'trace'],
      ['debug it', 'debug'],
      ['info it', 'info'],
      ['warn it', 'warn'],
      ['error it', 'error'],
      ['plain', 'warn'],
    ]);
    expect(stored).toContainEqual(['{"outcome":"success"}', 'info']);
    expect(stored).toHaveLength(7);
  });

  it('returns 128 + signal when the command is killed', async () => {
    const { env, logFile } = await withStandin();
    const r = await runCli(['--log-file', logFile, '--', 'sh', '-c', 'kill -KILL $$'], { env });
    expect(r.code).toBe(137);
  });

  it('forwards SIGTERM to the command and flushes what it printed, even with a long flush interval', async () => {
    const { standin, env, logFile } = await withStandin();
    const child = `process.on('SIGTERM', () => { console.log('got SIGTERM, cleaning up'); process.exit(3); });
      console.log('ready'); setInterval(() => {}, 1000);`;
    let sent = false;
    const r = await runCli(['--flush-interval', '60s', '--log-file', logFile, '--', process.execPath, '-e', child], {
      env,
      onStdout: (text, proc) => {
        if (!sent && text.includes('ready')) {
          sent = true;
          proc.kill('SIGTERM');
        }
      },
    });
    expect(r.code).toBe(3);
    expect(standin.logs().map((l) => l.output)).toEqual(['ready', 'got SIGTERM, cleaning up']);
  });

  it('exits with 128 + 15 when the command dies of the forwarded SIGTERM', async () => {
    const { standin, env, logFile } = await withStandin();
    let sent = false;
    const r = await runCli(['--flush-interval', '60s', '--log-file', logFile, '--', 'sh', '-c', 'echo ready; exec sleep 30'], {
      env,
      onStdout: (text, proc) => {
        if (!sent && text.includes('ready')) {
          sent = true;
          proc.kill('SIGTERM');
        }
      },
    });
    expect(r.code).toBe(143);
    expect(standin.logs().map((l) => l.output)).toEqual(['ready']);
  });

  it('gives up flushing after --flush-timeout when Coder hangs, and still exits with the command code', async () => {
    const { standin, env, logFile } = await withStandin();
    standin.setFaults({ stalls: 100, stallMs: 60_000, endpoints: ['log-source', 'logs'] });
    const r = await runCli(['--flush-timeout', '1s', '--log-file', logFile, '--', 'sh', '-c', 'echo hello; exit 4'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('hello\n');
    expect(r.stderr).toMatch(/warning: 1 lines not delivered to Coder within 1000 ms; full log: /);
    expect(readFileSync(logFile, 'utf8')).toContain('hello');
  });

  it('streams standard input when no command is given', async () => {
    const { standin, env, logFile } = await withStandin();
    const r = await runCli(['--source-name', 'setup.log', '--log-file', logFile], { env, input: 'one\ntwo\r\nthree' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('one\ntwo\r\nthree');
    expect(standin.logs().map((l) => l.output)).toEqual(['one', 'two', 'three']);
    expect(standin.sources()[0]?.display_name).toBe('setup.log');
  });

  it('in stdin mode, flushes and exits 128 + 15 on SIGTERM', async () => {
    const { standin, env, logFile } = await withStandin();
    const child = spawn(process.execPath, [cli, '--flush-interval', '60s', '--log-file', logFile], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.write('first line\n');
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => String(d).includes('first') && resolve()));
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(143);
    expect(standin.logs().map((l) => l.output)).toEqual(['first line']);
  });

  it('without URL or token: runs with local echo only and says so once', async () => {
    const r = await runCli(['--', 'sh', '-c', 'echo a; echo b >&2; exit 5'], { env: {} });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('a\n');
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('coder-logstream:'));
    expect(notes).toEqual(['coder-logstream: CODER_AGENT_URL and CODER_AGENT_TOKEN not set: local echo only, nothing is sent to Coder']);
    expect(r.stderr).toContain('b\n');
  });

  it('reports every bad option at once, exit 2', async () => {
    const r = await runCli(['--budget', 'lots', '--stderr-level', 'loud', '--flush-interval', 'soon', '--', 'true'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--budget');
    expect(r.stderr).toContain('--stderr-level');
    expect(r.stderr).toContain('--flush-interval');
    // An unknown option is a usage error of its own (the shared CLI convention), with a did-you-mean.
    const r2 = await runCli(['--budgte', '1k', 'echo', 'hi'], { env: {} });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('unknown option --budgte (did you mean --budget?)');
    const r3 = await runCli(['echo', 'hi'], { env: {} });
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('put the command after --');
  });

  it('never shows the token: not on argv, stdout, stderr, the local log, or anything the server stored', async () => {
    const { standin, logFile } = await withStandin();
    const dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-tok-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
    const args = [
      '--agent-token-file',
      tokenFile,
      '--agent-url',
      standin.url,
      '--log-file',
      logFile,
      '--',
      'sh',
      '-c',
      'echo working; echo failing >&2; exit 1',
    ];
    expect(args.join(' ')).not.toContain(TOKEN);
    const r = await runCli(args, { env: {} });
    expect(r.code).toBe(1);
    expect(standin.logs().map((l) => l.output)).toEqual(['working', 'failing']);
    // Also with the token in the environment and a wrong URL path (errors reported locally).
    const r2 = await runCli(['--log-file', logFile, '--agent-url', `${standin.url}nope/`, '--', 'sh', '-c', 'echo again'], {
      env: { CODER_AGENT_TOKEN: TOKEN },
    });
    expect(r2.stderr).toMatch(/warning: Coder refused/);
    for (const text of [
      r.stdout,
      r.stderr,
      r2.stdout,
      r2.stderr,
      readFileSync(logFile, 'utf8'),
      JSON.stringify(standin.logs()),
      JSON.stringify(standin.requests()),
      JSON.stringify(standin.sources()),
    ]) {
      expect(text).not.toContain(TOKEN);
    }
  });

  it('refuses --agent-token VALUE (argv is readable by every process) without echoing the value', async () => {
    const r = await runCli(['--agent-token', TOKEN, '--', 'sh', '-c', 'echo never-run'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--agent-token is not accepted');
    expect(r.stderr).toContain('CODER_AGENT_TOKEN');
    expect(r.stdout).toBe('');
    const r2 = await runCli([`--agent-token=${TOKEN}`, '--', 'true'], { env: {} });
    expect(r2.code).toBe(2);
    for (const text of [r.stderr, r2.stderr]) expect(text).not.toContain(TOKEN);
  });

  it('with the token in the environment, it is not on the CLI process argv', async () => {
    const { standin, env, logFile } = await withStandin();
    // The command prints its parent's (the CLI process's) argv.
    const r = await runCli(['--log-file', logFile, '--', 'sh', '-c', "tr '\\0' ' ' < /proc/$PPID/cmdline; echo"], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cli.js --log-file');
    expect(r.stdout).not.toContain(TOKEN);
    const stored = standin.logs().map((l) => l.output);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toContain('cli.js --log-file');
    expect(JSON.stringify(standin.logs())).not.toContain(TOKEN);
  });

  it('never prints credentials from a URL and names where a bad value came from', async () => {
    const r = await runCli(['--agent-url', 'ftp://admin:hunter2@coder.example.com/', '--', 'true'], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('coder-logstream: --agent-url must be an http(s) URL, got ftp://***@coder.example.com/\n');
    const r2 = await runCli(['--', 'true'], {
      env: { CODER_AGENT_URL: 'ftp://admin:hunter2@coder.example.com/', CODER_LOGSTREAM_BUDGET: '2MiB' },
    });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('coder-logstream: CODER_AGENT_URL must be an http(s) URL, got ftp://***@coder.example.com/');
    expect(r2.stderr).toContain("coder-logstream: CODER_LOGSTREAM_BUDGET cannot exceed Coder's per-agent limit of 1 MiB, got 2MiB");
    for (const text of [r.stderr, r2.stderr]) expect(text).not.toContain('hunter2');
  });

  it('says plainly when one line is larger than the budget left (not "0 KiB used: only warn/error lines")', async () => {
    const { standin, env, logFile } = await withStandin();
    const input = `before\n${'x'.repeat(3 * 1024 * 1024)}\nafter\n`;
    const r = await runCli(['--source-name', 'huge', '--log-file', logFile], { env, input });
    expect(r.code).toBe(0);
    const notes = r.stderr.split('\n').filter((l) => l.startsWith('coder-logstream:'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^coder-logstream: warning: a \d+ KiB line is larger than the 806 KiB left of this run's Coder log budget: it is held back, shorter lines are still sent/,
    );
    expect(r.stderr).not.toMatch(/0 KiB of 896 KiB used/);
    const stored = standin.logs().map((l) => l.output);
    expect(stored.slice(0, 2)).toEqual(['before', 'after']);
    expect(stored.some((o) => /^[23] lines \/ 3072 KiB not shown in Coder; full log: /.test(o))).toBe(true);
  });

  it("on a full agent: sends nothing more after a bounded number of 413s and still exits with the command's code", async () => {
    const { standin, env, logFile } = await withStandin();
    await fillAgent(standin, 1_048_576);
    const before = standin.requests().length;
    const r = await runCli(['--log-file', logFile, '--', 'sh', '-c', `${printLines('line', 3000)}; echo "fatal: it broke" >&2; exit 3`], {
      env,
    });
    expect(r.code).toBe(3);
    const patches = standin
      .requests()
      .slice(before)
      .filter((q) => q.method === 'PATCH');
    expect(patches.length).toBeGreaterThan(0);
    expect(patches.length).toBeLessThanOrEqual(8);
    expect(patches.every((q) => q.status === 413)).toBe(true);
    expect(r.stderr).toMatch(/warning: Coder's log limit for this agent is reached \(413 Logs limit exceeded/);
    expect(readFileSync(logFile, 'utf8').trim().split('\n')).toHaveLength(3001);
  });

  it('two consecutive runs on the same agent share the budget account; the second run keeps its error line visible', async () => {
    const { standin, env } = await withStandin();
    const dir = mkdtempSync(join(tmpdir(), 'dck-coder-log-client-account-'));
    const account = join(dir, 'coder-log-account.json');
    // The agent's own scripts used 100 KiB of its 1 MiB.
    await fillAgent(standin, 100 * 1024);
    const one = await runCli(
      [
        '--budget-account-file',
        account,
        '--log-file',
        join(dir, 'one.log'),
        '--',
        'sh',
        '-c',
        `${printLines('one', 9000)}; echo "run 1: tests failed" >&2; exit 1`,
      ],
      { env },
    );
    expect(one.code).toBe(1);
    const sentByOne = (JSON.parse(readFileSync(account, 'utf8')) as { sentBytes: number }).sentBytes;
    expect(sentByOne).toBe(standin.stats().logsLength - 100 * 1024);
    const two = await runCli(
      [
        '--budget-account-file',
        account,
        '--log-file',
        join(dir, 'two.log'),
        '--',
        'sh',
        '-c',
        `${printLines('two', 3000)}; echo "run 2: build failed" >&2; exit 2`,
      ],
      { env },
    );
    expect(two.code).toBe(2);
    const stored = standin.logs().map((l) => l.output);
    expect(stored).toContain('run 1: tests failed');
    expect(stored.at(-1)).toBe('run 2: build failed');
    expect(stored.filter((o) => / not shown in Coder; full log: .*two\.log$/.test(o))).toHaveLength(1);
    expect(standin.stats().logsLength).toBeLessThanOrEqual(1_048_576);
    expect((JSON.parse(readFileSync(account, 'utf8')) as { sentBytes: number }).sentBytes).toBe(standin.stats().logsLength - 100 * 1024);
  });
});
