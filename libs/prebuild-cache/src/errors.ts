/** What went wrong in the image cache. */
export type PrebuildCacheErrorCode =
  | 'config-not-found'
  | 'config-invalid'
  | 'input-unreadable'
  | 'build-failed'
  | 'push-failed'
  | 'registry-unreachable'
  | 'registry-auth'
  | 'docker-config-invalid';

export interface PrebuildCacheErrorOptions {
  code: PrebuildCacheErrorCode;
  /** The file, image or URL concerned. */
  subject?: string | undefined;
  /** For process failures: the command (never with secret values), its exit code and output tail. */
  command?: string | undefined;
  exitCode?: number | undefined;
  outputTail?: string | undefined;
  cause?: unknown;
}

/** The one error class of @devcontainer-kit/prebuild-cache. The message's first line stays short. */
export class PrebuildCacheError extends Error {
  override readonly name = 'PrebuildCacheError';
  readonly code: PrebuildCacheErrorCode;
  readonly subject: string | undefined;
  readonly command: string | undefined;
  readonly exitCode: number | undefined;
  readonly outputTail: string | undefined;

  constructor(message: string, options: PrebuildCacheErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.subject = options.subject;
    this.command = options.command;
    this.exitCode = options.exitCode;
    this.outputTail = options.outputTail;
  }
}
