import { K8sManifestsError } from './errors.js';
import { ALWAYS_SET_ENV, isTerraformExpression } from './options.js';
import { checkPodSecurity, POD_SECURITY_LEVELS, type PodSecurityLevel, type PodSecurityViolation } from './pod-security.js';
import type { TerraformRenderOptions } from './types.js';
import { listManifests, type ManifestKey, type WorkspaceManifests } from './workspace-manifests.js';

/** A plain Kubernetes object as JSON (what `toJSON()` of a model gives, and what YAML holds). */
export type KubernetesObjectJson = { apiVersion: string; kind: string; metadata?: Record<string, unknown> } & Record<string, unknown>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The `kubernetes_*_v1` resource type of each kind this package renders. */
export const TERRAFORM_RESOURCE_TYPES = {
  Deployment: { type: 'kubernetes_deployment_v1', apiVersion: 'apps/v1' },
  PersistentVolumeClaim: { type: 'kubernetes_persistent_volume_claim_v1', apiVersion: 'v1' },
  Secret: { type: 'kubernetes_secret_v1', apiVersion: 'v1' },
  ServiceAccount: { type: 'kubernetes_service_account_v1', apiVersion: 'v1' },
  Role: { type: 'kubernetes_role_v1', apiVersion: 'rbac.authorization.k8s.io/v1' },
  RoleBinding: { type: 'kubernetes_role_binding_v1', apiVersion: 'rbac.authorization.k8s.io/v1' },
  NetworkPolicy: { type: 'kubernetes_network_policy_v1', apiVersion: 'networking.k8s.io/v1' },
} as const;

/** Terraform resource name of each role. */
export const TERRAFORM_RESOURCE_NAMES: Record<ManifestKey, string> = {
  serviceAccount: 'workspace',
  role: 'workspace',
  roleBinding: 'workspace',
  secret: 'tokens',
  workspacesClaim: 'workspaces',
  dockerClaim: 'docker',
  networkPolicy: 'workspace',
  deployment: 'workspace',
};

/** Kubernetes fields whose value is a string map: a Terraform map attribute, keys kept as they are. */
const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector', 'matchLabels', 'requests', 'limits', 'data', 'stringData']);

/** Kubernetes list-of-object fields and their (singular) Terraform block names. `ports` depends on the parent. */
const LIST_BLOCKS: Record<string, string> = {
  containers: 'container',
  initContainers: 'init_container',
  env: 'env',
  envFrom: 'env_from',
  volumeMounts: 'volume_mount',
  volumes: 'volume',
  tolerations: 'toleration',
  rules: 'rule',
  subjects: 'subject',
  egress: 'egress',
  ingress: 'ingress',
  to: 'to',
  from: 'from',
  matchExpressions: 'match_expressions',
  imagePullSecrets: 'image_pull_secrets',
  preferredDuringSchedulingIgnoredDuringExecution: 'preferred_during_scheduling_ignored_during_execution',
  ports: 'ports',
  // secret / configMap volume items (key → path)
  items: 'items',
};
/** Container ports are `port` blocks; network policy ports are `ports` blocks. */
const CONTAINER_LIST_PARENTS = new Set(['containers', 'initContainers']);

/** Terraform-only attributes (meta-arguments and provider knobs) that have no Kubernetes counterpart. */
const TERRAFORM_ONLY = new Set(['count', 'depends_on', 'provider', 'lifecycle', 'for_each', 'wait_for_rollout', 'wait_until_bound', '//']);

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (key: string) => key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function blockName(key: string, parent: string | undefined): string {
  if (key === 'ports' && parent !== undefined && CONTAINER_LIST_PARENTS.has(parent)) return 'port';
  return LIST_BLOCKS[key] ?? snake(key);
}

/** Kubernetes JSON object body → Terraform block body. `parent` is the Kubernetes field holding this object. */
function toTerraformBody(obj: JsonObject, parent: string | undefined): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined || value === null) continue;
    if (MAP_FIELDS.has(key) && isObject(value)) {
      out[key === 'stringData' ? 'data' : snake(key)] = { ...value };
    } else if (Array.isArray(value) && value.some(isObject)) {
      out[blockName(key, parent)] = value.map((item) => toTerraformBody(item as JsonObject, key));
    } else if (isObject(value)) {
      out[snake(key)] = [toTerraformBody(value, key)];
    } else {
      out[snake(key)] = value;
    }
  }
  if (parent !== undefined && CONTAINER_LIST_PARENTS.has(parent) && Array.isArray(out.env)) splitOptionalEnv(out);
  return out;
}

/** `compact([...])` of one HCL string literal: a list holding the value, or nothing when it is "" or null. */
const FOR_EACH = /^\$\{compact\(\[(".*")\]\)\}$/s;
/** `compact([expr])` of a bare expression (a whole-string `${expr}` with string literals inside, see splitOptionalEnv). */
const FOR_EACH_EXPR = /^\$\{compact\(\[([^"].*)\]\)\}$/s;
/** A value that is one `${…}` interpolation holding string literals (`${var.a == "" ? "" : "/x"}`). */
const QUOTED_EXPRESSION = /^\$\{([^{}]*"[^{}]*)\}$/s;

/**
 * Empty means unset: a plain env var whose value is a Terraform expression (and may evaluate to "") becomes a
 * `dynamic "env"` block over `compact([value])`, so Terraform leaves it out exactly where the YAML rendering
 * would. Variables in ALWAYS_SET_ENV stay plain blocks. The static blocks come first, then the dynamic ones.
 */
function splitOptionalEnv(container: JsonObject) {
  const env = container.env as JsonObject[];
  const optional = env.filter(
    (e) =>
      typeof e.value === 'string' && isTerraformExpression(e.value) && !ALWAYS_SET_ENV.has(String(e.name)) && e.value_from === undefined,
  );
  if (optional.length === 0) return;
  container.env = env.filter((e) => !optional.includes(e));
  // JSON.stringify's escapes (\" \\ \n \uXXXX) are HCL string escapes too; `${` stays a template in both.
  // A whole-string expression holding string literals goes in bare: escaped quotes inside a nested
  // interpolation are not valid HCL (`"${a == \"\" ? …}"` fails to parse).
  const blocks = optional.map((e) => ({
    for_each: QUOTED_EXPRESSION.test(String(e.value))
      ? `\${compact([${QUOTED_EXPRESSION.exec(String(e.value))?.[1]}])}`
      : `\${compact([${JSON.stringify(e.value)}])}`,
    content: { name: e.name as string, value: '${env.value}' },
  }));
  container.dynamic = { env: blocks };
}

function reverseBlockName(tfKey: string): string {
  if (tfKey === 'port') return 'ports';
  const entry = Object.entries(LIST_BLOCKS).find(([, block]) => block === tfKey);
  return entry ? entry[0] : camel(tfKey);
}

/** Terraform block body → Kubernetes JSON object body (the inverse of `toTerraformBody`). */
function fromTerraformBody(body: JsonObject, kind: string, top: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [tfKey, value] of Object.entries(body)) {
    if (top && TERRAFORM_ONLY.has(tfKey)) continue;
    if (tfKey === '//' || tfKey === 'dynamic') continue;
    const isBlock = Array.isArray(value) && value.some(isObject);
    const k8sKey = top && kind === 'Secret' && tfKey === 'data' ? 'stringData' : isBlock ? reverseBlockName(tfKey) : camel(tfKey);
    if (isObject(value)) {
      out[k8sKey] = { ...value };
    } else if (isBlock) {
      const items = (value as Json[]).map((item) => fromTerraformBody(item as JsonObject, kind, false));
      if (k8sKey in LIST_BLOCKS) out[k8sKey] = items;
      else if (items.length === 1) out[k8sKey] = items[0] as JsonObject;
      else throw new K8sManifestsError('INVALID_TERRAFORM_JSON', `block "${tfKey}" of a ${kind} has ${items.length} entries; one expected`);
    } else {
      out[k8sKey] = value;
    }
  }
  // `dynamic "env"` blocks written by splitOptionalEnv: back to env entries holding the expression.
  const dynamicEnv = isObject(body.dynamic) ? body.dynamic.env : undefined;
  if (dynamicEnv !== undefined) {
    const blocks = Array.isArray(dynamicEnv) ? dynamicEnv : [dynamicEnv];
    const env = (out.env ?? []) as JsonObject[];
    for (const block of blocks) {
      const forEach = isObject(block) ? FOR_EACH.exec(String(block.for_each)) : null;
      const bare = isObject(block) && !forEach ? FOR_EACH_EXPR.exec(String(block.for_each)) : null;
      const content = isObject(block) && isObject(block.content) ? block.content : undefined;
      if (!(forEach?.[1] || bare?.[1]) || !content)
        throw new K8sManifestsError('INVALID_TERRAFORM_JSON', `a dynamic "env" block of a ${kind} is not one this package writes`);
      env.push({ name: content.name as string, value: forEach?.[1] ? (JSON.parse(forEach[1]) as string) : `\${${bare?.[1]}}` });
    }
    out.env = env;
  }
  return out;
}

/** The data source, postconditions and messages of the Pod Security check (`podSecurityCheck`). */
function podSecurityDataSource(manifests: WorkspaceManifests, options: TerraformRenderOptions): JsonObject {
  const namespace = String(manifests.deployment.metadata?.namespace ?? '');
  const allowed = POD_SECURITY_LEVELS.filter((level) => checkPodSecurity(manifests, level).length === 0);
  const needs = allowed[allowed.length - 1] as PodSecurityLevel;
  const summary = (violations: PodSecurityViolation[]) =>
    violations
      .map((v) => `${v.path} (${v.control}: ${v.message})`)
      .join('; ')
      .replaceAll('${', '$${')
      .replaceAll('%{', '%%{');
  const refused = POD_SECURITY_LEVELS.filter((l) => !allowed.includes(l));
  const label = 'self.metadata[0].labels["pod-security.kubernetes.io/enforce"]';
  const level = `try(${label}, "privileged")`;
  // The fields refused at the namespace's level (an unknown level counts as restricted, as PodSecurity does).
  const restricted = summary(checkPodSecurity(manifests, 'restricted'));
  const details = refused.includes('baseline')
    ? `\${${level} == "baseline" ? ${JSON.stringify(summary(checkPodSecurity(manifests, 'baseline')))} : ${JSON.stringify(restricted)}}`
    : restricted;
  const body: JsonObject = {};
  if (options.runningCount !== undefined) body.count = options.runningCount;
  if (options.provider !== undefined) body.provider = options.provider;
  body.metadata = [{ name: namespace }];
  body.lifecycle = [
    {
      postcondition: [
        {
          condition: '${try(self.metadata[0].uid, null) != null && try(self.metadata[0].uid, "") != ""}',
          error_message:
            'Namespace "${self.metadata[0].name}" does not exist (or the provisioner may not read it). ' +
            'Create it, or set the template variable "namespace" to one that exists; the provisioner needs "get" on it.',
        },
        {
          condition: `\${contains(${JSON.stringify(allowed)}, ${level})}`,
          error_message:
            `Namespace "\${self.metadata[0].name}" enforces Pod Security level "\${${level}}" (label pod-security.kubernetes.io/enforce), ` +
            `and this workspace's pod needs "${needs}". Kubernetes would accept the Deployment and refuse its pods, so the workspace would never start. ` +
            `Refused fields: ${details}. ` +
            `Fix: label the namespace ${needs} (kubectl label --overwrite namespace \${self.metadata[0].name} pod-security.kubernetes.io/enforce=${needs}), ` +
            'or set the template variable "namespace" to a namespace labelled so.',
        },
      ],
    },
  ];
  return body;
}

/**
 * The workspace's objects as Terraform JSON (`*.tf.json`): one `kubernetes_*_v1` resource per object,
 * Terraform expressions (`${...}`) in option values kept as expressions. The Deployment waits for
 * nothing (`wait_for_rollout = false`: the builder may take long) and depends on every other resource;
 * PVCs do not wait to be bound (WaitForFirstConsumer classes bind when the pod is scheduled).
 */
export function toTerraformJson(manifests: WorkspaceManifests, options: TerraformRenderOptions = {}): string {
  const resource: Record<string, Record<string, JsonObject>> = {};
  const entries = listManifests(manifests);
  const addresses: string[] = [];
  for (const { key, object } of entries) {
    const json = object.toJSON() as unknown as KubernetesObjectJson;
    const spec = TERRAFORM_RESOURCE_TYPES[json.kind as keyof typeof TERRAFORM_RESOURCE_TYPES];
    if (!spec) throw new K8sManifestsError('UNSUPPORTED_OBJECT', `no Terraform resource type for kind ${json.kind}`);
    const { apiVersion: _apiVersion, kind: _kind, ...body } = json;
    const tf: JsonObject = {};
    if (options.runningCount !== undefined && (key === 'deployment' || key === 'secret')) tf.count = options.runningCount;
    if (options.provider !== undefined) tf.provider = options.provider;
    if (key === 'deployment') tf.depends_on = [...addresses];
    Object.assign(tf, toTerraformBody(body as JsonObject, undefined));
    if (key === 'deployment') tf.wait_for_rollout = false;
    if (key === 'workspacesClaim' || key === 'dockerClaim') tf.wait_until_bound = false;
    const name = TERRAFORM_RESOURCE_NAMES[key];
    resource[spec.type] ??= {};
    (resource[spec.type] as Record<string, JsonObject>)[name] = tf;
    addresses.push(`${spec.type}.${name}`);
  }
  const document: JsonObject = {
    '//': 'Generated by @devcontainer-kit/k8s-manifests (k8s-manifests render --format terraform-json). Do not edit: change the values file and render again.',
  };
  if (options.podSecurityCheck) document.data = { kubernetes_namespace_v1: { workspace: podSecurityDataSource(manifests, options) } };
  document.resource = resource as unknown as JsonObject;
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Parse Terraform JSON written by `toTerraformJson` back into plain Kubernetes objects (for checks and diffs). */
export function fromTerraformJson(text: string): KubernetesObjectJson[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new K8sManifestsError('INVALID_TERRAFORM_JSON', 'not JSON', { cause });
  }
  if (!isObject(document) || !isObject(document.resource))
    throw new K8sManifestsError('INVALID_TERRAFORM_JSON', 'no "resource" object at the top level');
  // `data` (the Pod Security check) holds no workspace object.
  const byType = new Map(
    Object.entries(TERRAFORM_RESOURCE_TYPES).map(([kind, s]) => [s.type as string, { kind, apiVersion: s.apiVersion }]),
  );
  const objects: KubernetesObjectJson[] = [];
  for (const [type, resources] of Object.entries(document.resource)) {
    const spec = byType.get(type);
    if (!spec) throw new K8sManifestsError('UNSUPPORTED_OBJECT', `unknown resource type ${type}`);
    if (!isObject(resources)) throw new K8sManifestsError('INVALID_TERRAFORM_JSON', `resource.${type} is not an object`);
    for (const body of Object.values(resources)) {
      if (!isObject(body)) throw new K8sManifestsError('INVALID_TERRAFORM_JSON', `a ${type} is not an object`);
      objects.push({ apiVersion: spec.apiVersion, kind: spec.kind, ...fromTerraformBody(body, spec.kind, true) } as KubernetesObjectJson);
    }
  }
  return objects;
}
