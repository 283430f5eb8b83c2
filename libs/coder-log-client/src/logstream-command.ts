import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { type LogstreamOptions, redactCredentials } from './cli-options.js';
import { createCoderLogClient } from './client.js';
import { parseDevcontainerJsonLine } from './json-levels.js';
import { LineReader } from './line-reader.js';
import type { LogLevel, ShippingLogStream } from './types.js';

const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface LogstreamIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Where signals arrive (process). */
  signals: NodeJS.EventEmitter;
}

/**
 * Run `coder-logstream`: echo the command's (or stdin's) output unchanged, ship it to Coder,
 * and resolve with the exit code to use (the command's, or 128 + signal number).
 * Shipping problems are reported on stderr and never change the exit code.
 */
export async function runLogstream(options: LogstreamOptions, io: LogstreamIo): Promise<number> {
  const say = (msg: string) => io.stderr.write(`coder-logstream: ${redactCredentials(msg)}\n`);
  let stream: ShippingLogStream | undefined;
  let closeShipping: (timeoutMs: number) => Promise<void> = async () => {};

  if (options.agentUrl && options.agentToken) {
    const client = createCoderLogClient({
      agentUrl: options.agentUrl,
      agentToken: options.agentToken,
      logFile: options.logFile,
      flushIntervalMs: options.flushIntervalMs,
      ...(options.budgetBytes === undefined ? {} : { budgetBytes: options.budgetBytes }),
      ...(options.budgetAccountFile === undefined ? {} : { budgetAccountFile: options.budgetAccountFile }),
      ...(options.maxQueueBytes === undefined ? {} : { maxQueueBytes: options.maxQueueBytes }),
      onWarning: (w) => say(`warning: ${w.message}`),
    });
    stream = await client.createLogStream({
      displayName: options.sourceName,
      ...(options.sourceId ? { id: options.sourceId } : {}),
      ...(options.icon ? { icon: options.icon } : {}),
    });
    closeShipping = (timeoutMs) => client.close({ timeoutMs });
  } else {
    const missing = [options.agentUrl ? undefined : 'CODER_AGENT_URL', options.agentToken ? undefined : 'CODER_AGENT_TOKEN']
      .filter(Boolean)
      .join(' and ');
    say(`${missing} not set: local echo only, nothing is sent to Coder`);
  }

  const ship = (level: LogLevel) => {
    if (!stream) return undefined;
    const s = stream;
    return new LineReader((line) => {
      if (options.levelFromJson) {
        const parsed = parseDevcontainerJsonLine(line);
        if (parsed) {
          for (const l of parsed.lines) s.write(l, parsed.level);
          return;
        }
      }
      s.write(line, level);
    });
  };

  // Echo a readable to a writable unchanged, with backpressure from both the echo and the send
  // queue (a full queue pauses the input until Coder catches up: nothing is dropped, memory stays
  // bounded); EPIPE on our side is ignored.
  const pipeEcho = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream, reader: LineReader | undefined) =>
    new Promise<void>((resolve) => {
      let broken = false;
      let holds = 0;
      const hold = () => {
        if (holds++ === 0) from.pause();
      };
      const release = () => {
        if (--holds === 0) from.resume();
      };
      to.on('error', () => {
        broken = true;
      });
      from.on('data', (chunk: Buffer) => {
        reader?.push(chunk);
        if (!broken && !to.write(chunk)) {
          hold();
          to.once('drain', release);
        }
        if (reader && stream?.writableNeedDrain) {
          hold();
          stream.once('drain', release);
        }
      });
      from.on('end', () => {
        reader?.end();
        resolve();
      });
      from.on('error', () => {
        reader?.end();
        resolve();
      });
    });

  let exitCode: number;
  if (options.command.length === 0) {
    // Standard input mode.
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals) => {
      signalled = sig;
      (io.stdin as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      io.stdin.emit('end');
    };
    for (const sig of FORWARDED_SIGNALS) io.signals.on(sig, onSignal);
    await pipeEcho(io.stdin, io.stdout, ship('info'));
    for (const sig of FORWARDED_SIGNALS) io.signals.off(sig, onSignal);
    exitCode = signalled ? 128 + (constants.signals[signalled] ?? 0) : 0;
  } else {
    const [cmd, ...args] = options.command as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    const forward = (sig: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    };
    for (const sig of FORWARDED_SIGNALS) io.signals.on(sig, forward);
    const outDone = pipeEcho(child.stdout, io.stdout, ship('info'));
    const errDone = pipeEcho(child.stderr, io.stderr, ship(options.stderrLevel));
    exitCode = await new Promise<number>((resolve) => {
      let settled = false;
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        say(`cannot run ${cmd}: ${err.code ?? err.message}`);
        resolve(err.code === 'ENOENT' ? 127 : 126);
      });
      child.once('close', (code, signal) => {
        if (settled) return;
        settled = true;
        resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
      });
    });
    await Promise.all([outDone, errDone]);
    for (const sig of FORWARDED_SIGNALS) io.signals.off(sig, forward);
  }

  // Once the command is done, signals only cut the flush short (the flush timeout still bounds it).
  await closeShipping(options.flushTimeoutMs);
  return exitCode;
}
