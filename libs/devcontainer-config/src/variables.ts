import { posix, win32 } from 'node:path';
import { didYouMeanSuffix } from './did-you-mean.js';
import { DevcontainerConfigError } from './errors.js';
import { isNestedDeeperThan, MAX_NESTING_DEPTH } from './nesting.js';
import type { DevcontainerConfig, ProblemCode, Severity } from './types.js';

/** Variable names the spec defines (`${name}` or `${name:arg[:default]}`). */
export const KNOWN_VARIABLES = [
  'localEnv',
  'containerEnv',
  'localWorkspaceFolder',
  'containerWorkspaceFolder',
  'localWorkspaceFolderBasename',
  'containerWorkspaceFolderBasename',
  'devcontainerId',
  // `env` is the devcontainer CLI's alias of localEnv.
  'env',
] as const;

/** Top-level properties used to build the image: ${devcontainerId} is unknown at that time. */
export const BUILD_TIME_PROPERTIES = new Set([
  'image',
  'build',
  'dockerFile',
  'context',
  'dockerComposeFile',
  'features',
  'overrideFeatureInstallOrder',
]);

export interface VariableReference {
  /** The whole `${...}`. */
  text: string;
  name: string;
  args: string[];
  /** Offset of `$` inside the string value. */
  index: number;
}

const NO_VARIABLES: readonly VariableReference[] = Object.freeze([]);

/**
 * Calls `found(start, end)` for every `${…}` in `value` (`end` is the index of `}`), left to right, with the devcontainer
 * CLI's rule (the regular expression `\$\{(.*?)\}`): the name and arguments end at the first `}` and cannot span a line
 * break. One pass: when no `}` follows, no later `${` can close either, so the scan stops (the regular expression
 * would retry from every `${` and take quadratic time on `${${${…`).
 */
function scanVariables(value: string, found: (start: number, end: number) => void): void {
  let start = value.indexOf('${');
  while (start >= 0) {
    let end = -1;
    let i = start + 2;
    for (; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c === 0x7d /* } */) {
        end = i;
        break;
      }
      if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) break;
    }
    if (i >= value.length) return;
    if (end >= 0) found(start, end);
    start = value.indexOf('${', i + 1);
  }
}

/** Every `${...}` in a string. */
export function findVariables(value: string): readonly VariableReference[] {
  if (!value.includes('${')) return NO_VARIABLES;
  const out: VariableReference[] = [];
  scanVariables(value, (start, end) => {
    const parts = value.slice(start + 2, end).split(':');
    out.push({ text: value.slice(start, end + 1), name: parts[0] as string, args: parts.slice(1), index: start });
  });
  return out;
}

export interface VariableIssue {
  severity: Severity;
  code: ProblemCode;
  message: string;
}

/** Check one variable reference found in the value of top-level property `topLevel`. */
export function checkVariable(ref: VariableReference, topLevel: string): VariableIssue | undefined {
  switch (ref.name) {
    case 'localEnv':
    case 'env':
    case 'containerEnv':
      if (ref.args.length === 0 || ref.args[0] === '') {
        return { severity: 'error', code: 'invalid-variable', message: `${ref.text} needs a variable name: \${${ref.name}:NAME}` };
      }
      if (ref.args.length > 2) {
        return {
          severity: 'warning',
          code: 'invalid-variable',
          message: `${ref.text}: the default value ends at the first ":" (the rest, ":${ref.args.slice(2).join(':')}", is dropped)`,
        };
      }
      if (ref.name === 'containerEnv' && topLevel !== 'remoteEnv') {
        return {
          severity: 'warning',
          code: 'container-env-outside-remote-env',
          message: `${ref.text} is only substituted in "remoteEnv" (found in "${topLevel}"; it stays literal there)`,
        };
      }
      return undefined;
    case 'devcontainerId':
      if (BUILD_TIME_PROPERTIES.has(topLevel)) {
        return {
          severity: 'error',
          code: 'devcontainer-id-at-build-time',
          message: `\${devcontainerId} cannot be used in "${topLevel}": it is used to build the image, before the dev container's id exists`,
        };
      }
      return undefined;
    case 'localWorkspaceFolder':
    case 'containerWorkspaceFolder':
    case 'localWorkspaceFolderBasename':
    case 'containerWorkspaceFolderBasename':
      return undefined;
    default:
      return {
        severity: 'warning',
        code: 'unknown-variable',
        message: `unknown variable ${ref.text}: it is left as written${didYouMeanSuffix(ref.name, KNOWN_VARIABLES)}`,
      };
  }
}

export interface SubstituteOptions {
  config: DevcontainerConfig;
  /** Absolute path of the workspace folder on the machine running the build. */
  localWorkspaceFolder: string;
  /** Default: the config's workspaceFolder (after local substitution) or `/workspaces/<basename>` (`/` for Compose). */
  containerWorkspaceFolder?: string;
  /** Local environment (default process.env). */
  env?: Record<string, string | undefined>;
  /** Environment inside the container: given → ${containerEnv:...} in remoteEnv is substituted; absent → left as written. */
  containerEnv?: Record<string, string | undefined>;
  /** Given → ${devcontainerId} is substituted (see computeDevcontainerId); absent → left as written. */
  devcontainerId?: string;
}

/**
 * Replace the spec's variables in every string value (not in keys), as the devcontainer CLI does:
 * unknown variables stay as written; a missing `${localEnv:X}` without default becomes "".
 */
export function substituteVariables(options: SubstituteOptions): DevcontainerConfig {
  const { config, localWorkspaceFolder } = options;
  // Parsed configs are at most MAX_NESTING_DEPTH deep; an object built by a caller could be anything.
  if (isNestedDeeperThan(config, MAX_NESTING_DEPTH + 1)) {
    throw new DevcontainerConfigError('INVALID_ARGUMENT', `the config nests objects/arrays more than ${MAX_NESTING_DEPTH} levels deep`);
  }
  const env = options.env ?? process.env;
  const pathApi = localWorkspaceFolder.includes('\\') && !localWorkspaceFolder.includes('/') ? win32 : posix;
  const localBase = pathApi.basename(localWorkspaceFolder);
  const ctx: Ctx = { env, localWorkspaceFolder, localBase, containerEnv: options.containerEnv, devcontainerId: options.devcontainerId };
  ctx.containerWorkspaceFolder = options.containerWorkspaceFolder ?? resolveContainerWorkspaceFolder({ config, localWorkspaceFolder, env });
  const out: DevcontainerConfig = {};
  for (const [key, value] of Object.entries(config)) out[key] = walk(value, ctx, key);
  return out;
}

/**
 * The workspace folder inside the container: `workspaceFolder` (with local variables substituted), else
 * `/workspaces/<basename of the local folder>`, or `/` for Compose configs.
 */
export function resolveContainerWorkspaceFolder({
  config,
  localWorkspaceFolder,
  env = process.env,
}: {
  config: DevcontainerConfig;
  localWorkspaceFolder: string;
  env?: Record<string, string | undefined>;
}): string {
  const pathApi = localWorkspaceFolder.includes('\\') && !localWorkspaceFolder.includes('/') ? win32 : posix;
  const localBase = pathApi.basename(localWorkspaceFolder);
  const wf = config.workspaceFolder;
  if (typeof wf === 'string')
    return replaceIn(wf, { env, localWorkspaceFolder, localBase, containerEnv: undefined, devcontainerId: undefined }, 'workspaceFolder');
  return config.dockerComposeFile !== undefined ? '/' : `/workspaces/${localBase}`;
}

interface Ctx {
  env: Record<string, string | undefined>;
  localWorkspaceFolder: string;
  localBase: string;
  containerWorkspaceFolder?: string | undefined;
  containerEnv: Record<string, string | undefined> | undefined;
  devcontainerId: string | undefined;
}

function walk(value: unknown, ctx: Ctx, topLevel: string): unknown {
  if (typeof value === 'string') return replaceIn(value, ctx, topLevel);
  if (Array.isArray(value)) return value.map((v) => walk(v, ctx, topLevel));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, ctx, topLevel);
    return out;
  }
  return value;
}

function replaceIn(value: string, ctx: Ctx, topLevel: string): string {
  if (!value.includes('${')) return value;
  let out = '';
  let last = 0;
  scanVariables(value, (start, end) => {
    out += value.slice(last, start) + resolveVariable(value.slice(start, end + 1), value.slice(start + 2, end), ctx, topLevel);
    last = end + 1;
  });
  return out + value.slice(last);
}

function resolveVariable(whole: string, inner: string, ctx: Ctx, topLevel: string): string {
  const [name, ...args] = inner.split(':');
  switch (name) {
    case 'localEnv':
    case 'env':
      if (!args[0]) return whole;
      return ctx.env[args[0]] ?? args[1] ?? '';
    case 'containerEnv':
      if (!args[0] || ctx.containerEnv === undefined || topLevel !== 'remoteEnv') return whole;
      return ctx.containerEnv[args[0]] ?? args[1] ?? '';
    case 'localWorkspaceFolder':
      return ctx.localWorkspaceFolder;
    case 'localWorkspaceFolderBasename':
      return ctx.localBase;
    case 'containerWorkspaceFolder':
      return ctx.containerWorkspaceFolder ?? whole;
    case 'containerWorkspaceFolderBasename':
      return ctx.containerWorkspaceFolder === undefined ? whole : posix.basename(ctx.containerWorkspaceFolder);
    case 'devcontainerId':
      return ctx.devcontainerId ?? whole;
    default:
      return whole;
  }
}

/**
 * The environment variable names a config reads from the local (builder's) environment: every
 * `${localEnv:NAME}` and `${env:NAME}` in string values, in first-seen order, without duplicates.
 * A caller that hands the devcontainer CLI a filtered environment passes these names through.
 * Iterative: a hostile config cannot overflow the stack.
 */
export function listLocalEnvNames(config: unknown): string[] {
  const names = new Set<string>();
  const stack: unknown[] = [config];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') {
      for (const ref of findVariables(node)) {
        if ((ref.name === 'localEnv' || ref.name === 'env') && ref.args[0]) names.add(ref.args[0]);
      }
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
    } else if (node !== null && typeof node === 'object') {
      const values = Object.values(node);
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i]);
    }
  }
  return [...names];
}
