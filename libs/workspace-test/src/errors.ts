export type WorkspaceTestErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_TARGET'
  | 'INVALID_GOSSFILE'
  | 'COMMAND_FAILED'
  | 'GOSS_OUTPUT_INVALID'
  | 'CODER_API_FAILED';

export interface WorkspaceTestErrorOptions {
  cause?: unknown;
  /** The command that failed (argv, never with secret values). */
  command?: string[];
  exitCode?: number;
  /** The last lines of the command's stderr. */
  stderrTail?: string;
  durationMs?: number;
  target?: string;
  method?: string;
  url?: string;
  status?: number;
}

/** The one error class of @devcontainer-kit/workspace-test. */
export class WorkspaceTestError extends Error {
  override readonly name = 'WorkspaceTestError';
  readonly code: WorkspaceTestErrorCode;
  readonly command?: string[];
  readonly exitCode?: number;
  readonly stderrTail?: string;
  readonly durationMs?: number;
  readonly target?: string;
  readonly method?: string;
  readonly url?: string;
  readonly status?: number;

  constructor(code: WorkspaceTestErrorCode, message: string, options: WorkspaceTestErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    const { cause: _cause, ...context } = options;
    Object.assign(this, context);
  }
}
