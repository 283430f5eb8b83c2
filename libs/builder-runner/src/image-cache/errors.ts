// The image cache's error. (builder-runner's pipeline may re-base it on the package's error class.)
export type ImageCacheErrorCode =
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_UNPARSABLE'
  | 'INPUT_UNREADABLE'
  | 'BUILD_FAILED'
  | 'PUSH_FAILED'
  | 'PULL_FAILED'
  | 'REGISTRY_UNREACHABLE';

export class ImageCacheError extends Error {
  override readonly name = 'ImageCacheError';
  readonly code: ImageCacheErrorCode;
  /** The file, image or URL concerned. */
  readonly subject?: string;
  /** For process failures: the command (no secrets), its exit code and the tail of its output. */
  readonly command?: string;
  readonly exitCode?: number;
  readonly outputTail?: string;

  constructor(
    code: ImageCacheErrorCode,
    message: string,
    context: { subject?: string; command?: string; exitCode?: number; outputTail?: string; cause?: unknown } = {},
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    if (context.subject !== undefined) this.subject = context.subject;
    if (context.command !== undefined) this.command = context.command;
    if (context.exitCode !== undefined) this.exitCode = context.exitCode;
    if (context.outputTail !== undefined) this.outputTail = context.outputTail;
  }
}
