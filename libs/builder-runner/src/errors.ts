import type { PhaseName } from './phase-log.js';

/** What went wrong, by the phase that owns it (the CLI maps `settings` to exit 2). */
export type BuilderErrorCode =
  | 'settings'
  // preflight
  | 'docker-unavailable'
  | 'coder-unreachable'
  // checkout
  | 'git-auth'
  | 'git-failed'
  // config
  | 'config-invalid'
  // up
  | 'devcontainer-up-failed'
  | 'lifecycle-hook-failed'
  // fallback
  | 'fallback-image-unavailable'
  | 'fallback-start-failed'
  // extensions (never fails the workspace: a phase error here is a bug)
  | 'extensions-failed'
  // agent
  | 'agent-download-failed'
  | 'agent-failed'
  // supervise (and any phase): a signal ended the run
  | 'aborted';

export interface BuilderErrorOptions {
  code: BuilderErrorCode;
  cause?: unknown;
  /** The phase that failed. */
  phase?: PhaseName | undefined;
  /** For process failures: the command (never with secret values), its exit code and output tail. */
  command?: string | undefined;
  exitCode?: number | undefined;
  outputTail?: string | undefined;
  /** Extra lines a human should read (e.g. config problems as file:line:col). */
  details?: string[] | undefined;
}

/** The one error class of @devcontainer-kit/builder-runner. The message's first line stays short. */
export class BuilderError extends Error {
  override readonly name = 'BuilderError';
  readonly code: BuilderErrorCode;
  readonly phase: PhaseName | undefined;
  readonly command: string | undefined;
  readonly exitCode: number | undefined;
  readonly outputTail: string | undefined;
  readonly details: string[];

  constructor(message: string, options: BuilderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.phase = options.phase;
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.outputTail = options.outputTail;
    this.details = options.details ?? [];
  }
}
