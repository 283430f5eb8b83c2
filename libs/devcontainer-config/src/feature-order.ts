import { parseFeatureReference } from './feature-reference.js';

/** The parts of a devcontainer-feature.json that decide the install order. */
export interface FeatureOrderManifest {
  id?: string;
  dependsOn?: Record<string, unknown>;
  installsAfter?: string[];
}

export interface ResolveFeatureOrderOptions {
  /** The `features` object of devcontainer.json (id as written → options). */
  features: Record<string, unknown>;
  /** The `overrideFeatureInstallOrder` array of devcontainer.json. */
  overrideFeatureInstallOrder?: readonly string[];
  /** Metadata of a feature by its id as written (e.g. read from local features); undefined when unknown. */
  getManifest?: (id: string) => FeatureOrderManifest | undefined;
}

export interface OrderedFeature {
  /** The id as written (in devcontainer.json, or in the dependsOn that added it). */
  id: string;
  /** Resource name without version or digest (what ordering compares). */
  resource: string;
  options: Record<string, unknown>;
  /** True when the user listed it in devcontainer.json; false when added by a dependsOn. */
  userDefined: boolean;
  /** The id of the feature whose dependsOn added it. */
  addedBy?: string;
  /** False when no metadata was available (its own dependsOn / installsAfter are unknown). */
  metadataKnown: boolean;
}

export interface FeatureOrderIssue {
  code: 'feature-dependency-cycle' | 'unknown-feature-in-order';
  severity: 'error' | 'warning';
  message: string;
  /** Ids (as written) involved. */
  features: string[];
}

export interface FeatureOrderResult {
  order: OrderedFeature[];
  issues: FeatureOrderIssue[];
}

interface GraphNode extends OrderedFeature {
  tag: string | undefined;
  hard: GraphNode[];
  softResources: string[];
  priority: number;
}

function optionsOf(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value === 'string') return { version: value };
  return {};
}

function sameOptions(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && String(a[k]) === String(b[k]));
}

function resourceAndTag(id: string): { resource: string; tag: string | undefined } {
  const r = parseFeatureReference(id);
  if (!r.ok) return { resource: id, tag: undefined };
  return { resource: r.ref.resource, tag: r.ref.kind === 'oci' ? (r.ref.tag ?? r.ref.digest) : undefined };
}

/**
 * The install order of features per the spec's algorithm: dependsOn (hard, recursive; adds features),
 * installsAfter (soft, only among features being installed), overrideFeatureInstallOrder (round priority n - index),
 * rounds committed by maximum priority and sorted by resource, tag, options, id. A round that commits nothing is a cycle.
 */
export function resolveFeatureOrder({
  features,
  overrideFeatureInstallOrder = [],
  getManifest = () => undefined,
}: ResolveFeatureOrderOptions): FeatureOrderResult {
  const nodes: GraphNode[] = [];
  const issues: FeatureOrderIssue[] = [];
  // Feature equality: same resource, same version (tag or digest) and same options.
  const find = (resource: string, tag: string | undefined, options: Record<string, unknown>) =>
    nodes.find((n) => n.resource === resource && n.tag === tag && sameOptions(n.options, options));

  const add = (id: string, value: unknown, userDefined: boolean, addedBy?: string): GraphNode => {
    const options = optionsOf(value);
    const { resource, tag } = resourceAndTag(id);
    const existing = find(resource, tag, options);
    if (existing) {
      if (userDefined && !existing.userDefined) {
        existing.userDefined = true;
        delete existing.addedBy;
      }
      return existing;
    }
    const manifest = getManifest(id);
    const node: GraphNode = {
      id,
      resource,
      options,
      userDefined,
      metadataKnown: manifest !== undefined,
      tag,
      hard: [],
      softResources: [],
      priority: 0,
    };
    if (addedBy !== undefined) node.addedBy = addedBy;
    nodes.push(node);
    if (manifest) {
      node.softResources = (manifest.installsAfter ?? []).map((x) => resourceAndTag(x).resource);
      for (const [depId, depValue] of Object.entries(manifest.dependsOn ?? {})) node.hard.push(add(depId, depValue, false, id));
    }
    return node;
  };
  for (const [id, value] of Object.entries(features)) if (value !== false) add(id, value, true);

  const n = overrideFeatureInstallOrder.length;
  overrideFeatureInstallOrder.forEach((id, idx) => {
    const { resource } = resourceAndTag(id);
    const matched = nodes.filter((x) => x.resource === resource);
    if (matched.length === 0) {
      issues.push({
        code: 'unknown-feature-in-order',
        severity: 'warning',
        message: `overrideFeatureInstallOrder names "${id}", which is not installed`,
        features: [id],
      });
    }
    for (const m of matched) m.priority = n - idx;
  });

  const installed = new Set<GraphNode>();
  const order: GraphNode[] = [];
  let worklist = [...nodes];
  while (worklist.length > 0) {
    const presentResources = new Set(worklist.map((w) => w.resource).concat(order.map((o) => o.resource)));
    const ready = worklist.filter(
      (w) =>
        w.hard.every((h) => installed.has(h)) &&
        w.softResources.every((r) => r === w.resource || !presentResources.has(r) || !worklist.some((x) => x !== w && x.resource === r)),
    );
    if (ready.length === 0) {
      issues.push({
        code: 'feature-dependency-cycle',
        severity: 'error',
        message: `features depend on each other in a cycle (dependsOn/installsAfter): ${worklist.map((w) => w.id).join(', ')}`,
        features: worklist.map((w) => w.id),
      });
      break;
    }
    const max = Math.max(...ready.map((r) => r.priority));
    const round = ready.filter((r) => r.priority === max).sort(compareRound);
    for (const r of round) {
      installed.add(r);
      order.push(r);
    }
    worklist = worklist.filter((w) => !installed.has(w));
  }
  return {
    order: order.map(({ id, resource, options, userDefined, addedBy, metadataKnown }) => ({
      id,
      resource,
      options,
      userDefined,
      metadataKnown,
      ...(addedBy === undefined ? {} : { addedBy }),
    })),
    issues,
  };
}

function compareTag(a: string | undefined, b: string | undefined): number {
  const rank = (t: string | undefined) =>
    t === undefined || t === 'latest' ? [Number.POSITIVE_INFINITY] : t.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : Number.NaN));
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < Math.max(ra.length, rb.length); i++) {
    const x = ra[i] ?? -1;
    const y = rb[i] ?? -1;
    if (Number.isNaN(x) || Number.isNaN(y)) return String(a).localeCompare(String(b));
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareRound(a: GraphNode, b: GraphNode): number {
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  const t = compareTag(a.tag, b.tag);
  if (t !== 0) return t;
  const ka = Object.keys(a.options).sort();
  const kb = Object.keys(b.options).sort();
  if (ka.length !== kb.length) return kb.length - ka.length;
  const keys = ka.join('\0').localeCompare(kb.join('\0'));
  if (keys !== 0) return keys;
  const values = ka
    .map((k) => String(a.options[k]))
    .join('\0')
    .localeCompare(kb.map((k) => String(b.options[k])).join('\0'));
  if (values !== 0) return values;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
