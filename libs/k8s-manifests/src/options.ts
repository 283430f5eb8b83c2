import type { EgressPeer, OptionsProblem, PolicyRule, ResourceOptions, WorkspaceManifestOptions } from './types.js';

/** True when a string is (or contains) a Terraform expression such as `${data.coder_workspace.me.id}`. */
export function isTerraformExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Label and annotation key name part, and label values (Kubernetes' "qualified name"). */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/;
const SECRET_LIKE_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY/i;
/** `scheme://user[:password]@` anywhere in a value. */
const URL_USERINFO = /[a-z][a-z0-9+.-]*:\/\/[^/?#\s@]*@/i;
const MAX_ID = 2147483647;
const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * The value of a Kubernetes quantity (`10Gi`, `500m`, `1e3`) as a number, or undefined when the text is not
 * one the API server accepts. Precision is that of a double: enough to compare sizes and limits.
 */
export function parseQuantity(text: string): number | undefined {
  if (typeof text !== 'string' || !QUANTITY.test(text)) return undefined;
  const m = /^([+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))(.*)$/.exec(text);
  if (!m) return undefined;
  const number = Number(m[1]);
  const suffix = m[2] ?? '';
  if (/^[eE]/.test(suffix)) return number * 10 ** Number(suffix.slice(1));
  const factor = SUFFIX[suffix];
  return factor === undefined ? undefined : number * factor;
}

/** Problems of a label or annotation key (`prefix/name`): empty when it is valid. */
export function labelKeyProblems(key: string): string[] {
  const problems: string[] = [];
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    problems.push(`its prefix "${prefix}" must be a DNS-1123 subdomain (lower case, digits, "-", ".") of at most 253 characters`);
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name))
    problems.push(
      `its name "${name}" must be 1–63 characters of letters, digits, "-", "_", "." starting and ending with a letter or digit`,
    );
  return problems;
}

/** True when a label value is valid (empty, or ≤ 63 characters of letters, digits, `-_.`, alphanumeric at both ends). */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && QUALIFIED_NAME.test(value));
}

/** Options whose empty string means "unset" (the variable is left out of the pod, in YAML and in Terraform). */
export function isUnset(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Env vars of the builder this package sets from its own options (builder.env may not override them). */
export const MANAGED_ENV: ReadonlySet<string> = new Set([
  'DEVCONTAINER_REPOSITORY',
  'DEVCONTAINER_BRANCH',
  'DEVCONTAINER_WORKSPACE_FOLDER',
  'DEVCONTAINER_WORKSPACE_NAME',
  'DEVCONTAINER_CONFIG',
  'DEVCONTAINER_GIT_USERNAME',
  'DEVCONTAINER_GIT_TOKEN',
  'DEVCONTAINER_CACHE_FROM',
  'DEVCONTAINER_CACHE_TO',
  'DEVCONTAINER_FALLBACK_IMAGE',
  'DEVCONTAINER_EXTENSIONS',
  'DEVCONTAINER_HOOK_FAILURE',
  'DEVCONTAINER_STATUS_FILE',
  'DEVCONTAINER_DOCKER_CONFIG',
  'DEVCONTAINER_CA_CERT',
  'DEVCONTAINER_CA_CERT_IN_CONTAINER',
  'DEVCONTAINER_DOTFILES_REPOSITORY',
  'DEVCONTAINER_DOTFILES_INSTALL_COMMAND',
  'DEVCONTAINER_DOTFILES_TARGET_PATH',
  'DEVCONTAINER_USER_STORAGE',
  'DEVCONTAINER_USER_STORAGE_TARGET',
  'DEVCONTAINER_GIT_SSH_KEY_FILE',
  'DEVCONTAINER_GIT_SSH_KNOWN_HOSTS',
  'DEVCONTAINER_AGENT_URL',
  'DOCKER_HOST',
  'CODER_AGENT_URL',
  'CODER_AGENT_TOKEN',
  'CODER_INIT_SCRIPT',
]);

/** Longest base name: leaves room for the `-workspaces` suffix within a 63-character label. */
export const MAX_NAME_LENGTH = 52;

export const DEFAULTS = {
  dindImage: 'docker:28-dind',
  storageDriver: 'overlay2',
  socketDir: '/var/run/dind',
  sysboxRuntimeClass: 'sysbox-runc',
  /** dockerd --cgroup-parent is this + `/<name>`: one cgroup per workspace, never the node's own `/docker`. */
  cgroupParentPrefix: '/devcontainer-kit',
  statusFile: '/workspaces/.devcontainer-builder/status.json',
  workspacesSize: '10Gi',
  dockerSize: '30Gi',
  accessMode: 'ReadWriteOnce',
  terminationGracePeriodSeconds: 45,
  minTerminationGracePeriodSeconds: 30,
  runAsUser: 1000,
  runAsGroup: 1000,
  builderResources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '4Gi' } },
  dindResources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '4', memory: '8Gi' } },
  roleRules: [
    { apiGroups: [''], resources: ['pods', 'pods/log', 'services', 'configmaps', 'events'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get', 'list', 'watch'] },
  ] satisfies PolicyRule[],
} as const;

/** `/workspaces/<repository basename without .git>`; a Terraform expression for expression repositories. */
export function defaultWorkspaceFolder(repository: string): string {
  if (isTerraformExpression(repository)) {
    const inner = repository.startsWith('${') && repository.endsWith('}') ? repository.slice(2, -1) : `"${repository}"`;
    return `/workspaces/\${trimsuffix(basename(${inner}), ".git")}`;
  }
  const base = repository.replace(/\/+$/, '').split(/[/:]/).pop() ?? 'workspace';
  return `/workspaces/${base.replace(/\.git$/, '') || 'workspace'}`;
}

/**
 * Env vars the Terraform rendering always writes as plain `env` blocks, even when their value is an expression:
 * they are required, or (CODER_INIT_SCRIPT) their value is unknown until apply, and an unknown `for_each` would
 * hide the whole env list from the plan. Every other plain env var with an expression value is rendered as a
 * `dynamic "env"` block, left out when the expression evaluates to "" or null (empty means unset).
 */
export const ALWAYS_SET_ENV: ReadonlySet<string> = new Set([
  'DEVCONTAINER_REPOSITORY',
  'DEVCONTAINER_WORKSPACE_NAME',
  'DOCKER_HOST',
  'CODER_AGENT_URL',
  'CODER_INIT_SCRIPT',
]);

type Shape = 'string' | 'number' | 'boolean' | 'strings' | 'string-map' | ListShape | { [key: string]: Shape };
/** A list whose items have a shape. */
class ListShape {
  constructor(readonly item: Shape) {}
}
const listOf = (item: Shape) => new ListShape(item);
const RESOURCES: Shape = { requests: 'string-map', limits: 'string-map' };
const VOLUME: Shape = { size: 'string', storageClassName: 'string', accessMode: 'string' };
const PEER: Shape = {
  cidrs: 'strings',
  except: 'strings',
  namespaceSelector: 'string-map',
  podSelector: 'string-map',
  ports: listOf({ port: 'number', protocol: 'string' }),
};
const PEERS = listOf(PEER);
/** The type of every option: checked first, so the rules below only ever see values of the right type. */
const SHAPE: Shape = {
  name: 'string',
  namespace: 'string',
  coder: {
    workspaceId: 'string',
    workspaceName: 'string',
    ownerId: 'string',
    ownerName: 'string',
    agentUrl: 'string',
    devcontainerAgentUrl: 'string',
    initScript: 'string',
  },
  builder: {
    image: 'string',
    imagePullPolicy: 'string',
    repository: 'string',
    branch: 'string',
    workspaceFolder: 'string',
    devcontainerConfig: 'string',
    gitUsername: 'string',
    cacheFrom: 'string',
    cacheTo: 'string',
    fallbackImage: 'string',
    extensions: 'strings',
    hookFailure: 'string',
    statusFile: 'string',
    registryCredentialsSecret: 'string',
    registryCredentialsKey: 'string',
    gitSshSecret: 'string',
    dotfilesRepository: 'string',
    dotfilesInstallCommand: 'string',
    dotfilesTargetPath: 'string',
    env: 'string-map',
    runAsUser: 'number',
    runAsGroup: 'number',
    resources: RESOURCES,
  },
  dind: {
    image: 'string',
    imagePullPolicy: 'string',
    storageDriver: 'string',
    isolation: 'string',
    runtimeClassName: 'string',
    socketDir: 'string',
    cgroupParent: 'string',
    resources: RESOURCES,
  },
  storage: { workspaces: VOLUME, docker: VOLUME },
  secret: { agentToken: 'string', gitToken: 'string', allowEmptyAgentToken: 'boolean', existingSecretName: 'string' },
  serviceAccount: {
    kubernetesAccess: 'boolean',
    rules: listOf({ apiGroups: 'strings', resources: 'strings', verbs: 'strings', resourceNames: 'strings' }),
  },
  networkPolicy: { enabled: 'boolean', dns: PEER, coder: PEERS, git: PEERS, registries: PEERS, extra: PEERS },
  scheduling: {
    nodeSelector: 'string-map',
    tolerations: listOf({ key: 'string', operator: 'string', value: 'string', effect: 'string', tolerationSeconds: 'number' }),
    spreadWorkspaces: 'boolean',
  },
  userStorage: { claimName: 'string', mountPath: 'string' },
  caCert: { configMapName: 'string', secretName: 'string', key: 'string', registryHosts: 'strings', inContainer: 'boolean' },
  terminationGracePeriodSeconds: 'number',
  labels: 'string-map',
  annotations: 'string-map',
};
const SHAPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  strings: 'a list of strings',
  'string-map': 'a map of strings',
};

/**
 * A copy of `value` holding only values of the right type, and a problem for each one removed (unknown keys
 * included). `null` is removed silently: in a values file `key:` with nothing after it means unset.
 */
function conform(
  value: unknown,
  shape: Shape,
  path: string,
  add: (path: string, code: OptionsProblem['code'], message: string) => void,
): unknown {
  const join = (key: string) => (path === '' ? key : `${path}.${key}`);
  if (shape instanceof ListShape) {
    if (!Array.isArray(value)) {
      add(path, 'invalid-value', `${path} must be a list, not ${describe(value)}`);
      return undefined;
    }
    const items = value.map((item, i) => conform(item, shape.item, `${path}[${i}]`, add));
    return items.every((x) => x !== undefined) ? items : undefined;
  }
  if (typeof shape === 'object') {
    if (!isRecord(value)) {
      add(path, 'invalid-value', `${path || 'the options'} must be an object`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const inner = shape[key];
      if (inner === undefined) add(join(key), 'unknown-option', `unknown option "${join(key)}"`);
      else if (v !== null && v !== undefined) {
        const conformed = conform(v, inner, join(key), add);
        if (conformed !== undefined) out[key] = conformed;
      }
    }
    return out;
  }
  const ok =
    shape === 'strings'
      ? Array.isArray(value) && value.every((x) => typeof x === 'string')
      : shape === 'string-map'
        ? isRecord(value) && Object.values(value).every((x) => typeof x === 'string')
        : typeof value === shape && (shape !== 'number' || Number.isFinite(value));
  if (ok) return value;
  add(path, 'invalid-value', `${path} must be ${SHAPE_WORDS[shape]}, not ${describe(value)}`);
  return undefined;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? 'a long string' : JSON.stringify(value);
  return typeof value === 'object' ? 'an object' : String(value);
}

/** Every problem with the options (empty when they are fine). Pure; never throws. */
export function validateOptions(options: WorkspaceManifestOptions): OptionsProblem[] {
  const problems: OptionsProblem[] = [];
  const add = (path: string, code: OptionsProblem['code'], message: string) => problems.push({ path, code, message });
  const o = (conform(options, SHAPE, '', add) ?? {}) as Partial<WorkspaceManifestOptions>;
  const expr = isTerraformExpression;

  const required = (path: string, value: unknown) => {
    if (typeof value !== 'string' || value === '') add(path, 'required', `${path} is required (a non-empty string)`);
    return typeof value === 'string' && value !== '';
  };
  const optionalString = (path: string, value: unknown) => {
    if (value !== undefined && value !== null && typeof value !== 'string') add(path, 'invalid-value', `${path} must be a string`);
    return typeof value === 'string' && value !== '';
  };
  if (required('name', o.name) && !expr(o.name)) {
    if (!DNS_LABEL.test(o.name as string) || (o.name as string).length > MAX_NAME_LENGTH)
      add('name', 'invalid-name', `name "${o.name}" must be a DNS-1123 label of at most ${MAX_NAME_LENGTH} characters`);
  }
  if (required('namespace', o.namespace) && !expr(o.namespace)) {
    const ns = o.namespace as string;
    if (!DNS_LABEL.test(ns) || ns.length > 63)
      add(
        'namespace',
        'invalid-name',
        `namespace "${ns.length > 80 ? `${ns.slice(0, 80)}…` : ns}" must be a DNS-1123 label of at most 63 characters`,
      );
  }
  for (const key of ['workspaceId', 'workspaceName', 'ownerId', 'ownerName'] as const) {
    const path = `coder.${key}`;
    const value = o.coder?.[key];
    // They become label values (com.coder.*).
    if (required(path, value) && !expr(value) && !isLabelValue(value as string))
      add(
        path,
        'invalid-label',
        `${path} becomes a label value: at most 63 letters, digits, "-", "_", "." starting and ending with a letter or digit`,
      );
  }

  const url = (path: string, value: unknown, { need }: { need: boolean }) => {
    if (!(need ? required(path, value) : optionalString(path, value)) || expr(value)) return;
    const text = value as string;
    if (URL_USERINFO.test(text)) {
      add(
        path,
        'token-in-plain-text',
        `${path} holds credentials (user or password before "@"): plain env values are visible in the pod spec; the token goes through the Secret`,
      );
      return;
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '')
      add(path, 'invalid-url', `${path} "${text.includes('@') ? '…' : text}" is not an http(s) URL`);
  };
  url('coder.agentUrl', o.coder?.agentUrl, { need: true });
  url('coder.devcontainerAgentUrl', o.coder?.devcontainerAgentUrl, { need: false });
  optionalString('coder.initScript', o.coder?.initScript);

  required('builder.image', o.builder?.image);
  if (required('builder.repository', o.builder?.repository) && !expr(o.builder?.repository)) {
    const repository = o.builder?.repository as string;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repository)?.[1]?.toLowerCase();
    if (scheme !== undefined) {
      let parsed: URL | undefined;
      try {
        parsed = new URL(repository);
      } catch {
        parsed = undefined;
      }
      if (!parsed)
        add('builder.repository', 'invalid-url', `builder.repository "${repository.includes('@') ? '…' : repository}" is not a URL`);
      // ssh://git@host/… names a user, no secret; a user (token) or password in http(s), or a password anywhere, is one.
      else if (parsed.password !== '' || (parsed.username !== '' && scheme !== 'ssh' && scheme !== 'git+ssh'))
        add(
          'builder.repository',
          'token-in-plain-text',
          'builder.repository holds credentials (user or password before "@"): they would be visible in the pod spec; put the token in secret.gitToken and the user in builder.gitUsername',
        );
    } else if (/^[^/@:]+:[^/@]*@/.test(repository))
      add('builder.repository', 'token-in-plain-text', 'builder.repository holds a password before "@": use secret.gitToken');
  }
  for (const key of [
    'branch',
    'workspaceFolder',
    'devcontainerConfig',
    'gitUsername',
    'cacheFrom',
    'cacheTo',
    'fallbackImage',
    'statusFile',
  ] as const)
    optionalString(`builder.${key}`, o.builder?.[key]);
  for (const key of ['workspaceFolder', 'statusFile'] as const) {
    const v = o.builder?.[key];
    if (typeof v === 'string' && v !== '' && !expr(v) && !v.startsWith('/'))
      add(`builder.${key}`, 'invalid-value', `builder.${key} must be an absolute path`);
  }
  const registrySecret = o.builder?.registryCredentialsSecret;
  if (optionalString('builder.registryCredentialsSecret', registrySecret) && !expr(registrySecret)) {
    const n = registrySecret as string;
    if (!DNS_SUBDOMAIN.test(n) || n.length > 253)
      add('builder.registryCredentialsSecret', 'invalid-name', `builder.registryCredentialsSecret "${n}" must be a DNS-1123 subdomain`);
  }
  const us = o.userStorage;
  if (us) {
    if (
      required('userStorage.claimName', us.claimName) &&
      !expr(us.claimName) &&
      (!DNS_SUBDOMAIN.test(us.claimName) || us.claimName.length > 253)
    )
      add('userStorage.claimName', 'invalid-name', `userStorage.claimName "${us.claimName}" must be a DNS-1123 subdomain`);
    if (typeof us.mountPath === 'string' && !expr(us.mountPath) && (!us.mountPath.startsWith('/') || /[,=]/.test(us.mountPath)))
      add('userStorage.mountPath', 'invalid-value', 'userStorage.mountPath must be an absolute path without "," or "="');
  }
  const dotfilesRepo = o.builder?.dotfilesRepository;
  if (typeof dotfilesRepo === 'string' && /^https?:\/\/[^/]*@/i.test(dotfilesRepo))
    add(
      'builder.dotfilesRepository',
      'token-in-plain-text',
      'builder.dotfilesRepository holds credentials before "@": they would be visible in the pod spec',
    );
  const gitSshSecret = o.builder?.gitSshSecret;
  if (optionalString('builder.gitSshSecret', gitSshSecret) && !expr(gitSshSecret)) {
    const n = gitSshSecret as string;
    if (!DNS_SUBDOMAIN.test(n) || n.length > 253)
      add('builder.gitSshSecret', 'invalid-name', `builder.gitSshSecret "${n}" must be a DNS-1123 subdomain`);
  }
  const registryKey = o.builder?.registryCredentialsKey;
  if (
    optionalString('builder.registryCredentialsKey', registryKey) &&
    !expr(registryKey) &&
    !/^[-._a-zA-Z0-9]+$/.test(registryKey as string)
  )
    add('builder.registryCredentialsKey', 'invalid-value', `builder.registryCredentialsKey "${registryKey}" is not a Secret key`);
  const ca = o.caCert;
  if (ca) {
    if (!isUnset(ca.configMapName) && !isUnset(ca.secretName))
      add('caCert', 'invalid-value', 'caCert: give configMapName or secretName, not both');
    if (isUnset(ca.configMapName) && isUnset(ca.secretName)) add('caCert', 'required', 'caCert needs configMapName or secretName');
    for (const k of ['configMapName', 'secretName'] as const) {
      const n = ca[k];
      if (typeof n === 'string' && n !== '' && !expr(n) && (!DNS_SUBDOMAIN.test(n) || n.length > 253))
        add(`caCert.${k}`, 'invalid-name', `caCert.${k} "${n}" must be a DNS-1123 subdomain`);
    }
    if (typeof ca.key === 'string' && ca.key !== '' && !expr(ca.key) && !/^[-._a-zA-Z0-9]+$/.test(ca.key))
      add('caCert.key', 'invalid-value', `caCert.key "${ca.key}" is not a ConfigMap/Secret key`);
    for (const [i, h] of (ca.registryHosts ?? []).entries())
      if (!expr(h) && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(h))
        add(`caCert.registryHosts[${i}]`, 'invalid-value', `caCert.registryHosts[${i}] "${h}" is not host[:port]`);
  }
  const hookFailure = o.builder?.hookFailure as unknown;
  if (!isUnset(hookFailure) && !expr(hookFailure) && hookFailure !== 'fail' && hookFailure !== 'continue')
    add('builder.hookFailure', 'invalid-value', `builder.hookFailure must be "fail" or "continue", not "${String(hookFailure)}"`);
  const extensions = o.builder?.extensions as unknown;
  if (extensions !== undefined && (!Array.isArray(extensions) || extensions.some((e) => typeof e !== 'string')))
    add('builder.extensions', 'invalid-value', 'builder.extensions must be a list of extension ids (strings)');

  const id = (path: string, value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID)
      add(path, 'invalid-value', `${path} must be an integer from 0 to ${MAX_ID}, not ${JSON.stringify(value)}`);
  };
  id('builder.runAsUser', o.builder?.runAsUser);
  id('builder.runAsGroup', o.builder?.runAsGroup);
  if (o.builder?.runAsUser === 0)
    add('builder.runAsUser', 'invalid-value', 'builder.runAsUser must not be 0: the builder runs as non-root (runAsNonRoot)');

  const quantity = (path: string, value: unknown): number | undefined => {
    if (value === undefined || expr(value)) return undefined;
    const parsed = typeof value === 'string' ? parseQuantity(value) : undefined;
    if (parsed === undefined) {
      add(path, 'invalid-quantity', `${path} "${String(value)}" is not a Kubernetes quantity (e.g. 10Gi, 500m)`);
      return undefined;
    }
    if (!(parsed > 0)) add(path, 'invalid-quantity', `${path} "${String(value)}" must be greater than zero`);
    return parsed;
  };
  const resources = (path: string, r: ResourceOptions | undefined) => {
    if (r === undefined) return;
    const parsed: Record<string, Record<string, number | undefined>> = {};
    for (const kind of ['requests', 'limits'] as const) {
      parsed[kind] = {};
      for (const [k, v] of Object.entries(r?.[kind] ?? {})) {
        if (!['cpu', 'memory', 'ephemeral-storage'].includes(k) && !k.includes('/') && !k.startsWith('hugepages-'))
          add(
            `${path}.${kind}.${k}`,
            'unknown-option',
            `unknown resource "${k}" (cpu, memory, ephemeral-storage, hugepages-*, or a domain/name extended resource)`,
          );
        (parsed[kind] as Record<string, number | undefined>)[k] = quantity(`${path}.${kind}.${k}`, v);
      }
    }
    // The API server refuses a request above its limit. Compare with the effective limits (defaults included).
    const defaults = path.startsWith('builder') ? DEFAULTS.builderResources : DEFAULTS.dindResources;
    for (const [k, request] of Object.entries(parsed.requests ?? {})) {
      const limitText = r.limits?.[k as keyof NonNullable<ResourceOptions['limits']>] ?? (defaults.limits as Record<string, string>)[k];
      const limit = parsed.limits?.[k] ?? (limitText !== undefined && !expr(limitText) ? parseQuantity(limitText) : undefined);
      if (request !== undefined && limit !== undefined && request > limit)
        add(
          `${path}.requests.${k}`,
          'invalid-quantity',
          `${path}.requests.${k} is above its limit (${limitText}): the API server refuses it`,
        );
    }
  };
  resources('builder.resources', o.builder?.resources);
  resources('dind.resources', o.dind?.resources);
  for (const v of ['workspaces', 'docker'] as const) {
    quantity(`storage.${v}.size`, o.storage?.[v]?.size);
    const cls = o.storage?.[v]?.storageClassName;
    if (typeof cls === 'string' && cls !== '' && !expr(cls) && (!DNS_SUBDOMAIN.test(cls) || cls.length > 253))
      add(`storage.${v}.storageClassName`, 'invalid-name', `storage.${v}.storageClassName "${cls}" must be a DNS-1123 subdomain`);
    const mode = o.storage?.[v]?.accessMode as unknown;
    if (mode !== undefined && !['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'].includes(mode as string))
      add(`storage.${v}.accessMode`, 'invalid-value', `storage.${v}.accessMode must be ReadWriteOnce, ReadWriteOncePod or ReadWriteMany`);
  }

  for (const [name, value] of Object.entries(o.builder?.env ?? {})) {
    const path = `builder.env.${name}`;
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name))
      add(path, 'invalid-name', `${path}: "${name}" is not a valid environment variable name`);
    if (SECRET_LIKE_NAME.test(name))
      add(
        path,
        'token-in-plain-text',
        `${path} looks like a secret: plain env values are visible in the pod spec; use the Secret (secret.gitToken/agentToken)`,
      );
    else if (typeof value === 'string' && URL_USERINFO.test(value))
      add(
        path,
        'token-in-plain-text',
        `${path} holds a URL with credentials (user or password before "@"): plain env values are visible in the pod spec`,
      );
    if (MANAGED_ENV.has(name)) add(path, 'invalid-value', `${path} is set by this package from its own option`);
    if (typeof value !== 'string') add(path, 'invalid-value', `${path} must be a string`);
  }
  const grace = o.terminationGracePeriodSeconds;
  if (grace !== undefined && (!Number.isInteger(grace) || grace < DEFAULTS.minTerminationGracePeriodSeconds))
    add(
      'terminationGracePeriodSeconds',
      'invalid-value',
      `terminationGracePeriodSeconds must be an integer ≥ ${DEFAULTS.minTerminationGracePeriodSeconds} (the builder takes up to 20 s to stop, dockerd needs the rest)`,
    );
  const isolation = o.dind?.isolation;
  if (isolation !== undefined && isolation !== 'privileged' && isolation !== 'sysbox')
    add('dind.isolation', 'invalid-value', `dind.isolation must be "privileged" or "sysbox", not "${String(isolation)}"`);
  const driver = o.dind?.storageDriver;
  if (driver !== undefined && !['overlay2', 'fuse-overlayfs', 'vfs'].includes(driver))
    add('dind.storageDriver', 'invalid-value', `dind.storageDriver must be overlay2, fuse-overlayfs or vfs, not "${String(driver)}"`);
  if (o.dind?.socketDir !== undefined && !o.dind.socketDir.startsWith('/'))
    add('dind.socketDir', 'invalid-value', 'dind.socketDir must be an absolute path');
  if (o.dind?.socketDir?.startsWith('/workspaces')) add('dind.socketDir', 'invalid-value', 'dind.socketDir must not be inside /workspaces');
  const cgroupParent = o.dind?.cgroupParent as unknown;
  if (cgroupParent !== undefined && cgroupParent !== '' && !expr(cgroupParent)) {
    if (
      typeof cgroupParent !== 'string' ||
      !/^\/?[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/.test(cgroupParent) ||
      /(^|\/)\.\.?(\/|$)/.test(cgroupParent)
    )
      add(
        'dind.cgroupParent',
        'invalid-value',
        `dind.cgroupParent must be a cgroup path such as /devcontainer-kit/<name> (letters, digits, "_.@-" between "/"), not ${JSON.stringify(cgroupParent)}`,
      );
  }
  const runtimeClass = o.dind?.runtimeClassName;
  if (
    typeof runtimeClass === 'string' &&
    runtimeClass !== '' &&
    !expr(runtimeClass) &&
    (!DNS_SUBDOMAIN.test(runtimeClass) || runtimeClass.length > 253)
  )
    add('dind.runtimeClassName', 'invalid-name', `dind.runtimeClassName "${runtimeClass}" must be a DNS-1123 subdomain`);

  const secret = o.secret as Record<string, unknown> | undefined;
  if (secret !== undefined && !isRecord(secret)) add('secret', 'invalid-value', 'secret must be an object');
  else if (secret && 'existingSecretName' in secret) {
    if (required('secret.existingSecretName', secret.existingSecretName) && !expr(secret.existingSecretName)) {
      const n = secret.existingSecretName as string;
      if (!DNS_SUBDOMAIN.test(n) || n.length > 253)
        add(
          'secret.existingSecretName',
          'invalid-name',
          `secret.existingSecretName "${n}" must be a DNS-1123 subdomain of at most 253 characters`,
        );
    }
    for (const key of Object.keys(secret))
      if (key !== 'existingSecretName')
        add(`secret.${key}`, 'invalid-value', `secret.${key} cannot be combined with secret.existingSecretName`);
  } else {
    for (const key of Object.keys(secret ?? {}))
      if (!['agentToken', 'gitToken', 'allowEmptyAgentToken'].includes(key))
        add(`secret.${key}`, 'unknown-option', `unknown option "secret.${key}"`);
    optionalString('secret.agentToken', secret?.agentToken);
    optionalString('secret.gitToken', secret?.gitToken);
    if (secret?.allowEmptyAgentToken !== undefined && typeof secret.allowEmptyAgentToken !== 'boolean')
      add('secret.allowEmptyAgentToken', 'invalid-value', 'secret.allowEmptyAgentToken must be true or false');
    if (isUnset(secret?.agentToken) && secret?.allowEmptyAgentToken !== true)
      add(
        'secret.agentToken',
        'required',
        'secret.agentToken is empty: the builder would exit (CODER_AGENT_TOKEN is required with CODER_AGENT_URL) and the pod crash-loop. ' +
          'Set it (a Coder template: "${coder_agent.main.token}"), use secret.existingSecretName, or, when you fill the Secret yourself, ' +
          'set secret.allowEmptyAgentToken: true (CLI: --allow-empty-agent-token)',
      );
  }

  const labelMap = (path: string, map: unknown, { values }: { values: boolean }) => {
    if (map === undefined) return;
    if (!isRecord(map)) {
      add(path, 'invalid-value', `${path} must be a map of strings`);
      return;
    }
    for (const [key, value] of Object.entries(map)) {
      if (!expr(key)) for (const p of labelKeyProblems(key)) add(`${path}.${key}`, 'invalid-label', `key "${key}": ${p}`);
      if (typeof value !== 'string') add(`${path}.${key}`, 'invalid-value', `${path}.${key} must be a string`);
      else if (values && !expr(value) && !isLabelValue(value))
        add(
          `${path}.${key}`,
          'invalid-label',
          `${path}.${key}: "${value}" is not a label value (at most 63 letters, digits, "-", "_", ".", alphanumeric at both ends)`,
        );
    }
  };
  labelMap('labels', o.labels, { values: true });
  labelMap('annotations', o.annotations, { values: false });
  for (const [key, value] of Object.entries(isRecord(o.annotations) ? o.annotations : {}))
    if (typeof value === 'string' && (URL_USERINFO.test(value) || SECRET_LIKE_NAME.test(key)))
      add(
        `annotations.${key}`,
        'token-in-plain-text',
        `annotations.${key} looks like a credential: annotations are readable by anyone who can read the Deployment`,
      );
  labelMap('scheduling.nodeSelector', o.scheduling?.nodeSelector, { values: true });
  o.scheduling?.tolerations?.forEach((t, i) => {
    const path = `scheduling.tolerations[${i}]`;
    if (t.key !== undefined && t.key !== '' && !expr(t.key))
      for (const p of labelKeyProblems(t.key)) add(`${path}.key`, 'invalid-label', `key "${t.key}": ${p}`);
    if (t.tolerationSeconds !== undefined && !Number.isInteger(t.tolerationSeconds))
      add(`${path}.tolerationSeconds`, 'invalid-value', `${path}.tolerationSeconds must be an integer`);
  });

  const peers = (path: string, given: unknown) => {
    if (given === undefined) return;
    if (!Array.isArray(given)) {
      add(path, 'invalid-value', `${path} must be a list of egress peers`);
      return;
    }
    (given as unknown[]).forEach((raw, i) => {
      if (!isRecord(raw)) {
        add(`${path}[${i}]`, 'invalid-value', `${path}[${i}] must be an object`);
        return;
      }
      const p = raw as EgressPeer;
      for (const key of ['cidrs', 'except', 'ports'] as const)
        if (p[key] !== undefined && !Array.isArray(p[key])) {
          add(`${path}[${i}].${key}`, 'invalid-value', `${path}[${i}].${key} must be a list`);
          return;
        }
      if (!p.cidrs?.length && !p.namespaceSelector && !p.podSelector)
        add(`${path}[${i}]`, 'invalid-value', `${path}[${i}] needs cidrs, namespaceSelector or podSelector`);
      for (const c of [...(p.cidrs ?? []), ...(p.except ?? [])] as unknown[])
        if (!expr(c) && (typeof c !== 'string' || !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c)))
          add(`${path}[${i}]`, 'invalid-value', `${JSON.stringify(c)} is not a CIDR`);
      labelMap(`${path}[${i}].namespaceSelector`, p.namespaceSelector, { values: true });
      labelMap(`${path}[${i}].podSelector`, p.podSelector, { values: true });
      p.ports?.forEach((port, j) => {
        const n = isRecord(port) ? port.port : undefined;
        if (!expr(n) && (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535))
          add(`${path}[${i}].ports[${j}].port`, 'invalid-value', `${path}[${i}].ports[${j}].port must be an integer from 1 to 65535`);
        const protocol = isRecord(port) ? port.protocol : undefined;
        if (protocol !== undefined && protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP')
          add(`${path}[${i}].ports[${j}].protocol`, 'invalid-value', `${path}[${i}].ports[${j}].protocol must be TCP, UDP or SCTP`);
      });
    });
  };
  const np = (isRecord(o.networkPolicy) ? o.networkPolicy : undefined) as WorkspaceManifestOptions['networkPolicy'];
  if (o.networkPolicy !== undefined && !np) add('networkPolicy', 'invalid-value', 'networkPolicy must be an object');
  if (np?.enabled !== undefined && typeof np.enabled !== 'boolean')
    add('networkPolicy.enabled', 'invalid-value', 'networkPolicy.enabled must be true or false');
  if (np?.enabled === true) {
    peers('networkPolicy.coder', np.coder);
    peers('networkPolicy.git', np.git);
    peers('networkPolicy.registries', np.registries);
    peers('networkPolicy.extra', np.extra);
    if (np.dns !== undefined) peers('networkPolicy.dns', [np.dns]);
    if (!Array.isArray(np.coder) || np.coder.length === 0)
      add('networkPolicy.coder', 'required', 'networkPolicy.coder is required when the policy is enabled (the agent must reach Coder)');
  }
  return problems;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
