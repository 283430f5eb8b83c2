/** What went wrong with the command line. Every code means exit status 2. */
export type CliUsageCode = 'UNKNOWN_OPTION' | 'UNKNOWN_COMMAND' | 'MISSING_COMMAND' | 'MISSING_VALUE' | 'INVALID_ARGUMENT' | 'USAGE';

/**
 * A usage error: the command line itself is wrong. `runCli` prints its message and a pointer to
 * `--help` on stderr and exits 2. Commands throw it for their own usage rules (a flag that needs
 * another, a missing required value); problems with the input (a file that does not parse) are
 * not usage errors: those exit 1.
 */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
  readonly code: CliUsageCode;

  constructor(message: string, options: { code?: CliUsageCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? 'USAGE';
  }
}
