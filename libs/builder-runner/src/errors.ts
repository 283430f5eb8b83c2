/** What went wrong, for callers that act on it (the CLI maps `settings` to exit 2). */
export type BuilderErrorCode =
  | 'settings'
  | 'docker-unavailable'
  | 'coder-unreachable'
  | 'git-auth'
  | 'git-failed'
  | 'config-invalid'
  | 'devcontainer-up-failed'
  | 'lifecycle-hook-failed'
  | 'agent-failed'
  | 'aborted';

export interface BuilderErrorOptions {
  code: BuilderErrorCode;
  cause?: unknown;
  /** The phase that failed. */
  phase?: string;
  /** For process failures: the command (never with secret values), exit code and stderr tail. */
  command?: string;
  exitCode?: number | undefined;
  stderrTail?: string;
  /** Extra lines a human should read (e.g. config problems as file:line:col). */
  details?: string[];
}

/** The one error class of @devcontainer-kit/builder-runner. The message's first line stays short. */
export class BuilderError extends Error {
  override name = 'BuilderError';
  readonly code: BuilderErrorCode;
  readonly phase: string | undefined;
  readonly command: string | undefined;
  readonly exitCode: number | undefined;
  readonly stderrTail: string | undefined;
  readonly details: string[];

  constructor(message: string, options: BuilderErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.phase = options.phase;
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.stderrTail = options.stderrTail;
    this.details = options.details ?? [];
  }
}
