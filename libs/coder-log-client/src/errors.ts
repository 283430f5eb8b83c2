export type CoderLogClientErrorCode = 'INVALID_OPTIONS' | 'CLOSED';

/** The one error class of this package. Shipping problems never throw: they become warnings. */
export class CoderLogClientError extends Error {
  override readonly name = 'CoderLogClientError';
  readonly code: CoderLogClientErrorCode;
  /** The option or field at fault, when there is one. */
  readonly field?: string;

  constructor(code: CoderLogClientErrorCode, message: string, options: { cause?: unknown; field?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
  }
}
