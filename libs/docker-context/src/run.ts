// The thin shells: `docker …` and the pinned `devcontainer …`, always with the context's
// environment and never the parent's (extendEnv: false), reject: false (the caller decides).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { LineReader } from '@devcontainer-kit/coder-log-client';
import { execa } from 'execa';
import { type CliLogLine, parseCliLogLine } from './cli-log.js';
import type { DockerContext } from './context.js';

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
  /** Killed by timeoutMs. */
  timedOut: boolean;
  durationMs: number;
}

export interface RunDockerOptions {
  input?: string;
  timeoutMs?: number;
  /** Extra variables for this one call (e.g. a value `docker exec -e NAME` copies by name). */
  extraEnv?: Readonly<Record<string, string>>;
  /** Every output line (stdout and stderr, ANSI removed) as it arrives. */
  onLine?: (line: string) => void;
}

/** Runs `docker ARGS` with the context's environment. Never throws for a non-zero exit. */
export async function runDocker(ctx: DockerContext, args: readonly string[], options: RunDockerOptions = {}): Promise<ProcessResult> {
  const started = performance.now();
  const child = execa('docker', args, {
    env: { ...ctx.env, ...options.extraEnv },
    extendEnv: false,
    reject: false,
    all: true,
    stripFinalNewline: true,
    ...(ctx.signal ? { cancelSignal: ctx.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  if (options.onLine) {
    const reader = new LineReader((l) => options.onLine?.(stripVTControlCharacters(l).trimEnd()));
    child.all?.on('data', (d: Buffer) => reader.push(d));
    child.all?.on('end', () => reader.end());
  }
  const r = await child;
  return {
    exitCode: r.exitCode ?? -1,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    all: String(r.all ?? ''),
    timedOut: Boolean(r.timedOut),
    durationMs: Math.round(performance.now() - started),
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
  const reader = new LineReader((raw) => {
    for (const l of parseCliLogLine(raw)) {
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
  child.stderr?.on('data', (d: Buffer) => reader.push(d));
  const r = await child;
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
