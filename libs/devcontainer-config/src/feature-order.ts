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
  // Feature equality: same resource, same version (tag or digest) and same options. Indexed by resource and tag so
  // a lookup compares options only among features of the same resource.
  const byResourceTag = new Map<string, GraphNode[]>();
  const byResource = new Map<string, GraphNode[]>();
  const find = (resource: string, tag: string | undefined, options: Record<string, unknown>) =>
    byResourceTag.get(`${resource}\0${tag ?? ''}`)?.find((n) => n.tag === tag && sameOptions(n.options, options));

  // Depth-first, in the order the recursive definition visits features, with an explicit stack (dependsOn chains of
  // any length do not grow the call stack).
  type Pending = { id: string; value: unknown; userDefined: boolean; addedBy?: string; dependent?: GraphNode };
  const pending: Pending[] = [];
  const entries = Object.entries(features);
  for (let i = entries.length - 1; i >= 0; i--) {
    const [id, value] = entries[i] as [string, unknown];
    if (value !== false) pending.push({ id, value, userDefined: true });
  }
  while (pending.length > 0) {
    const { id, value, userDefined, addedBy, dependent } = pending.pop() as Pending;
    const options = optionsOf(value);
    const { resource, tag } = resourceAndTag(id);
    let node = find(resource, tag, options);
    if (node) {
      if (userDefined && !node.userDefined) {
        node.userDefined = true;
        delete node.addedBy;
      }
    } else {
      const manifest = getManifest(id);
      node = { id, resource, options, userDefined, metadataKnown: manifest !== undefined, tag, hard: [], softResources: [], priority: 0 };
      if (addedBy !== undefined) node.addedBy = addedBy;
      nodes.push(node);
      const rtKey = `${resource}\0${tag ?? ''}`;
      const sameTag = byResourceTag.get(rtKey);
      if (sameTag) sameTag.push(node);
      else byResourceTag.set(rtKey, [node]);
      const sameResource = byResource.get(resource);
      if (sameResource) sameResource.push(node);
      else byResource.set(resource, [node]);
      if (manifest) {
        // A manifest read from disk may be invalid (validateFeatureManifest reports it): use only well-typed values.
        const after: unknown = manifest.installsAfter;
        const dependsOn: unknown = manifest.dependsOn;
        node.softResources = (Array.isArray(after) ? after : [])
          .filter((x): x is string => typeof x === 'string')
          .map((x) => resourceAndTag(x).resource);
        const deps = dependsOn !== null && typeof dependsOn === 'object' && !Array.isArray(dependsOn) ? Object.entries(dependsOn) : [];
        for (let i = deps.length - 1; i >= 0; i--) {
          const [depId, depValue] = deps[i] as [string, unknown];
          pending.push({ id: depId, value: depValue, userDefined: false, addedBy: id, dependent: node });
        }
      }
    }
    if (dependent) dependent.hard.push(node);
  }

  const n = overrideFeatureInstallOrder.length;
  overrideFeatureInstallOrder.forEach((id, idx) => {
    const { resource } = resourceAndTag(id);
    const matched = byResource.get(resource) ?? [];
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

  // Rounds, as the spec defines them: a feature is ready when all its dependsOn are installed and no other feature
  // still waiting has a resource it installsAfter; each round installs the ready features of the highest priority.
  // Counters instead of rescanning the waiting list each round: linear in features + edges (plus the sorts).
  const waitingByResource = new Map<string, number>();
  for (const node of nodes) waitingByResource.set(node.resource, (waitingByResource.get(node.resource) ?? 0) + 1);
  const hardLeft = new Map<GraphNode, number>();
  const softLeft = new Map<GraphNode, number>();
  const hardDependents = new Map<GraphNode, GraphNode[]>();
  const softDependents = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    const hard = new Set(node.hard);
    hardLeft.set(node, hard.size);
    for (const h of hard) {
      const list = hardDependents.get(h);
      if (list) list.push(node);
      else hardDependents.set(h, [node]);
    }
    const soft = new Set(node.softResources.filter((r) => r !== node.resource && waitingByResource.has(r)));
    softLeft.set(node, soft.size);
    for (const r of soft) {
      const list = softDependents.get(r);
      if (list) list.push(node);
      else softDependents.set(r, [node]);
    }
  }
  // Ready features by priority, and the priorities present (a max-heap).
  const readyByPriority = new Map<number, GraphNode[]>();
  const priorities: number[] = [];
  const makeReady = (node: GraphNode) => {
    const list = readyByPriority.get(node.priority);
    if (list) list.push(node);
    else {
      readyByPriority.set(node.priority, [node]);
      heapPush(priorities, node.priority);
    }
  };
  for (const node of nodes) if (hardLeft.get(node) === 0 && softLeft.get(node) === 0) makeReady(node);

  const order: GraphNode[] = [];
  while (order.length < nodes.length) {
    if (priorities.length === 0) {
      const placed = new Set(order);
      const waiting = nodes.filter((w) => !placed.has(w));
      issues.push({
        code: 'feature-dependency-cycle',
        severity: 'error',
        message: `features depend on each other in a cycle (dependsOn/installsAfter): ${waiting.map((w) => w.id).join(', ')}`,
        features: waiting.map((w) => w.id),
      });
      break;
    }
    const max = heapPop(priorities);
    const round = (readyByPriority.get(max) as GraphNode[]).sort(compareRound);
    readyByPriority.delete(max);
    for (const r of round) order.push(r);
    // Installing the round may make others ready (for the next rounds).
    for (const r of round) {
      for (const d of hardDependents.get(r) ?? []) {
        const left = (hardLeft.get(d) as number) - 1;
        hardLeft.set(d, left);
        if (left === 0 && softLeft.get(d) === 0) makeReady(d);
      }
      const waiting = (waitingByResource.get(r.resource) as number) - 1;
      waitingByResource.set(r.resource, waiting);
      if (waiting === 0) {
        for (const d of softDependents.get(r.resource) ?? []) {
          const left = (softLeft.get(d) as number) - 1;
          softLeft.set(d, left);
          if (left === 0 && hardLeft.get(d) === 0) makeReady(d);
        }
      }
    }
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

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as number) >= value) break;
    heap[i] = heap[parent] as number;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number {
  const top = heap[0] as number;
  const last = heap.pop() as number;
  if (heap.length > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && (heap[r] as number) > (heap[l] as number) ? r : l;
      if ((heap[c] as number) <= last) break;
      heap[i] = heap[c] as number;
      i = c;
    }
    heap[i] = last;
  }
  return top;
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
