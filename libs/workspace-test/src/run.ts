// Copy goss and a goss file into a workspace through a transport, run `goss validate`, parse the result.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tail } from './command.js';
import { WorkspaceTestError } from './errors.js';
import { parseGossResults } from './goss-results.js';
import { parseGossfile, renderGossfile, shellQuote } from './gossfile.js';
import type { Target } from './target.js';
import { createTransport, type Transport, type TransportOptions } from './transport.js';
import type { Gossfile, ValidateResult } from './types.js';

export interface RunGossOptions extends TransportOptions {
  /** `docker:<container>`, `kubectl:<ns>/<pod>[/<container>]`, `coder:<workspace>`, or a Transport. */
  target: string | Target | Transport;
  /** The checks: a goss file object or its YAML text. */
  gossfile: Gossfile | string;
  /** Path of the goss binary to copy in (for the target's architecture). Default: `$GOSS_BINARY`, else `goss` on PATH. */
  goss?: string;
  /** goss `--retry-timeout` (e.g. '30s'): goss itself retries failing checks until this passes. Default '0s'. */
  retryTimeout?: string;
  /** goss `--sleep` between retries. Default '1s'. */
  sleep?: string;
  /** goss `--max-concurrent`. Default goss's (50). */
  maxConcurrent?: number;
  /** Directory in the target under which a private temporary directory is made. Default /tmp. */
  remoteTmp?: string;
  /** Directory goss runs in inside the target, so relative paths in commands resolve there (e.g. the workspace folder). Default: its temporary directory. */
  cwd?: string;
  /** Environment for goss (docker and kubectl-dind transports, see ExecOptions.env). */
  env?: Record<string, string>;
  /** Give up after this long (ms) per step. Default 10 min. */
  timeoutMs?: number;
}

const DURATION = /^\d+(\.\d+)?(ms|s|m|h)$/;

/** Finds the goss binary: explicit path, $GOSS_BINARY, or `goss` on PATH. */
export function findGoss(explicit?: string): string {
  const candidates = explicit
    ? [explicit]
    : [process.env.GOSS_BINARY, ...(process.env.PATH ?? '').split(delimiter).map((d) => d && join(d, 'goss'))];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  throw new WorkspaceTestError(
    'INVALID_OPTIONS',
    explicit ? `goss binary ${explicit} is not executable` : 'no goss binary: pass --goss, set GOSS_BINARY, or put goss on PATH',
  );
}

/** Runs goss inside the target and returns structured results. Failing checks are results, not errors. */
export async function runGoss(options: RunGossOptions): Promise<ValidateResult> {
  const transport =
    typeof options.target === 'object' && 'exec' in options.target ? options.target : createTransport(options.target, options);
  const goss = findGoss(options.goss);
  const retryTimeout = options.retryTimeout ?? '0s';
  const sleep = options.sleep ?? '1s';
  for (const [flag, value] of [
    ['retryTimeout', retryTimeout],
    ['sleep', sleep],
  ] as const) {
    if (!DURATION.test(value)) throw new WorkspaceTestError('INVALID_OPTIONS', `${flag} "${value}" is not a goss duration (e.g. 30s, 2m)`);
  }
  // A YAML text is checked before anything is copied: a syntax error is reported here, not by goss.
  if (typeof options.gossfile === 'string') parseGossfile(options.gossfile);
  const yaml = typeof options.gossfile === 'string' ? options.gossfile : renderGossfile(options.gossfile);
  const timeoutMs = options.timeoutMs ?? 600_000;
  const tmp = options.remoteTmp ?? '/tmp';

  const step = async (what: string, script: string, extra: Parameters<Transport['exec']>[1] = {}) => {
    const result = await transport.exec(script, { timeoutMs, ...extra });
    return { what, script, result };
  };
  const fail = (what: string, script: string, r: { exitCode: number; stderr: string; durationMs: number }) =>
    new WorkspaceTestError(
      'COMMAND_FAILED',
      `${transport.name}: ${what} failed (exit ${r.exitCode}): ${tail(r.stderr, 3) || 'no output'}`,
      {
        command: transport.argv(script).slice(0, -1).concat('<script>'),
        exitCode: r.exitCode,
        stderrTail: tail(r.stderr),
        durationMs: r.durationMs,
        target: transport.name,
      },
    );

  const mk = await step('creating a temporary directory', `mktemp -d ${shellSafe(tmp)}/workspace-test.XXXXXX`);
  const dir = mk.result.stdout.trim();
  if (mk.result.exitCode !== 0 || !dir.startsWith('/')) throw fail(mk.what, mk.script, mk.result);
  const q = `'${dir}'`;
  try {
    const copyGoss = await step('copying goss', `cat > ${q}/goss && chmod 0755 ${q}/goss`, { inputFile: goss });
    if (copyGoss.result.exitCode !== 0) throw fail(copyGoss.what, copyGoss.script, copyGoss.result);
    const copyFile = await step('copying the goss file', `cat > ${q}/goss.yaml`, { input: yaml });
    if (copyFile.result.exitCode !== 0) throw fail(copyFile.what, copyFile.script, copyFile.result);
    const args = [
      `${q}/goss`,
      '--gossfile',
      `${q}/goss.yaml`,
      'validate',
      '--format',
      'json',
      '--no-color',
      '--retry-timeout',
      retryTimeout,
      '--sleep',
      sleep,
      ...(options.maxConcurrent ? ['--max-concurrent', String(options.maxConcurrent)] : []),
    ];
    const cwd = options.cwd ? shellQuote(options.cwd) : q;
    const validate = await step('goss validate', `cd ${cwd} && ${args.join(' ')}`, options.env ? { env: options.env } : {});
    // goss exits 1 when a check fails; its JSON is on stdout either way.
    if (validate.result.stdout.trim().startsWith('{')) return parseGossResults(validate.result.stdout, transport.name);
    throw fail(validate.what, validate.script, validate.result);
  } finally {
    await transport.exec(`rm -rf ${q}`, { timeoutMs: 60_000 }).catch(() => undefined);
  }
}

function shellSafe(path: string): string {
  if (!/^\/[A-Za-z0-9_./-]*$/.test(path))
    throw new WorkspaceTestError('INVALID_OPTIONS', `remoteTmp "${path}" must be a plain absolute path`);
  return path.replace(/\/+$/, '') || '/';
}
