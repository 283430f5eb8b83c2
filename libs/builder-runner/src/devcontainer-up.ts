// `devcontainer up` arguments and what its result says. Pure.
import { LIFECYCLE_HOOKS } from '@devcontainer-kit/devcontainer-config';

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
