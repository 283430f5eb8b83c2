import type { MergedConfig } from './metadata.js';
import type { DevcontainerConfig } from './types.js';

/** A single command: a shell string, or an argv run without a shell. */
export type CommandStep = { kind: 'shell'; command: string } | { kind: 'exec'; args: string[] };

/** A lifecycle command the builder can run: one step, or named steps run in parallel. */
export type NormalizedLifecycleCommand = CommandStep | { kind: 'parallel'; steps: Array<{ name: string } & CommandStep> };

function step(value: unknown): CommandStep | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : { kind: 'shell', command: value };
  if (Array.isArray(value)) {
    const args = value.filter((x): x is string => typeof x === 'string');
    return args.length === 0 ? undefined : { kind: 'exec', args };
  }
  return undefined;
}

/** string → shell, array → exec, object → named parallel steps; empty → undefined. */
export function normalizeLifecycleCommand(value: unknown): NormalizedLifecycleCommand | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const steps: Array<{ name: string } & CommandStep> = [];
    for (const [name, v] of Object.entries(value)) {
      const s = step(v);
      if (s) steps.push({ name, ...s });
    }
    return steps.length === 0 ? undefined : { kind: 'parallel', steps };
  }
  return step(value);
}

const HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'] as const;

/** Every lifecycle hook's commands in run order (merged configs: all entries; plain configs: the one value). */
export function getLifecycleCommands(
  config: MergedConfig | DevcontainerConfig,
): Record<(typeof HOOKS)[number] | 'initializeCommand', NormalizedLifecycleCommand[]> {
  const out = {} as Record<(typeof HOOKS)[number] | 'initializeCommand', NormalizedLifecycleCommand[]>;
  const init = normalizeLifecycleCommand(config.initializeCommand);
  out.initializeCommand = init ? [init] : [];
  for (const hook of HOOKS) {
    const list = config[`${hook}s`];
    const raw = Array.isArray(list) ? list : config[hook] === undefined ? [] : [config[hook]];
    out[hook] = raw.map(normalizeLifecycleCommand).filter((x): x is NormalizedLifecycleCommand => x !== undefined);
  }
  return out;
}

/** The entries of customizations.<tool>, in merge order (merged: array; plain config: one object). */
export function getCustomizations(config: MergedConfig | DevcontainerConfig, tool: string): Record<string, unknown>[] {
  const c = config.customizations as Record<string, unknown> | undefined;
  const v = c?.[tool];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/**
 * customizations.vscode.extensions of every entry in order, deduplicated case-insensitively;
 * an entry "-publisher.name" removes that extension added by an earlier entry. The deprecated top-level
 * `extensions` counts as the first entry.
 */
export function getExtensions(config: MergedConfig | DevcontainerConfig): string[] {
  const lists: unknown[][] = [];
  if (Array.isArray(config.extensions)) lists.push(config.extensions);
  for (const v of getCustomizations(config, 'vscode')) if (Array.isArray(v.extensions)) lists.push(v.extensions);
  const out = new Map<string, string>();
  for (const list of lists) {
    for (const ext of list) {
      if (typeof ext !== 'string' || ext === '') continue;
      if (ext.startsWith('-')) out.delete(ext.slice(1).toLowerCase());
      else if (!out.has(ext.toLowerCase())) out.set(ext.toLowerCase(), ext);
    }
  }
  return [...out.values()];
}

/** customizations.vscode.settings of every entry, later entries winning per key. */
export function getVscodeSettings(config: MergedConfig | DevcontainerConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (config.settings !== null && typeof config.settings === 'object') Object.assign(out, config.settings);
  for (const v of getCustomizations(config, 'vscode'))
    if (v.settings !== null && typeof v.settings === 'object') Object.assign(out, v.settings);
  return out;
}

/** customizations.coder merged: arrays (apps, scripts) concatenated, objects merged per key, other values last wins. */
export function getCoderCustomizations(config: MergedConfig | DevcontainerConfig): Record<string, unknown> | undefined {
  const entries = getCustomizations(config, 'coder');
  if (entries.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    for (const [k, v] of Object.entries(e)) {
      const prev = out[k];
      if (Array.isArray(v)) out[k] = Array.isArray(prev) ? [...prev, ...v] : [...v];
      else if (v !== null && typeof v === 'object') out[k] = { ...(prev !== null && typeof prev === 'object' ? prev : {}), ...v };
      else out[k] = v;
    }
  }
  return out;
}

/**
 * Move the deprecated top-level `extensions` and `settings` under `customizations.vscode`, as the devcontainer CLI
 * does when it reads a config (the top-level ones come first; values already under customizations win per key).
 */
export function migrateDeprecatedProperties(config: DevcontainerConfig): DevcontainerConfig {
  if (config.extensions === undefined && config.settings === undefined) return config;
  const { extensions, settings, ...rest } = config;
  const customizations = { ...((rest.customizations as Record<string, unknown> | undefined) ?? {}) };
  const vscode = { ...((customizations.vscode as Record<string, unknown> | undefined) ?? {}) };
  if (Array.isArray(extensions)) vscode.extensions = [...extensions, ...(Array.isArray(vscode.extensions) ? vscode.extensions : [])];
  if (settings !== null && typeof settings === 'object')
    vscode.settings = { ...settings, ...((vscode.settings as object | undefined) ?? {}) };
  customizations.vscode = vscode;
  return { ...rest, customizations };
}
