import { DevcontainerConfigError } from './errors.js';
import { type MountSpec, parseMountString } from './mounts.js';
import { isNestedDeeperThan, MAX_NESTING_DEPTH } from './nesting.js';
import type { DevcontainerConfig, LifecycleCommand } from './types.js';

/** One entry of the `devcontainer.metadata` image label (a devcontainer.json subset). */
export type ImageMetadataEntry = Record<string, unknown>;

/**
 * The configuration after merging image metadata with devcontainer.json (the devcontainer.json entry last).
 * Shaped like the devcontainer CLI's merged configuration: lifecycle hooks become lists
 * (`onCreateCommands`, …), `customizations` becomes `{ tool: [entry, …] }`.
 */
export interface MergedConfig extends DevcontainerConfig {
  init?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  securityOpt?: string[];
  entrypoints?: string[];
  mounts?: Array<string | MountSpec>;
  customizations?: Record<string, unknown[]>;
  onCreateCommands?: LifecycleCommand[];
  updateContentCommands?: LifecycleCommand[];
  postCreateCommands?: LifecycleCommand[];
  postStartCommands?: LifecycleCommand[];
  postAttachCommands?: LifecycleCommand[];
  waitFor?: string;
  remoteUser?: string;
  containerUser?: string;
  userEnvProbe?: string;
  remoteEnv?: Record<string, string | null>;
  containerEnv?: Record<string, string>;
  overrideCommand?: boolean;
  portsAttributes?: Record<string, unknown>;
  otherPortsAttributes?: Record<string, unknown>;
  forwardPorts?: Array<number | string>;
  shutdownAction?: string;
  updateRemoteUserUID?: boolean;
  hostRequirements?: { cpus?: number; memory?: string; storage?: string; gpu?: boolean | 'optional' | Record<string, unknown> };
}

/** Parse a `devcontainer.metadata` label value (JSON array or object; a string is parsed). Throws INVALID_METADATA_LABEL. */
export function parseImageMetadata(label: unknown): ImageMetadataEntry[] {
  let value = label;
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (cause) {
      throw new DevcontainerConfigError(
        'INVALID_METADATA_LABEL',
        `the devcontainer.metadata label is not JSON: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  // JSON.parse copes with any depth, but merging, substituting and printing recurse per level.
  if (isNestedDeeperThan(value, MAX_NESTING_DEPTH + 1)) {
    throw new DevcontainerConfigError(
      'INVALID_METADATA_LABEL',
      `the devcontainer.metadata label nests objects/arrays more than ${MAX_NESTING_DEPTH} levels deep`,
    );
  }
  const entries = Array.isArray(value) ? value : [value];
  for (const e of entries) {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      throw new DevcontainerConfigError(
        'INVALID_METADATA_LABEL',
        'the devcontainer.metadata label must be an object or an array of objects',
      );
    }
  }
  return entries as ImageMetadataEntry[];
}

const HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'] as const;
const LAST_WINS = [
  'waitFor',
  'remoteUser',
  'containerUser',
  'userEnvProbe',
  'overrideCommand',
  'otherPortsAttributes',
  'shutdownAction',
  'updateRemoteUserUID',
] as const;

/**
 * Merge image metadata with devcontainer.json per the spec's merge logic: booleans (init, privileged) OR'd;
 * capAdd/securityOpt unioned; entrypoints and lifecycle hooks collected in order; mounts collected, the last one per
 * target wins; env maps and portsAttributes per key, last wins; forwardPorts unioned; hostRequirements maximum;
 * (sizes in bytes, as the devcontainer CLI prints them); other single values last wins. The config's own entry comes last.
 */
export function mergeWithImageMetadata(config: DevcontainerConfig, metadataLabel: unknown, options: MergeOptions = {}): MergedConfig {
  const featureEntries = (options.features ?? []).map(featureMetadata);
  const entries: ImageMetadataEntry[] = [...parseImageMetadata(metadataLabel), ...featureEntries, pickMetadata(config)];
  const merged: MergedConfig = { ...config };
  for (const hook of HOOKS) delete merged[hook];
  merged.init = entries.some((e) => e.init === true);
  merged.privileged = entries.some((e) => e.privileged === true);
  merged.capAdd = unique(entries.flatMap((e) => strings(e.capAdd)));
  merged.securityOpt = unique(entries.flatMap((e) => strings(e.securityOpt)));
  merged.entrypoints = entries.map((e) => e.entrypoint).filter((x): x is string => typeof x === 'string');
  merged.mounts = mergeMounts(entries.flatMap((e) => (Array.isArray(e.mounts) ? (e.mounts as Array<string | MountSpec>) : [])));
  merged.customizations = {};
  for (const e of entries) {
    const c = e.customizations;
    if (c === null || typeof c !== 'object') continue;
    for (const [tool, v] of Object.entries(c)) {
      const list = merged.customizations[tool] ?? [];
      list.push(v);
      merged.customizations[tool] = list;
    }
  }
  for (const hook of HOOKS) {
    const list = entries.map((e) => e[hook]).filter((v) => v !== undefined && !isEmptyCommand(v)) as LifecycleCommand[];
    merged[`${hook}s`] = list;
  }
  for (const k of LAST_WINS) {
    const last = [...entries].reverse().find((e) => e[k] !== undefined);
    if (last) merged[k] = last[k] as never;
    else delete merged[k];
  }
  // Always objects, like the devcontainer CLI's merged configuration.
  merged.remoteEnv = (assignAll(entries, 'remoteEnv') ?? {}) as Record<string, string | null>;
  merged.containerEnv = (assignAll(entries, 'containerEnv') ?? {}) as Record<string, string>;
  merged.portsAttributes = assignAll(entries, 'portsAttributes') ?? {};
  const ports = unique(entries.flatMap((e) => (Array.isArray(e.forwardPorts) ? (e.forwardPorts as Array<number | string>) : [])));
  if (ports.length > 0) merged.forwardPorts = ports;
  else delete merged.forwardPorts;
  const host = mergeHostRequirements(entries);
  if (host) merged.hostRequirements = host;
  return merged;
}

export interface MergeOptions {
  /**
   * Manifests (devcontainer-feature.json) of the features the build installs, in install order: their metadata goes
   * between the image's entries and the config's, as the devcontainer CLI does (a feature's containerEnv is not
   * metadata: it becomes ENV in the image).
   */
  features?: ReadonlyArray<Record<string, unknown>>;
}

const FEATURE_METADATA_KEYS = ['id', 'init', 'privileged', 'capAdd', 'securityOpt', 'entrypoint', 'mounts', 'customizations', ...HOOKS];

function featureMetadata(manifest: Record<string, unknown>): ImageMetadataEntry {
  const out: ImageMetadataEntry = {};
  for (const k of FEATURE_METADATA_KEYS) if (manifest[k] !== undefined) out[k] = manifest[k];
  return out;
}

/** The metadata-capable properties of a devcontainer.json (what it contributes as the last metadata entry). */
function pickMetadata(config: DevcontainerConfig): ImageMetadataEntry {
  const keys = [
    'forwardPorts',
    'portsAttributes',
    'otherPortsAttributes',
    'containerEnv',
    'remoteEnv',
    'remoteUser',
    'containerUser',
    'updateRemoteUserUID',
    'userEnvProbe',
    'overrideCommand',
    'shutdownAction',
    'init',
    'privileged',
    'capAdd',
    'securityOpt',
    'mounts',
    'customizations',
    'hostRequirements',
    'waitFor',
    'entrypoint',
    ...HOOKS,
  ];
  const out: ImageMetadataEntry = {};
  for (const k of keys) if (config[k] !== undefined) out[k] = config[k];
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

function isEmptyCommand(v: unknown): boolean {
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (v !== null && typeof v === 'object') return Object.keys(v).length === 0;
  return true;
}

function assignAll(entries: ImageMetadataEntry[], key: string): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const e of entries) {
    const v = e[key];
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) out = Object.assign(out ?? {}, v);
  }
  return out;
}

function mountTarget(m: string | MountSpec): string | undefined {
  if (typeof m === 'string') {
    const r = parseMountString(m);
    return r.ok ? r.mount.target : undefined;
  }
  return m?.target;
}

/** Collect mounts in order; for the same target, the last one wins (keeping the order of last occurrences). */
function mergeMounts(mounts: Array<string | MountSpec>): Array<string | MountSpec> {
  const seen = new Set<string>();
  const out: Array<string | MountSpec> = [];
  for (let i = mounts.length - 1; i >= 0; i--) {
    const m = mounts[i] as string | MountSpec;
    const t = mountTarget(m);
    if (t !== undefined) {
      if (seen.has(t)) continue;
      seen.add(t);
    }
    out.push(m);
  }
  return out.reverse();
}

const UNITS: Record<string, number> = { '': 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** Bytes of a hostRequirements size ("4gb", "512mb", "1024"); undefined when malformed. */
export function parseSize(value: string): number | undefined {
  const m = /^(\d+)([tgmk]b)?$/i.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1);
}

function mergeHostRequirements(entries: ImageMetadataEntry[]): MergedConfig['hostRequirements'] {
  const reqs = entries.map((e) => e.hostRequirements).filter((h): h is Record<string, unknown> => h !== null && typeof h === 'object');
  if (reqs.length === 0) return undefined;
  const out: NonNullable<MergedConfig['hostRequirements']> = {};
  for (const r of reqs) {
    if (typeof r.cpus === 'number') out.cpus = Math.max(out.cpus ?? 0, r.cpus);
    for (const k of ['memory', 'storage'] as const) {
      const v = r[k];
      if (typeof v === 'string' && (out[k] === undefined || (parseSize(v) ?? 0) > (parseSize(out[k]) ?? 0))) out[k] = v;
    }
    if (r.gpu !== undefined) {
      const rank = (g: unknown) => (g === true || (g !== null && typeof g === 'object') ? 2 : g === 'optional' ? 1 : 0);
      if (out.gpu === undefined || rank(r.gpu) > rank(out.gpu)) out.gpu = r.gpu as never;
    }
  }
  // Like the devcontainer CLI, sizes come out as a number of bytes (as a string).
  for (const k of ['memory', 'storage'] as const) {
    const bytes = out[k] === undefined ? undefined : parseSize(out[k]);
    if (bytes !== undefined) out[k] = String(bytes);
  }
  return out;
}
