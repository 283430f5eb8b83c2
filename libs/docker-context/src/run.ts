// The thin shells: `docker …`, any program, and the pinned `devcontainer …`, always with the context's
// environment and never the parent's (extendEnv: false), reject: false (the caller decides).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { LineReader } from '@devcontainer-kit/coder-log-client';
import { execa } from 'execa';
import { type CliLogLine, createCliLogReader } from './cli-log.js';
import type { DockerContext } from './context.js';

export interface ProcessResult {
  /** -1 when the program did not start (see startError). */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
  /** Killed by timeoutMs. */
  timedOut: boolean;
  durationMs: number;
  /** Why the program could not be started (e.g. `spawn make ENOENT`), when it could not. */
  startError?: string;
}

export interface RunDockerOptions {
  input?: string;
  timeoutMs?: number;
  /** Extra variables for this one call (e.g. a value `docker exec -e NAME` copies by name). */
  extraEnv?: Readonly<Record<string, string>>;
  /** Every output line (stdout and stderr, ANSI removed) as it arrives. */
  onLine?: (line: string) => void;
}

export interface RunCommandOptions extends RunDockerOptions {
  /** Working directory (default: the caller's). */
  cwd?: string;
}

/** Runs `docker ARGS` with the context's environment. Never throws for a non-zero exit. */
export function runDocker(ctx: DockerContext, args: readonly string[], options: RunDockerOptions = {}): Promise<ProcessResult> {
  return runCommand(ctx, 'docker', args, options);
}

/**
 * Runs FILE ARGS with the context's environment (and nothing else of the caller's): the shell under
 * runDocker, and for programs that must see exactly what docker and the devcontainer CLI see (a
 * configuration's initializeCommand). Never throws for a non-zero exit or a program that is missing.
 */
export async function runCommand(
  ctx: DockerContext,
  file: string,
  args: readonly string[],
  options: RunCommandOptions = {},
): Promise<ProcessResult> {
  const started = performance.now();
  const child = execa(file, args, {
    env: { ...ctx.env, ...options.extraEnv },
    extendEnv: false,
    reject: false,
    all: true,
    stripFinalNewline: true,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(ctx.signal ? { cancelSignal: ctx.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  let drained: Promise<void> = Promise.resolve();
  if (options.onLine) {
    const reader = new LineReader((l) => options.onLine?.(stripVTControlCharacters(l).trimEnd()));
    child.all?.on('data', (d: Buffer) => reader.push(d));
    drained = streamEnded(child.all).then(() => reader.end());
  }
  const r = await child;
  await drained;
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    all: String(r.all ?? ''),
    timedOut: Boolean(r.timedOut),
    durationMs: Math.round(performance.now() - started),
    ...(r.exitCode === undefined && !r.isCanceled && !r.timedOut ? { startError: r.originalMessage || r.shortMessage } : {}),
  };
}

/** The pinned @devcontainers/cli (this package's dependency: the one place its version is set). */
export function resolveDevcontainerCli(): { command: string; args: string[]; version: string } {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@devcontainers/cli/package.json');
  const pkg = require(pkgPath) as { version: string; bin: Record<string, string> | string };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin.devcontainer ?? 'devcontainer.js');
  return { command: process.execPath, args: [join(dirname(pkgPath), bin)], version: pkg.version };
}

export interface DevcontainerCliResult {
  exitCode: number;
  /** The CLI's one result line on stdout (`outcome`, `containerId`, …), when it printed one. */
  result: Record<string, unknown> | undefined;
  /** The last 20 log lines (ANSI removed). */
  outputTail: string;
  durationMs: number;
}

/**
 * Runs `devcontainer ARGS --log-format json` (the caller passes the flag) with the context's
 * environment; stderr's JSON events arrive leveled through onLine.
 */
export async function runDevcontainerCli(
  ctx: DockerContext,
  args: readonly string[],
  options: { onLine?: (line: CliLogLine) => void } = {},
): Promise<DevcontainerCliResult> {
  const started = performance.now();
  const cli = resolveDevcontainerCli();
  const tail: string[] = [];
  const parse = createCliLogReader();
  const reader = new LineReader((raw) => {
    for (const l of parse(raw)) {
      options.onLine?.(l);
      tail.push(l.text);
      if (tail.length > 20) tail.shift();
    }
  });
  const child = execa(cli.command, [...cli.args, ...args], {
    env: ctx.env,
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    buffer: { stdout: true, stderr: false },
    ...(ctx.signal ? { cancelSignal: ctx.signal } : {}),
  });
  // Read as fast as the CLI writes; handle lines in short slices between reads. The CLI exits right
  // after a failing hook with its own unsent output still queued (lost when it exits), so a reader
  // that handled each chunk before reading the next lost the last thousands of lines of a noisy hook.
  const backlog = createBacklog((chunk) => reader.push(chunk));
  child.stderr?.on('data', (d: Buffer) => backlog.add(d));
  // stderr is not buffered by execa: wait for the stream's end too, not only the exit.
  const drained = streamEnded(child.stderr);
  const r = await child;
  await drained;
  backlog.flush();
  reader.end();
  return {
    exitCode: r.exitCode ?? 1,
    result: parseResultLine(String(r.stdout ?? '')),
    outputTail: tail.join('\n'),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The last JSON object line of stdout that has an `outcome`. Pure. */
export function parseResultLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.split('\n').map((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const j = JSON.parse(lines[i] as string) as unknown;
      if (j && typeof j === 'object' && 'outcome' in j) return j as Record<string, unknown>;
    } catch {}
  }
  return undefined;
}

/** Resolves when a child's output stream has ended or closed (at once when there is none). */
function streamEnded(stream: NodeJS.ReadableStream | null | undefined): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', () => resolve());
    stream.once('close', () => resolve());
    stream.once('error', () => resolve());
  });
}

/**
 * Chunks queued as they arrive and handled in slices of at most `sliceMs`, each slice yielding to
 * the event loop (setImmediate), so reading a child's output never waits for handling it.
 */
function createBacklog(handle: (chunk: Buffer) => void, sliceMs = 5): { add(chunk: Buffer): void; flush(): void } {
  const queue: Buffer[] = [];
  let next = 0;
  let scheduled = false;
  const work = () => {
    scheduled = false;
    const until = performance.now() + sliceMs;
    while (next < queue.length && performance.now() < until) handle(queue[next++] as Buffer);
    if (next < queue.length) schedule();
    else {
      queue.length = 0;
      next = 0;
    }
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(work);
  };
  return {
    add(chunk) {
      queue.push(chunk);
      schedule();
    },
    flush() {
      while (next < queue.length) handle(queue[next++] as Buffer);
      queue.length = 0;
      next = 0;
    },
  };
}
