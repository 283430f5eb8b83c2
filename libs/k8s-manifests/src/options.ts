import type { EgressPeer, OptionsProblem, PolicyRule, ResourceOptions, WorkspaceManifestOptions } from './types.js';

/** True when a string is (or contains) a Terraform expression such as `${data.coder_workspace.me.id}`. */
export function isTerraformExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/;
const SECRET_LIKE_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY/i;

/** Env vars of the builder this package sets from its own options (builder.env may not override them). */
export const MANAGED_ENV = new Set([
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

const KNOWN_TOP = new Set([
  'name',
  'namespace',
  'coder',
  'builder',
  'dind',
  'storage',
  'secret',
  'serviceAccount',
  'networkPolicy',
  'scheduling',
  'terminationGracePeriodSeconds',
  'labels',
  'annotations',
]);

/** Every problem with the options (empty when they are fine). Pure; never throws. */
export function validateOptions(options: WorkspaceManifestOptions): OptionsProblem[] {
  const problems: OptionsProblem[] = [];
  const add = (path: string, code: OptionsProblem['code'], message: string) => problems.push({ path, code, message });
  const o = (options ?? {}) as Partial<WorkspaceManifestOptions>;
  for (const key of Object.keys(o)) if (!KNOWN_TOP.has(key)) add(key, 'unknown-option', `unknown option "${key}"`);

  const required = (path: string, value: unknown) => {
    if (typeof value !== 'string' || value === '') add(path, 'required', `${path} is required (a non-empty string)`);
    return typeof value === 'string' && value !== '';
  };
  if (required('name', o.name) && !isTerraformExpression(o.name)) {
    if (!DNS_LABEL.test(o.name as string) || (o.name as string).length > MAX_NAME_LENGTH)
      add('name', 'invalid-name', `name "${o.name}" must be a DNS-1123 label of at most ${MAX_NAME_LENGTH} characters`);
  }
  if (required('namespace', o.namespace) && !isTerraformExpression(o.namespace) && !DNS_LABEL.test(o.namespace as string))
    add('namespace', 'invalid-name', `namespace "${o.namespace}" must be a DNS-1123 label`);
  for (const key of ['workspaceId', 'workspaceName', 'ownerId', 'ownerName', 'agentUrl'] as const) required(`coder.${key}`, o.coder?.[key]);
  required('builder.image', o.builder?.image);
  required('builder.repository', o.builder?.repository);

  const quantity = (path: string, value: string | undefined) => {
    if (value === undefined || isTerraformExpression(value)) return;
    if (typeof value !== 'string' || !QUANTITY.test(value))
      add(path, 'invalid-quantity', `${path} "${String(value)}" is not a Kubernetes quantity (e.g. 10Gi, 500m)`);
  };
  const resources = (path: string, r: ResourceOptions | undefined) => {
    for (const kind of ['requests', 'limits'] as const)
      for (const [k, v] of Object.entries(r?.[kind] ?? {})) quantity(`${path}.${kind}.${k}`, v);
  };
  resources('builder.resources', o.builder?.resources);
  resources('dind.resources', o.dind?.resources);
  quantity('storage.workspaces.size', o.storage?.workspaces?.size);
  quantity('storage.docker.size', o.storage?.docker?.size);

  for (const name of Object.keys(o.builder?.env ?? {})) {
    if (SECRET_LIKE_NAME.test(name))
      add(
        `builder.env.${name}`,
        'token-in-plain-text',
        `builder.env.${name} looks like a secret: plain env values are visible in the pod spec; use the Secret (secret.gitToken/agentToken)`,
      );
    if (MANAGED_ENV.has(name))
      add(`builder.env.${name}`, 'invalid-value', `builder.env.${name} is set by this package from its own option`);
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
  if (o.secret && 'existingSecretName' in o.secret) required('secret.existingSecretName', o.secret.existingSecretName);

  const peers = (path: string, list: EgressPeer[] | undefined) =>
    list?.forEach((p, i) => {
      if (!p.cidrs?.length && !p.namespaceSelector && !p.podSelector)
        add(`${path}[${i}]`, 'invalid-value', `${path}[${i}] needs cidrs, namespaceSelector or podSelector`);
      for (const c of [...(p.cidrs ?? []), ...(p.except ?? [])])
        if (!isTerraformExpression(c) && !/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(c))
          add(`${path}[${i}]`, 'invalid-value', `"${c}" is not a CIDR`);
    });
  const np = o.networkPolicy;
  if (np?.enabled) {
    peers('networkPolicy.coder', np.coder);
    peers('networkPolicy.git', np.git);
    peers('networkPolicy.registries', np.registries);
    peers('networkPolicy.extra', np.extra);
    if (np.dns) peers('networkPolicy.dns', [np.dns]);
    if (!np.coder?.length)
      add('networkPolicy.coder', 'required', 'networkPolicy.coder is required when the policy is enabled (the agent must reach Coder)');
  }
  return problems;
}
