import type { OptionsProblem } from './types.js';

export type K8sManifestsErrorCode = 'INVALID_OPTIONS' | 'INVALID_VALUES_FILE' | 'INVALID_TERRAFORM_JSON' | 'UNSUPPORTED_OBJECT';

/** The one error class of this package. `problems` lists every problem found, not only the first. */
export class K8sManifestsError extends Error {
  override readonly name = 'K8sManifestsError';
  readonly code: K8sManifestsErrorCode;
  readonly problems: OptionsProblem[];
  /** The file at fault (values file), when there is one. */
  readonly file?: string;

  constructor(code: K8sManifestsErrorCode, message: string, options: { cause?: unknown; problems?: OptionsProblem[]; file?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.problems = options.problems ?? [];
    if (options.file !== undefined) this.file = options.file;
  }
}
