// goss file shapes (the subset this package writes) and the harness's own types.

/** A goss matcher: a plain value, or a matcher object such as `{ equal: 'x' }` or `{ gjson: {...} }`. */
export type GossMatcher = string | number | boolean | null | GossMatcher[] | { [matcher: string]: GossMatcher };

export interface GossCommand {
  exec?: string;
  'exit-status'?: GossMatcher;
  stdout?: GossMatcher;
  stderr?: GossMatcher;
  timeout?: number;
  title?: string;
  meta?: Record<string, unknown>;
  skip?: boolean;
}

export interface GossUser {
  exists: boolean;
  uid?: GossMatcher;
  home?: GossMatcher;
  title?: string;
  meta?: Record<string, unknown>;
}

export interface GossFileResource {
  exists: boolean;
  filetype?: 'file' | 'directory' | 'symlink';
  owner?: GossMatcher;
  contents?: GossMatcher;
  title?: string;
  meta?: Record<string, unknown>;
}

export interface GossProcess {
  running: boolean;
  title?: string;
  meta?: Record<string, unknown>;
}

export interface GossMount {
  exists: boolean;
  opts?: GossMatcher;
  source?: GossMatcher;
  filesystem?: GossMatcher;
  title?: string;
  meta?: Record<string, unknown>;
}

/** A goss file as a plain object. Unknown resource types (from a user goss file) are kept as they are. */
export interface Gossfile {
  user?: Record<string, GossUser>;
  file?: Record<string, GossFileResource>;
  command?: Record<string, GossCommand>;
  process?: Record<string, GossProcess>;
  mount?: Record<string, GossMount>;
  [resourceType: string]: Record<string, unknown> | undefined;
}

/** A devcontainer configuration as a plain object (merged with image metadata, or as read). */
export type DevcontainerConfig = Record<string, unknown>;

/** An IDE server whose `--list-extensions` output must contain the configuration's extensions. */
export interface IdeServer {
  /** Name shown in check titles, e.g. `code-server`. */
  name: string;
  /** Executables tried in order (a bare name is looked up on PATH). */
  paths: string[];
}

export type CheckKind = 'user' | 'workspace' | 'env' | 'mount' | 'lifecycle' | 'extensions' | 'agent' | 'coder' | 'custom';

/** One goss result, reduced to what a person needs to act on it. */
export interface CheckResult {
  /** goss resource type, e.g. `Command`, `File`, `User`. */
  resourceType: string;
  /** goss resource id (the key in the goss file). */
  resourceId: string;
  /** The property checked, e.g. `stdout`, `exists`, `owner`. */
  property: string;
  /** The check's title (from the goss file's `title`) or the resource id. */
  title: string;
  /** Which part of the configuration the check comes from (`meta.kind`), `custom` for user checks. */
  kind: CheckKind;
  successful: boolean;
  skipped: boolean;
  expected?: unknown;
  actual?: unknown;
  /** One line: `<title>: <property>: expected <x>, actual <y>` (or goss's error). */
  message: string;
  durationMs: number;
}

export interface ValidateResult {
  ok: boolean;
  /** Where the checks ran, e.g. `docker:dck-x`. */
  target: string;
  checks: CheckResult[];
  summary: { total: number; failed: number; skipped: number; durationMs: number };
}
