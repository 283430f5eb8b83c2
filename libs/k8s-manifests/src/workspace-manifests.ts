import { Deployment } from 'kubernetes-models/apps/v1';
import { type INetworkPolicyEgressRule, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  type IContainer,
  type IEnvVar,
  type IResourceRequirements,
  PersistentVolumeClaim,
  Secret,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { K8sManifestsError } from './errors.js';
import { DEFAULTS, defaultWorkspaceFolder, isTerraformExpression, isUnset, validateOptions } from './options.js';
import type { EgressPeer, PolicyRule, ResourceOptions, VolumeOptions, WorkspaceManifestOptions } from './types.js';

/** The objects of one workspace, by role. Optional ones are absent when their option is off. */
export interface WorkspaceManifests {
  serviceAccount: ServiceAccount;
  role?: Role;
  roleBinding?: RoleBinding;
  /** Absent with `secret.existingSecretName`. */
  secret?: Secret;
  workspacesClaim: PersistentVolumeClaim;
  dockerClaim: PersistentVolumeClaim;
  networkPolicy?: NetworkPolicy;
  deployment: Deployment;
}

export type ManifestKey = keyof WorkspaceManifests;
export type WorkspaceObject = NonNullable<WorkspaceManifests[ManifestKey]>;

/** Apply order: what the Deployment refers to comes first. */
export const MANIFEST_ORDER: readonly ManifestKey[] = [
  'serviceAccount',
  'role',
  'roleBinding',
  'secret',
  'workspacesClaim',
  'dockerClaim',
  'networkPolicy',
  'deployment',
];

/** Keys of the Secret this package renders (or expects in `secret.existingSecretName`). */
export const SECRET_KEYS = { agentToken: 'agent-token', gitToken: 'git-token' } as const;

/** Names of the pod's volumes and the containers' mount paths. */
export const VOLUMES = {
  workspaces: 'workspaces',
  dockerData: 'docker-data',
  dockerSocket: 'docker-socket',
  registryCredentials: 'registry-credentials',
  caCert: 'ca-cert',
  gitSsh: 'git-ssh',
  userStorage: 'user-storage',
} as const;
/** Where the per-user PVC (`userStorage`) is mounted in the builder and dind (the same path: bind mounts resolve). */
export const USER_STORAGE_PATH = '/var/lib/devcontainer-kit/user-storage';
/** Where the builder finds the git SSH key and known_hosts (`builder.gitSshSecret`). */
export const GIT_SSH_PATH = '/etc/devcontainer-kit/git-ssh';
/** Where the builder finds the CA bundle (`caCert`). */
export const CA_CERT_PATH = '/etc/devcontainer-kit/ca';
/** Where the builder finds the registry credentials Secret (`builder.registryCredentialsSecret`). */
export const REGISTRY_CREDENTIALS_PATH = '/etc/devcontainer-kit/registry';
export const WORKSPACES_PATH = '/workspaces';
export const DOCKER_DATA_PATH = '/var/lib/docker';
/** Seconds dind waits in preStop so the builder can stop the devcontainer through it first. */
export const DIND_PRESTOP_SECONDS = 20;

/**
 * The dind container's arguments: `dockerd` and its flags, the whole command line the image's entrypoint must run.
 * An empty `cgroupParent` leaves `--cgroup-parent` out (dockerd's default, `/docker`).
 */
export function dindArgs({
  socket,
  gid,
  storageDriver,
  cgroupParent,
}: {
  socket: string;
  gid: number;
  storageDriver: string;
  cgroupParent: string;
}): string[] {
  return [
    'dockerd',
    `--host=${socket}`,
    `--group=${gid}`,
    `--storage-driver=${storageDriver}`,
    // A sub-directory of the volume: dockerd's chmod of its root then never trips fsGroup's OnRootMismatch check.
    `--data-root=${DOCKER_DATA_PATH}/data`,
    ...(cgroupParent === '' ? [] : [`--cgroup-parent=${cgroupParent}`]),
  ];
}

/** The present objects of `manifests` in apply order, with their role. */
export function listManifests(manifests: WorkspaceManifests): { key: ManifestKey; object: WorkspaceObject }[] {
  return MANIFEST_ORDER.flatMap((key) => {
    const object = manifests[key];
    return object ? [{ key, object }] : [];
  });
}

function resources(given: ResourceOptions | undefined, defaults: ResourceOptions): IResourceRequirements {
  return {
    requests: { ...defaults.requests, ...given?.requests },
    limits: { ...defaults.limits, ...given?.limits },
  } as IResourceRequirements;
}

function claim(name: string, namespace: string, labels: Record<string, string>, v: VolumeOptions | undefined, size: string) {
  return new PersistentVolumeClaim({
    metadata: { name, namespace, labels },
    spec: {
      accessModes: [v?.accessMode ?? DEFAULTS.accessMode],
      ...(v?.storageClassName !== undefined ? { storageClassName: v.storageClassName } : {}),
      resources: { requests: { storage: v?.size ?? size } },
    },
  });
}

function egressRule(peer: EgressPeer): INetworkPolicyEgressRule {
  const to: NonNullable<INetworkPolicyEgressRule['to']> = (peer.cidrs ?? []).map((cidr) => ({
    ipBlock: { cidr, ...(peer.except?.length ? { except: peer.except } : {}) },
  }));
  if (peer.namespaceSelector || peer.podSelector)
    to.push({
      ...(peer.namespaceSelector ? { namespaceSelector: { matchLabels: peer.namespaceSelector } } : {}),
      ...(peer.podSelector ? { podSelector: { matchLabels: peer.podSelector } } : {}),
    });
  return {
    to,
    ...(peer.ports?.length ? { ports: peer.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' })) } : {}),
  };
}

/**
 * The Kubernetes objects of one workspace: Deployment (builder + dind), two PVCs, the token Secret,
 * a ServiceAccount without API access, and the opt-in Role/RoleBinding and NetworkPolicy.
 * Pure: no I/O. Throws `K8sManifestsError` (`INVALID_OPTIONS`, with every problem) on bad options.
 */
export function workspaceManifests(options: WorkspaceManifestOptions): WorkspaceManifests {
  const problems = validateOptions(options);
  if (problems.length > 0)
    throw new K8sManifestsError('INVALID_OPTIONS', `${problems.length} problem(s) in the workspace options: ${problems[0]?.message}`, {
      problems,
    });

  const { name, namespace, coder, builder } = options;
  const dind = options.dind ?? {};
  const isolation = dind.isolation ?? 'privileged';
  const socketDir = (dind.socketDir ?? DEFAULTS.socketDir).replace(/\/+$/, '');
  const socket = `unix://${socketDir}/docker.sock`;
  const uid = builder.runAsUser ?? DEFAULTS.runAsUser;
  const gid = builder.runAsGroup ?? DEFAULTS.runAsGroup;
  const grace = options.terminationGracePeriodSeconds ?? DEFAULTS.terminationGracePeriodSeconds;
  const runtimeClassName = isUnset(dind.runtimeClassName)
    ? isolation === 'sysbox'
      ? DEFAULTS.sysboxRuntimeClass
      : undefined
    : dind.runtimeClassName;
  const cgroupParent = dind.cgroupParent ?? `${DEFAULTS.cgroupParentPrefix}/${name}`;
  const kubernetesAccess = options.serviceAccount?.kubernetesAccess ?? false;

  const selector = { 'app.kubernetes.io/name': 'coder-workspace', 'app.kubernetes.io/instance': name };
  const labels = (component: string): Record<string, string> => ({
    ...options.labels,
    ...selector,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'coder',
    'app.kubernetes.io/managed-by': 'devcontainer-kit',
    'com.coder.resource': 'true',
    'com.coder.workspace.id': coder.workspaceId,
    'com.coder.workspace.name': coder.workspaceName,
    'com.coder.user.id': coder.ownerId,
    'com.coder.user.username': coder.ownerName,
  });
  const meta = (objectName: string, component: string) => ({ name: objectName, namespace, labels: labels(component) });

  const existingSecret = options.secret && 'existingSecretName' in options.secret ? options.secret.existingSecretName : undefined;
  const secretName = existingSecret ?? `${name}-tokens`;
  const tokens: { agentToken?: string; gitToken?: string } =
    options.secret && !('existingSecretName' in options.secret) ? options.secret : {};

  const manifests: Partial<WorkspaceManifests> = {};
  manifests.serviceAccount = new ServiceAccount({ metadata: meta(name, 'workspace'), automountServiceAccountToken: kubernetesAccess });
  if (kubernetesAccess) {
    manifests.role = new Role({
      metadata: meta(name, 'workspace'),
      rules: ((options.serviceAccount?.rules ?? DEFAULTS.roleRules) as readonly PolicyRule[]).map((r) => ({
        apiGroups: [...r.apiGroups],
        resources: [...r.resources],
        verbs: [...r.verbs],
        ...(r.resourceNames ? { resourceNames: [...r.resourceNames] } : {}),
      })),
    });
    manifests.roleBinding = new RoleBinding({
      metadata: meta(name, 'workspace'),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    });
  }
  if (!existingSecret) {
    manifests.secret = new Secret({
      metadata: meta(secretName, 'tokens'),
      type: 'Opaque',
      stringData: {
        // Empty only with allowEmptyAgentToken (validateOptions refuses it otherwise).
        [SECRET_KEYS.agentToken]: tokens.agentToken ?? '',
        ...(!isUnset(tokens.gitToken) ? { [SECRET_KEYS.gitToken]: tokens.gitToken as string } : {}),
      },
    });
  }
  manifests.workspacesClaim = claim(
    `${name}-workspaces`,
    namespace,
    labels('workspaces-volume'),
    options.storage?.workspaces,
    DEFAULTS.workspacesSize,
  );
  manifests.dockerClaim = claim(`${name}-docker`, namespace, labels('docker-volume'), options.storage?.docker, DEFAULTS.dockerSize);

  const np = options.networkPolicy;
  if (np?.enabled) {
    const dns: EgressPeer = np.dns ?? {
      namespaceSelector: { 'kubernetes.io/metadata.name': 'kube-system' },
      podSelector: { 'k8s-app': 'kube-dns' },
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
    };
    manifests.networkPolicy = new NetworkPolicy({
      metadata: meta(name, 'workspace'),
      spec: {
        podSelector: { matchLabels: { ...selector } },
        // Ingress listed with no rule: nothing may connect in (the agent dials out to Coder).
        policyTypes: ['Ingress', 'Egress'],
        egress: [dns, ...(np.coder ?? []), ...(np.git ?? []), ...(np.registries ?? []), ...(np.extra ?? [])].map(egressRule),
      },
    });
  }

  const secretEnv = (envName: string, key: string, optional: boolean): IEnvVar => ({
    name: envName,
    valueFrom: { secretKeyRef: { name: secretName, key, optional } },
  });
  // Empty means unset: an option given as "" leaves its variable out (the Terraform rendering does the same for
  // expressions that evaluate to "", with dynamic blocks).
  const plain = (envName: string, value: string | undefined): IEnvVar[] =>
    isUnset(value) ? [] : [{ name: envName, value: value as string }];
  // Registry credentials: a Secret file, never an env value. An expression secret name may evaluate to "": the
  // volume is then optional with a placeholder name (mounts an empty directory) and the variable is left out.
  const registrySecret = builder.registryCredentialsSecret;
  const registryExpr = isTerraformExpression(registrySecret) && /^\$\{[^{}]*\}$/.test(registrySecret as string);
  const registryInner = registryExpr ? (registrySecret as string).slice(2, -1) : undefined;
  const registryFile = `${REGISTRY_CREDENTIALS_PATH}/config.json`;
  const registryVolume = isUnset(registrySecret)
    ? []
    : [
        {
          name: VOLUMES.registryCredentials,
          secret: {
            secretName: registryInner
              ? `\${${registryInner} == "" ? "${name}-no-registry-credentials" : ${registryInner}}`
              : (registrySecret as string),
            items: [{ key: builder.registryCredentialsKey || '.dockerconfigjson', path: 'config.json' }],
            ...(registryInner ? { optional: true } : {}),
          },
        },
      ];
  const registryMount =
    registryVolume.length > 0 ? [{ name: VOLUMES.registryCredentials, mountPath: REGISTRY_CREDENTIALS_PATH, readOnly: true }] : [];
  const registryEnv = registryInner
    ? `\${${registryInner} == "" ? "" : "${registryFile}"}`
    : registryVolume.length > 0
      ? registryFile
      : undefined;

  // A corporate CA: ConfigMap or Secret → builder file (+ its own NODE_EXTRA_CA_CERTS), dind certs.d per registry.
  const ca = options.caCert;
  const caSource = ca ? (isUnset(ca.configMapName) ? ca.secretName : ca.configMapName) : undefined;
  const caInner =
    isTerraformExpression(caSource) && /^\$\{[^{}]*\}$/.test(caSource as string) ? (caSource as string).slice(2, -1) : undefined;
  const caName = caInner ? `\${${caInner} == "" ? "${name}-no-ca-cert" : ${caInner}}` : (caSource as string | undefined);
  const caItems = [{ key: ca?.key || 'ca.crt', path: 'ca.crt' }];
  const caVolume =
    ca && !isUnset(caSource)
      ? [
          isUnset(ca.configMapName)
            ? { name: VOLUMES.caCert, secret: { secretName: caName as string, items: caItems, ...(caInner ? { optional: true } : {}) } }
            : { name: VOLUMES.caCert, configMap: { name: caName as string, items: caItems, ...(caInner ? { optional: true } : {}) } },
        ]
      : [];
  const caFile = `${CA_CERT_PATH}/ca.crt`;
  const caEnvValue = caInner ? `\${${caInner} == "" ? "" : "${caFile}"}` : caVolume.length > 0 ? caFile : undefined;
  const caBuilderMount = caVolume.length > 0 ? [{ name: VOLUMES.caCert, mountPath: CA_CERT_PATH, readOnly: true }] : [];
  const caDindMounts =
    caVolume.length > 0
      ? (ca?.registryHosts ?? []).map((h) => ({
          name: VOLUMES.caCert,
          mountPath: `/etc/docker/certs.d/${h}/ca.crt`,
          subPath: 'ca.crt',
          readOnly: true,
        }))
      : [];

  // Git over SSH: the key and known_hosts from a Secret, files only (the builder copies the key to 0600).
  const sshSecret = builder.gitSshSecret;
  const sshInner =
    isTerraformExpression(sshSecret) && /^\$\{[^{}]*\}$/.test(sshSecret as string) ? (sshSecret as string).slice(2, -1) : undefined;
  const sshVolume = isUnset(sshSecret)
    ? []
    : [
        {
          name: VOLUMES.gitSsh,
          secret: {
            secretName: sshInner ? `\${${sshInner} == "" ? "${name}-no-git-ssh" : ${sshInner}}` : (sshSecret as string),
            items: [
              { key: 'ssh-privatekey', path: 'ssh-privatekey' },
              { key: 'known_hosts', path: 'known_hosts' },
            ],
            ...(sshInner ? { optional: true } : {}),
          },
        },
      ];
  const sshMount = sshVolume.length > 0 ? [{ name: VOLUMES.gitSsh, mountPath: GIT_SSH_PATH, readOnly: true }] : [];
  const sshEnv = (file: string) =>
    sshInner ? `\${${sshInner} == "" ? "" : "${GIT_SSH_PATH}/${file}"}` : sshVolume.length > 0 ? `${GIT_SSH_PATH}/${file}` : undefined;

  const us = options.userStorage;
  const usVolume = us && !isUnset(us.claimName) ? [{ name: VOLUMES.userStorage, persistentVolumeClaim: { claimName: us.claimName } }] : [];
  const usMount = usVolume.length > 0 ? [{ name: VOLUMES.userStorage, mountPath: USER_STORAGE_PATH }] : [];

  const env: IEnvVar[] = [
    ...plain('DEVCONTAINER_REPOSITORY', builder.repository),
    ...plain('DEVCONTAINER_BRANCH', builder.branch),
    ...plain(
      'DEVCONTAINER_WORKSPACE_FOLDER',
      isUnset(builder.workspaceFolder) ? defaultWorkspaceFolder(builder.repository) : builder.workspaceFolder,
    ),
    // The builder's `devcontainer-kit.workspace` container label.
    { name: 'DEVCONTAINER_WORKSPACE_NAME', value: coder.workspaceName },
    ...plain('DEVCONTAINER_CONFIG', builder.devcontainerConfig),
    ...plain('DEVCONTAINER_GIT_USERNAME', builder.gitUsername),
    secretEnv('DEVCONTAINER_GIT_TOKEN', SECRET_KEYS.gitToken, true),
    ...plain('DEVCONTAINER_CACHE_FROM', builder.cacheFrom),
    ...plain('DEVCONTAINER_CACHE_TO', builder.cacheTo),
    ...plain('DEVCONTAINER_FALLBACK_IMAGE', builder.fallbackImage),
    ...plain('DEVCONTAINER_EXTENSIONS', builder.extensions?.join(',')),
    ...plain('DEVCONTAINER_HOOK_FAILURE', builder.hookFailure),
    ...plain('DEVCONTAINER_STATUS_FILE', isUnset(builder.statusFile) ? DEFAULTS.statusFile : builder.statusFile),
    ...plain('DEVCONTAINER_DOCKER_CONFIG', registryEnv),
    ...plain('DEVCONTAINER_DOTFILES_REPOSITORY', builder.dotfilesRepository),
    ...plain('DEVCONTAINER_DOTFILES_INSTALL_COMMAND', builder.dotfilesInstallCommand),
    ...plain('DEVCONTAINER_DOTFILES_TARGET_PATH', builder.dotfilesTargetPath),
    ...plain('DEVCONTAINER_USER_STORAGE', usVolume.length > 0 ? USER_STORAGE_PATH : undefined),
    ...plain('DEVCONTAINER_USER_STORAGE_TARGET', usVolume.length > 0 ? us?.mountPath : undefined),
    ...plain('DEVCONTAINER_GIT_SSH_KEY_FILE', sshEnv('ssh-privatekey')),
    ...plain('DEVCONTAINER_GIT_SSH_KNOWN_HOSTS', sshEnv('known_hosts')),
    ...plain('DEVCONTAINER_CA_CERT', caEnvValue),
    // Node reads it at start: the builder's own HTTPS (Coder, the registry lookup) trusts the CA.
    ...plain('NODE_EXTRA_CA_CERTS', caEnvValue),
    ...plain('DEVCONTAINER_CA_CERT_IN_CONTAINER', caVolume.length > 0 && ca?.inContainer === false ? 'false' : undefined),
    { name: 'DOCKER_HOST', value: socket },
    { name: 'CODER_AGENT_URL', value: coder.agentUrl },
    secretEnv('CODER_AGENT_TOKEN', SECRET_KEYS.agentToken, false),
    ...plain('CODER_INIT_SCRIPT', coder.initScript),
    ...plain('DEVCONTAINER_AGENT_URL', coder.devcontainerAgentUrl),
    ...Object.entries(builder.env ?? {}).flatMap(([k, v]) => plain(k, v)),
  ];

  const builderContainer: IContainer = {
    name: 'builder',
    image: builder.image,
    ...(builder.imagePullPolicy ? { imagePullPolicy: builder.imagePullPolicy } : {}),
    command: ['devcontainer-builder', 'up'],
    env,
    resources: resources(builder.resources, DEFAULTS.builderResources),
    volumeMounts: [
      { name: VOLUMES.workspaces, mountPath: WORKSPACES_PATH },
      { name: VOLUMES.dockerSocket, mountPath: socketDir },
      ...registryMount,
      ...caBuilderMount,
      ...sshMount,
      ...usMount,
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };

  const dindContainer: IContainer = {
    name: 'dind',
    image: dind.image ?? DEFAULTS.dindImage,
    ...(dind.imagePullPolicy ? { imagePullPolicy: dind.imagePullPolicy } : {}),
    // The image contract (README "The dind image contract"): no `command`, so the image's entrypoint runs;
    // `args` start with `dockerd`, so a docker:dind entrypoint prepares the container and runs exactly this
    // command line, adding no listener or flag of its own.
    args: dindArgs({ socket, gid, storageDriver: dind.storageDriver ?? DEFAULTS.storageDriver, cgroupParent }),
    env: [{ name: 'DOCKER_TLS_CERTDIR', value: '' }],
    resources: resources(dind.resources, DEFAULTS.dindResources),
    volumeMounts: [
      { name: VOLUMES.dockerData, mountPath: DOCKER_DATA_PATH },
      { name: VOLUMES.workspaces, mountPath: WORKSPACES_PATH },
      { name: VOLUMES.dockerSocket, mountPath: socketDir },
      ...caDindMounts,
      ...usMount,
    ],
    readinessProbe: {
      exec: { command: ['docker', `--host=${socket}`, 'version'] },
      periodSeconds: 5,
      timeoutSeconds: 5,
      failureThreshold: 3,
    },
    lifecycle: { preStop: { exec: { command: ['sleep', String(DIND_PRESTOP_SECONDS)] } } },
    securityContext:
      isolation === 'sysbox'
        ? { runAsUser: 0, privileged: false, seccompProfile: { type: 'Unconfined' } }
        : { runAsUser: 0, privileged: true, seccompProfile: { type: 'Unconfined' } },
  };

  const scheduling = options.scheduling ?? {};
  manifests.deployment = new Deployment({
    metadata: { ...meta(name, 'workspace'), ...(options.annotations ? { annotations: { ...options.annotations } } : {}) },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { ...selector } },
      template: {
        metadata: { labels: labels('workspace'), ...(options.annotations ? { annotations: { ...options.annotations } } : {}) },
        spec: {
          serviceAccountName: name,
          automountServiceAccountToken: kubernetesAccess,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: grace,
          ...(runtimeClassName ? { runtimeClassName } : {}),
          securityContext: {
            fsGroup: gid,
            fsGroupChangePolicy: 'OnRootMismatch',
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(scheduling.nodeSelector ? { nodeSelector: { ...scheduling.nodeSelector } } : {}),
          ...(scheduling.tolerations?.length ? { tolerations: scheduling.tolerations.map((t) => ({ ...t })) } : {}),
          ...(scheduling.spreadWorkspaces
            ? {
                affinity: {
                  podAntiAffinity: {
                    preferredDuringSchedulingIgnoredDuringExecution: [
                      {
                        weight: 100,
                        podAffinityTerm: {
                          labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'coder-workspace' } },
                          topologyKey: 'kubernetes.io/hostname',
                        },
                      },
                    ],
                  },
                },
              }
            : {}),
          containers: [dindContainer, builderContainer],
          volumes: [
            { name: VOLUMES.workspaces, persistentVolumeClaim: { claimName: `${name}-workspaces` } },
            { name: VOLUMES.dockerData, persistentVolumeClaim: { claimName: `${name}-docker` } },
            { name: VOLUMES.dockerSocket, emptyDir: {} },
            ...registryVolume,
            ...caVolume,
            ...sshVolume,
            ...usVolume,
          ],
        },
      },
    },
  });
  return manifests as WorkspaceManifests;
}
