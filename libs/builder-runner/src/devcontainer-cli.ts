// `devcontainer up --log-format json`: the pinned @devcontainers/cli, its JSON log events parsed
// into leveled lines, its one result line on stdout kept.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { LogLevel, PhaseLog } from './phase-log.js';
import { createLineSplitter } from './phase-log.js';

/** The pinned CLI's entry script (from the package, never a global `devcontainer`). */
export function resolveDevcontainerCli(): { command: string; args: string[]; version: string } {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@devcontainers/cli/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string; bin: Record<string, string> | string };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin.devcontainer ?? 'devcontainer.js');
  return { command: process.execPath, args: [join(dirname(pkgPath), bin)], version: pkg.version };
}

export interface UpArgsOptions {
  workspaceFolder: string;
  configFile?: string | undefined;
  idLabels: Record<string, string>;
  cacheFrom?: string[];
  cacheTo?: string | undefined;
  mounts?: string[];
  remoteEnv?: string[];
  removeExistingContainer?: boolean;
  /** `--override-config FILE` (a prebuilt image's configuration, see cache-phase.ts). */
  overrideConfig?: string | undefined;
}

/** Arguments of `devcontainer up`. Pure. */
export function buildUpArgs(o: UpArgsOptions): string[] {
  const args = ['up', '--workspace-folder', o.workspaceFolder, '--log-format', 'json', '--log-level', 'info'];
  if (o.configFile) args.push('--config', o.configFile);
  for (const [k, v] of Object.entries(o.idLabels)) args.push('--id-label', `${k}=${v}`);
  for (const c of o.cacheFrom ?? []) args.push('--cache-from', c);
  if (o.cacheTo) args.push('--cache-to', o.cacheTo);
  for (const m of o.mounts ?? []) args.push('--mount', m);
  for (const e of o.remoteEnv ?? []) args.push('--remote-env', e);
  if (o.removeExistingContainer) args.push('--remove-existing-container');
  if (o.overrideConfig) args.push('--override-config', o.overrideConfig);
  return args;
}

const LEVELS: Record<number, LogLevel> = { 1: 'trace', 2: 'debug', 3: 'info', 4: 'warn', 5: 'error' };
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;

export interface ParsedLogLine {
  text: string;
  level: LogLevel;
}

/** One stderr line of `--log-format json` → leveled lines (raw output may hold several). Pure. */
export function parseCliLogLine(line: string): ParsedLogLine[] {
  const trimmed = line.trim();
  if (!trimmed) return [];
  let event: { type?: string; level?: number; text?: string; name?: string; status?: string };
  try {
    event = JSON.parse(trimmed);
  } catch {
    return [{ text: trimmed.replace(ANSI, ''), level: 'info' }];
  }
  if (typeof event !== 'object' || event === null) return [{ text: trimmed, level: 'info' }];
  let level = LEVELS[event.level ?? 3] ?? 'info';
  if (event.type === 'progress') {
    if (!event.name) return [];
    return [{ text: `${event.name}: ${event.status ?? ''}`.trim(), level: event.status === 'failed' ? 'error' : 'debug' }];
  }
  if (event.type === 'start' || event.type === 'stop') level = level === 'info' ? 'debug' : level;
  const text = (event.text ?? '').replace(ANSI, '');
  return text
    .split(/\r?\n|\r/)
    .map((t) => t.trimEnd())
    .filter((t) => t.length > 0)
    .map((t) => ({ text: t, level }));
}

export interface UpResult {
  outcome: 'success' | 'error';
  containerId?: string;
  remoteUser?: string;
  remoteWorkspaceFolder?: string;
  composeProjectName?: string;
  message?: string;
  description?: string;
}

/** The last JSON line on stdout. Pure. */
export function parseUpResult(stdout: string): UpResult | undefined {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const j = JSON.parse(lines[i] as string);
      if (j && typeof j === 'object' && 'outcome' in j) return j as UpResult;
    } catch {}
  }
  return undefined;
}

/** The lifecycle hook a failure came from, when it was one. Pure. */
export function failedLifecycleHook(result: UpResult): string | undefined {
  const text = `${result.description ?? ''} ${result.message ?? ''}`;
  const m = /\b(initializeCommand|onCreateCommand|updateContentCommand|postCreateCommand|postStartCommand|postAttachCommand)\b/.exec(text);
  return m?.[1];
}

export interface RunUpOptions extends UpArgsOptions {
  log: PhaseLog;
  env: Record<string, string | undefined>;
  signal?: AbortSignal;
  /** Called with every parsed line (e.g. to notice whether the image was built). */
  onLine?: (line: ParsedLogLine) => void;
}

export async function runDevcontainerUp(o: RunUpOptions): Promise<{ result: UpResult | undefined; exitCode: number; stderrTail: string }> {
  const cli = resolveDevcontainerCli();
  const args = [...cli.args, ...buildUpArgs(o)];
  const tail: string[] = [];
  const splitter = createLineSplitter((raw) => {
    for (const l of parseCliLogLine(raw)) {
      o.log.write(l.text, l.level);
      o.onLine?.(l);
      tail.push(l.text);
      if (tail.length > 20) tail.shift();
    }
  });
  const child = execa(cli.command, args, {
    env: o.env,
    extendEnv: false,
    reject: false,
    cancelSignal: o.signal,
    stdin: 'ignore',
    buffer: { stdout: true, stderr: false },
    stderr: 'pipe',
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => splitter.push(d));
  const r = await child;
  splitter.end();
  return { result: parseUpResult(String(r.stdout ?? '')), exitCode: r.exitCode ?? 1, stderrTail: tail.join('\n') };
}
