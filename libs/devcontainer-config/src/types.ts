/** Severity of a problem: errors make a config invalid, warnings do not (unless --strict). */
export type Severity = 'error' | 'warning';

/** One finding about a config file, at the offending value. Line and column are 1-based. */
export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
}

/** Stable problem codes (documented in the README). */
export type ProblemCode =
  | 'json-syntax'
  | 'empty-file'
  | 'root-not-object'
  | 'duplicate-key'
  | 'type-mismatch'
  | 'invalid-enum'
  | 'invalid-format'
  | 'out-of-range'
  | 'missing-required'
  | 'unknown-property'
  | 'deprecated-property'
  | 'missing-container-source'
  | 'conflicting-container-source'
  | 'compose-only-property'
  | 'ignored-with-compose'
  | 'workspace-mount-without-folder'
  | 'invalid-mount'
  | 'unknown-variable'
  | 'invalid-variable'
  | 'devcontainer-id-at-build-time'
  | 'container-env-outside-remote-env'
  | 'invalid-feature-reference'
  | 'local-feature-outside-devcontainer'
  | 'feature-manifest-not-found'
  | 'feature-install-script-missing'
  | 'feature-id-mismatch'
  | 'unknown-feature-option'
  | 'invalid-feature-option'
  | 'unknown-feature-in-order'
  | 'feature-dependency-cycle'
  | 'feature-dependency-missing'
  | 'file-not-found'
  | 'nesting-too-deep'
  | 'too-many-problems'
  | 'invalid-image-reference';

/** A position in a source text. */
export interface SourceLocation {
  offset: number;
  length: number;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

/** A JSON path: property names and array indices. */
export type JsonPath = ReadonlyArray<string | number>;

/** A devcontainer.json as a plain object (values not checked: see validateDevcontainer). */
export type DevcontainerConfig = Record<string, unknown>;

/** A lifecycle command as written: string (shell), array (exec) or object (named parallel steps). */
export type LifecycleCommand = string | string[] | Record<string, string | string[]>;

export const LIFECYCLE_HOOKS = [
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];
