// runLogstream (the coder-logstream command) in this process, so its input stream can be watched:
// real streams, the real client over TCP on 127.0.0.1, a real log file. Emulated: coderd (the stand-in).
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../../tests/support/coder-standin/index.js';
import type { LogstreamOptions } from '../src/cli-options.js';
import { runLogstream } from '../src/logstream-command.js';

let standin: CoderStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

describe('runLogstream, standard input', () => {
  it('pauses its input while the send queue is full and Coder is slow; every line reaches Coder, the echo and the log file, in order', async () => {
    standin = await startCoderStandin({ faults: { stalls: 100_000, stallMs: 80 } });
    const dir = mkdtempSync(join(tmpdir(), 'dck-logstream-'));
    const options: LogstreamOptions = {
      agentUrl: standin.url,
      agentToken: standin.agentToken,
      sourceName: 'slow stdin',
      flushIntervalMs: 50,
      flushTimeoutMs: 30_000,
      logFile: join(dir, 'full.log'),
      levelFromJson: false,
      stderrLevel: 'error',
      command: [],
      maxQueueBytes: 8 * 1024,
    };
    const stdin = new PassThrough({ highWaterMark: 4096 });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let echoed = '';
    stdout.on('data', (d: Buffer) => {
      echoed += d;
    });
    let messages = '';
    stderr.on('data', (d: Buffer) => {
      messages += d;
    });
    let pauses = 0;
    stdin.on('pause', () => pauses++);
    const exit = runLogstream(options, { stdin, stdout, stderr, signals: new EventEmitter() });

    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`step ${i}: ${'y'.repeat(i % 40)}`);
    // Feed it as a command would, in 1 KiB writes that wait when the pipe is full.
    const text = `${lines.join('\n')}\n`;
    for (let at = 0; at < text.length; at += 1024) {
      if (!stdin.write(text.slice(at, at + 1024))) await once(stdin, 'drain');
    }
    stdin.end();
    expect(await exit).toBe(0);

    expect(pauses).toBeGreaterThan(0);
    expect(messages).toBe('');
    expect(echoed).toBe(text);
    const stored = standin.logs().map((l) => l.output);
    expect(stored).toEqual(lines);
    const logged = readFileSync(options.logFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.replace(/^\S+ \S+ +\[[^\]]*\] /, ''));
    expect(logged).toEqual(lines);
  }, 60_000);
});
