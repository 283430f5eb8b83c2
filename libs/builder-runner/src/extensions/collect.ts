// Pure: which extensions a devcontainer asks for.
import type { CollectExtensionsResult, ExtensionRef, IgnoredExtensionEntry } from './types.js';

// publisher.name: VS Code allows letters, digits, `-` and `_` in both parts (the name may hold dots too).
const ID = /^[a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9._-]*$/i;
const VERSION = /^\d+\.\d+\.\d+(?:[-+][0-9a-z.+-]*)?$/i;

export interface CollectExtensionsOptions {
  /**
   * Configurations in merge order: each feature's metadata first, devcontainer.json last (as in
   * the devcontainer CLI's merged configuration and the image's `devcontainer.metadata` label).
   * Each may carry `customizations.vscode.extensions`; a merged configuration whose
   * `customizations.vscode` is an array of such objects is accepted too.
   */
  configs: readonly unknown[];
  /** `DEVCONTAINER_EXTENSIONS`: comma-separated ids added after the configuration (`-id` removes). */
  extra?: string;
}

/** Parses one entry (`publisher.name`, `publisher.name@1.2.3`, `-publisher.name`). */
export function parseExtensionSpec(entry: unknown): { remove: boolean; ref: ExtensionRef } | { problem: IgnoredExtensionEntry } {
  if (typeof entry !== 'string') return { problem: { entry, reason: 'not a string' } };
  const spec = entry.trim();
  const remove = spec.startsWith('-');
  const body = remove ? spec.slice(1) : spec;
  const at = body.lastIndexOf('@');
  const id = (at > 0 ? body.slice(0, at) : body).toLowerCase();
  const version = at > 0 ? body.slice(at + 1) : undefined;
  if (!ID.test(id)) return { problem: { entry, reason: 'not an extension id of the form publisher.name' } };
  if (version !== undefined && !VERSION.test(version)) {
    return { problem: { entry, reason: `"${version}" is not a version (x.y.z)` } };
  }
  return { remove, ref: version ? { id, version, spec } : { id, spec } };
}

function vscodeExtensionLists(config: unknown): unknown[][] {
  if (!config || typeof config !== 'object') return [];
  const customizations = (config as { customizations?: unknown }).customizations;
  if (!customizations || typeof customizations !== 'object') return [];
  const vscode = (customizations as { vscode?: unknown }).vscode;
  const blocks = Array.isArray(vscode) ? vscode : [vscode];
  const lists: unknown[][] = [];
  for (const block of blocks) {
    const extensions = block && typeof block === 'object' ? (block as { extensions?: unknown }).extensions : undefined;
    if (Array.isArray(extensions)) lists.push(extensions);
  }
  return lists;
}

/**
 * Collects the extensions to install: every `customizations.vscode.extensions` list in merge order,
 * then `extra`. `-publisher.name` removes what came before it; a later entry for the same id
 * replaces an earlier one (so a pin in devcontainer.json wins over a feature's). Ids compare
 * case-insensitively. Entries that are not ids are returned in `ignored`, never thrown.
 */
export function collectExtensions({ configs, extra }: CollectExtensionsOptions): CollectExtensionsResult {
  const selected = new Map<string, ExtensionRef>();
  const ignored: IgnoredExtensionEntry[] = [];
  const apply = (entry: unknown) => {
    const parsed = parseExtensionSpec(entry);
    if ('problem' in parsed) {
      ignored.push(parsed.problem);
      return;
    }
    selected.delete(parsed.ref.id);
    if (!parsed.remove) selected.set(parsed.ref.id, parsed.ref);
  };
  for (const config of configs) for (const list of vscodeExtensionLists(config)) list.forEach(apply);
  for (const entry of (extra ?? '').split(',')) if (entry.trim()) apply(entry);
  return { extensions: [...selected.values()], ignored };
}
