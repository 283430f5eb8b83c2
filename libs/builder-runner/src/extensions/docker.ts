// A thin shell over the docker CLI for this module (DOCKER_HOST is inherited from the environment).
import { execa } from 'execa';

export interface DockerRunOptions {
  /** The docker CLI (default `docker`). */
  docker?: string;
  timeoutMs?: number;
  input?: string;
}

export interface DockerRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
  timedOut: boolean;
  durationMs: number;
}

export async function runDocker(args: readonly string[], options: DockerRunOptions = {}): Promise<DockerRunResult> {
  const started = performance.now();
  const result = await execa(options.docker ?? 'docker', args, {
    reject: false,
    all: true,
    stripFinalNewline: true,
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
  });
  return {
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    all: String(result.all ?? ''),
    timedOut: Boolean(result.timedOut),
    durationMs: Math.round(performance.now() - started),
  };
}
