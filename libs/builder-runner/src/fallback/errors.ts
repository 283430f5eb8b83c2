// The fallback workspace's error. (builder-runner's pipeline may re-base it on the package's error class.)
export type FallbackErrorCode = 'IMAGE_UNAVAILABLE' | 'START_FAILED' | 'WRITE_FAILED';

export class FallbackError extends Error {
  override readonly name = 'FallbackError';
  readonly code: FallbackErrorCode;
  readonly image: string;
  readonly command?: string;
  readonly exitCode?: number;
  readonly outputTail?: string;

  constructor(
    code: FallbackErrorCode,
    message: string,
    context: { image: string; command?: string; exitCode?: number; outputTail?: string; cause?: unknown },
  ) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.image = context.image;
    if (context.command !== undefined) this.command = context.command;
    if (context.exitCode !== undefined) this.exitCode = context.exitCode;
    if (context.outputTail !== undefined) this.outputTail = context.outputTail;
  }
}
