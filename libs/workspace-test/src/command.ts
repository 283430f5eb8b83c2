// The one place that starts processes: every transport goes through a CommandRunner, so tests can
// put small executables first on PATH and the docker/kubectl/coder shells stay thin.
import { WITHHELD_ENV_NAMES } from '@devcontainer-kit/builder-runner';
import { execa } from 'execa';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface RunCommandOptions {
  /** Text written to the child's stdin. */
  input?: string;
  /** A file streamed to the child's stdin. */
  inputFile?: string;
  /** Extra environment for the child (on top of this process's, less the builder's tokens). */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type CommandRunner = (file: string, args: string[], options?: RunCommandOptions) => Promise<CommandResult>;

/** Runs a command with execa; never throws for a non-zero exit (exit 127 when the program is missing). */
export const runCommand: CommandRunner = async (file, args, options = {}) => {
  const started = performance.now();
  const result = await execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.inputFile !== undefined ? { inputFile: options.inputFile } : {}),
    ...(options.input === undefined && options.inputFile === undefined ? { stdin: 'ignore' as const } : {}),
    env: childEnv(options.env),
    extendEnv: false,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    maxBuffer: 64 * 1024 * 1024,
  });
  const missing = (result as { code?: string }).code === 'ENOENT';
  return {
    exitCode: result.exitCode ?? (missing ? 127 : 1),
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr:
      typeof result.stderr === 'string' && result.stderr !== ''
        ? result.stderr
        : result.failed && result.exitCode === undefined
          ? (result.shortMessage ?? '')
          : '',
    durationMs: Math.round(performance.now() - started),
  };
};

/**
 * This process's environment without the builder's tokens (agent token, git tokens: builder-runner's
 * WITHHELD_ENV_NAMES), plus `extra`. docker, kubectl, coder and goss need none of those tokens.
 */
function childEnv(extra: Record<string, string> | undefined): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of WITHHELD_ENV_NAMES) delete env[name];
  return { ...env, ...extra };
}

/** The last `lines` non-empty lines of a text. */
export function tail(text: string, lines = 10): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n');
}
