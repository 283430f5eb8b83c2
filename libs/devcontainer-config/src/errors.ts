/** Codes of DevcontainerConfigError (thrown for I/O and usage failures; config problems are returned, not thrown). */
export type DevcontainerConfigErrorCode = 'CONFIG_NOT_FOUND' | 'READ_FAILED' | 'INVALID_METADATA_LABEL' | 'INVALID_ARGUMENT';

export interface DevcontainerConfigErrorOptions {
  cause?: unknown;
  /** The file or folder the error is about. */
  path?: string;
}

/** The one error class of this package. */
export class DevcontainerConfigError extends Error {
  override readonly name = 'DevcontainerConfigError';
  readonly code: DevcontainerConfigErrorCode;
  readonly path: string | undefined;

  constructor(code: DevcontainerConfigErrorCode, message: string, options: DevcontainerConfigErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }
}
