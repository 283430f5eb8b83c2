// `devcontainer up` / `run-user-commands` arguments and what their output says. Pure.
import { LIFECYCLE_HOOKS } from '@devcontainer-kit/devcontainer-config';

/** The devcontainer CLI's dotfiles flags (installed after postCreateCommand, once per container). */
export interface DotfilesOptions {
  repository: string;
  installCommand?: string | undefined;
  targetPath?: string | undefined;
}

function dotfilesArgs(d: DotfilesOptions | undefined): string[] {
  if (!d) return [];
  const args = ['--dotfiles-repository', d.repository];
  if (d.installCommand) args.push('--dotfiles-install-command', d.installCommand);
  if (d.targetPath) args.push('--dotfiles-target-path', d.targetPath);
  return args;
}

export interface UpArgsOptions {
  workspaceFolder: string;
  configFile?: string | undefined;
  idLabels: Record<string, string>;
  cacheFrom?: readonly string[];
  cacheTo?: string | undefined;
  mounts?: readonly string[];
  remoteEnv?: readonly string[];
  removeExistingContainer?: boolean;
  /** `--override-config FILE` (a prebuilt image's configuration). */
  overrideConfig?: string | undefined;
  /** `--skip-non-blocking-commands`: stop after the `waitFor` hook (the rest runs in the background). */
  skipNonBlocking?: boolean;
  /** `--skip-post-create`: no container hooks at all (they run later with `run-user-commands`). */
  skipPostCreate?: boolean;
  dotfiles?: DotfilesOptions | undefined;
  /** `--container-session-data-folder DIR` (see sessionDataFolder). */
  sessionDataFolder?: string | undefined;
}

/**
 * The folder in the container where the CLI caches its userEnvProbe result: one per start, shared
 * by that start's `up` and `run-user-commands`, so the shell is probed once per start, before the
 * first hook — as one `devcontainer up` does — not again in every CLI run. Pure.
 */
export function sessionDataFolder(startId: string): string {
  return `/tmp/devcontainer-kit/session-${startId}`;
}

/** Arguments of `devcontainer up`. Pure. */
export function buildUpArgs(o: UpArgsOptions): string[] {
  const args = ['up', '--workspace-folder', o.workspaceFolder, '--log-format', 'json', '--log-level', 'info'];
  if (o.configFile) args.push('--config', o.configFile);
  for (const [k, v] of Object.entries(o.idLabels)) args.push('--id-label', `${k}=${v}`);
  for (const c of o.cacheFrom ?? []) args.push('--cache-from', c);
  if (o.cacheTo) args.push('--cache-to', o.cacheTo);
  for (const m of o.mounts ?? []) args.push('--mount', m);
  for (const e of o.remoteEnv ?? []) args.push('--remote-env', e);
  if (o.removeExistingContainer) args.push('--remove-existing-container');
  if (o.overrideConfig) args.push('--override-config', o.overrideConfig);
  if (o.sessionDataFolder) args.push('--container-session-data-folder', o.sessionDataFolder);
  if (o.skipPostCreate) args.push('--skip-post-create');
  else if (o.skipNonBlocking) args.push('--skip-non-blocking-commands');
  args.push(...dotfilesArgs(o.dotfiles));
  return args;
}

export interface RunUserCommandsArgsOptions {
  workspaceFolder: string;
  configFile?: string | undefined;
  /** The same id labels as `up`: the CLI finds the container and reads its metadata label. */
  idLabels: Record<string, string>;
  remoteEnv?: readonly string[];
  overrideConfig?: string | undefined;
  /** Stop after the `waitFor` hook. */
  skipNonBlocking?: boolean;
  dotfiles?: DotfilesOptions | undefined;
  /** `--container-session-data-folder DIR`: the same as that start's `up` (see sessionDataFolder). */
  sessionDataFolder?: string | undefined;
}

/**
 * Arguments of `devcontainer run-user-commands`: the lifecycle hooks of an existing container with
 * the CLI's own semantics (each creation hook once per container, postStart once per start — the
 * CLI keeps markers in the container — and postAttach every time). Pure.
 */
export function buildRunUserCommandsArgs(o: RunUserCommandsArgsOptions): string[] {
  const args = ['run-user-commands', '--workspace-folder', o.workspaceFolder, '--log-format', 'json', '--log-level', 'info'];
  if (o.configFile) args.push('--config', o.configFile);
  for (const [k, v] of Object.entries(o.idLabels)) args.push('--id-label', `${k}=${v}`);
  for (const e of o.remoteEnv ?? []) args.push('--remote-env', e);
  if (o.overrideConfig) args.push('--override-config', o.overrideConfig);
  if (o.sessionDataFolder) args.push('--container-session-data-folder', o.sessionDataFolder);
  if (o.skipNonBlocking) args.push('--skip-non-blocking-commands');
  args.push(...dotfilesArgs(o.dotfiles));
  return args;
}

/** The devcontainer CLI's result line. */
export interface UpResult {
  outcome: 'success' | 'error';
  containerId?: string;
  remoteUser?: string;
  remoteWorkspaceFolder?: string;
  message?: string;
  description?: string;
}

const HOOK_PATTERN = new RegExp(`\\b(${LIFECYCLE_HOOKS.join('|')})\\b`);

/** The lifecycle hook a failure came from, when it was one. Pure. */
export function failedLifecycleHook(result: UpResult): string | undefined {
  return HOOK_PATTERN.exec(`${result.description ?? ''} ${result.message ?? ''}`)?.[1];
}

/** The hooks that run inside the container, in the spec's order (initializeCommand runs on the host). */
export const CONTAINER_HOOKS = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;
export type ContainerHook = (typeof CONTAINER_HOOKS)[number];

export const DEFAULT_WAIT_FOR = 'updateContentCommand';

/**
 * The hooks the CLI leaves for later with `--skip-non-blocking-commands`: those after `waitFor`
 * (default updateContentCommand; `initializeCommand` leaves all of them) that some configuration
 * entry defines. `configs`: devcontainer.json and the image/feature metadata entries. Pure.
 */
export function backgroundHooks(waitFor: string | undefined, configs: readonly unknown[]): ContainerHook[] {
  const w = waitFor ?? DEFAULT_WAIT_FOR;
  // An unknown value never matches in the CLI either: it runs every hook before it returns.
  const from = w === 'initializeCommand' ? 0 : CONTAINER_HOOKS.indexOf(w as ContainerHook) + 1;
  if (from <= 0 && w !== 'initializeCommand') return [];
  return CONTAINER_HOOKS.slice(from).filter((h) => configs.some((c) => isDefined((c as Record<string, unknown> | null)?.[h])));
}

/** The hooks `--skip-non-blocking-commands` runs: up to and including `waitFor`, where some entry defines them. Pure. */
export function blockingHooks(waitFor: string | undefined, configs: readonly unknown[]): ContainerHook[] {
  const w = waitFor ?? DEFAULT_WAIT_FOR;
  const i = CONTAINER_HOOKS.indexOf(w as ContainerHook);
  // initializeCommand: none blocks; an unknown value: the CLI runs every hook before it returns.
  const upTo = w === 'initializeCommand' ? 0 : i === -1 ? CONTAINER_HOOKS.length : i + 1;
  return CONTAINER_HOOKS.slice(0, upTo).filter((h) => configs.some((c) => isDefined((c as Record<string, unknown> | null)?.[h])));
}

function isDefined(command: unknown): boolean {
  if (typeof command === 'string') return command.trim().length > 0;
  if (Array.isArray(command)) return command.length > 0;
  return typeof command === 'object' && command !== null && Object.keys(command).length > 0;
}

/** The effective `waitFor`: the last configuration entry that sets one (the CLI's merge rule). Pure. */
export function effectiveWaitFor(configs: readonly unknown[]): string {
  for (let i = configs.length - 1; i >= 0; i--) {
    const w = (configs[i] as Record<string, unknown> | null)?.waitFor;
    if (typeof w === 'string' && w) return w;
  }
  return DEFAULT_WAIT_FOR;
}

/**
 * A hook's progress from the CLI's log (`--log-format json` progress events, as cli-log renders
 * them: "Running postCreateCommand...: succeeded"). Pure.
 */
export function parseHookProgress(text: string): { hook: ContainerHook; state: 'running' | 'succeeded' | 'failed' } | undefined {
  const m = /^Running (\w+)\.\.\.: (running|succeeded|failed)$/.exec(text.trim());
  if (!m || !(CONTAINER_HOOKS as readonly string[]).includes(m[1] as string)) return undefined;
  return { hook: m[1] as ContainerHook, state: m[2] as 'running' | 'succeeded' | 'failed' };
}
