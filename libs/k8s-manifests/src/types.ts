/**
 * Options of `workspaceManifests`. Any string may be a Terraform expression (it contains `${`):
 * such values are passed through untouched and skipped by the quantity/name checks, so the same
 * options describe a concrete pod (YAML) or the Coder template (Terraform JSON).
 */
export interface WorkspaceManifestOptions {
  /** Base name of every object (DNS-1123 label, ≤ 47 chars so suffixes fit), e.g. `coder-alice-dev`. */
  name: string;
  /** Namespace of every object. */
  namespace: string;
  /** Identity of the Coder workspace: becomes the `com.coder.*` labels. */
  coder: CoderIdentityOptions;
  builder: BuilderOptions;
  dind?: DindOptions;
  storage?: StorageOptions;
  /** Where the tokens come from: a Secret `<name>-tokens` this package renders (`agentToken` required) or an existing one. */
  secret?: SecretOptions;
  serviceAccount?: ServiceAccountOptions;
  networkPolicy?: NetworkPolicyOptions;
  scheduling?: SchedulingOptions;
  /**
   * Per-user persistent storage: an existing PVC (e.g. `coder-user-<owner>`, ReadWriteMany when one owner's
   * workspaces run on several nodes) mounted in the builder and dind at `/var/lib/devcontainer-kit/user-storage`
   * and bind-mounted into the devcontainer at `mountPath` (default `/mnt/user-storage`). Not created or deleted
   * here: it outlives every workspace.
   */
  userStorage?: { claimName: string; mountPath?: string };
  /** A corporate CA bundle from a ConfigMap or Secret (see CaCertOptions). */
  caCert?: CaCertOptions;
  /** Seconds between SIGTERM and SIGKILL. Default 45; at least 30 (the builder needs ≤ 20 s, dockerd the rest). */
  terminationGracePeriodSeconds?: number;
  /** Extra labels on every object (merged under the Coder labels). */
  labels?: Record<string, string>;
  /** Extra annotations on the Deployment and its pod template (never tokens: checked). */
  annotations?: Record<string, string>;
}

/**
 * A PEM bundle of CA certificates (a corporate CA). The builder gets it at `/etc/devcontainer-kit/ca/ca.crt`
 * with DEVCONTAINER_CA_CERT and NODE_EXTRA_CA_CERTS naming it (git, the devcontainer CLI, its own HTTPS); dind at
 * `/etc/docker/certs.d/<host>/ca.crt` for each of `registryHosts`. A Terraform expression name that evaluates to
 * "" mounts an optional placeholder and leaves the variables out.
 */
export interface CaCertOptions {
  /** ConfigMap holding the bundle (one of configMapName / secretName). */
  configMapName?: string;
  secretName?: string;
  /** Key of the bundle in it. Default `ca.crt`. */
  key?: string;
  /** Registries (`host[:port]`) the dind daemon verifies with this CA. */
  registryHosts?: string[];
  /** DEVCONTAINER_CA_CERT_IN_CONTAINER: offer it to the devcontainer. Default true (the builder's default). */
  inContainer?: boolean;
}

export interface CoderIdentityOptions {
  workspaceId: string;
  workspaceName: string;
  ownerId: string;
  ownerName: string;
  /** CODER_AGENT_URL: the Coder access URL the agent connects to. */
  agentUrl: string;
  /** DEVCONTAINER_AGENT_URL: the URL as seen from inside the devcontainer, when it differs. */
  devcontainerAgentUrl?: string;
  /** CODER_INIT_SCRIPT: `coder_agent.init_script` (holds no secret; the token travels separately). */
  initScript?: string;
}

export interface ResourceOptions {
  requests?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string };
  limits?: { cpu?: string; memory?: string; 'ephemeral-storage'?: string };
}

export interface BuilderOptions {
  /** The devcontainer-builder image. */
  image: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** DEVCONTAINER_REPOSITORY: the git URL to clone. */
  repository: string;
  /** DEVCONTAINER_BRANCH. */
  branch?: string;
  /** DEVCONTAINER_WORKSPACE_FOLDER. Default `/workspaces/<repository basename without .git>`. */
  workspaceFolder?: string;
  /** DEVCONTAINER_CONFIG: path of devcontainer.json inside the repository. */
  devcontainerConfig?: string;
  /** DEVCONTAINER_GIT_USERNAME (the token itself goes through the Secret). */
  gitUsername?: string;
  /** DEVCONTAINER_CACHE_FROM / DEVCONTAINER_CACHE_TO: image references. */
  cacheFrom?: string;
  cacheTo?: string;
  /** DEVCONTAINER_FALLBACK_IMAGE: started when the build fails. */
  fallbackImage?: string;
  /** DEVCONTAINER_EXTENSIONS (joined with commas). */
  extensions?: string[];
  /** DEVCONTAINER_HOOK_FAILURE. */
  hookFailure?: 'fail' | 'continue';
  /** DEVCONTAINER_STATUS_FILE. Default `/workspaces/.devcontainer-builder/status.json`. */
  statusFile?: string;
  /**
   * Registry credentials: name of a Secret holding a docker config.json (e.g. a `kubernetes.io/dockerconfigjson`
   * Secret), mounted read-only at `/etc/devcontainer-kit/registry/config.json`; DEVCONTAINER_DOCKER_CONFIG names
   * that file. A Terraform expression that evaluates to "" mounts nothing and leaves the variable out.
   */
  registryCredentialsSecret?: string;
  /** The key of that Secret holding the config. Default `.dockerconfigjson`. */
  registryCredentialsKey?: string;
  /**
   * Git over SSH: name of a Secret (e.g. `kubernetes.io/ssh-auth`) with the private key under `ssh-privatekey`
   * and the server's host key under `known_hosts`, mounted read-only at `/etc/devcontainer-kit/git-ssh/`;
   * DEVCONTAINER_GIT_SSH_KEY_FILE and DEVCONTAINER_GIT_SSH_KNOWN_HOSTS name the files. An expression that evaluates
   * to "" mounts nothing and leaves the variables out.
   */
  gitSshSecret?: string;
  /** DEVCONTAINER_DOTFILES_REPOSITORY / _INSTALL_COMMAND / _TARGET_PATH (the devcontainer CLI's dotfiles flags). */
  dotfilesRepository?: string;
  dotfilesInstallCommand?: string;
  dotfilesTargetPath?: string;
  /** Extra plain env vars (names must not look like tokens: checked). */
  env?: Record<string, string>;
  /** UID/GID the builder runs as. Default 1000/1000 (also the Docker socket's group). */
  runAsUser?: number;
  runAsGroup?: number;
  /** Default requests cpu 250m / memory 512Mi, limits cpu 2 / memory 4Gi. */
  resources?: ResourceOptions;
}

/**
 * `privileged`: a privileged `dind` container (the default; works on any cluster, is root on the node).
 * `sysbox`: the pod runs under a sysbox RuntimeClass; `dind` is an unprivileged container inside a user namespace.
 */
export type DindIsolation = 'privileged' | 'sysbox';

export interface DindOptions {
  /** Default `docker:28-dind`. */
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** dockerd `--storage-driver`. Default `overlay2` (needs /var/lib/docker on a real volume, which this package gives it). */
  storageDriver?: 'overlay2' | 'fuse-overlayfs' | 'vfs';
  isolation?: DindIsolation;
  /** Pod runtimeClassName. Default `sysbox-runc` with isolation `sysbox`, none otherwise. */
  runtimeClassName?: string;
  /** Directory shared by both containers holding the Docker socket. Default `/var/run/dind`. */
  socketDir?: string;
  /** Default requests cpu 250m / memory 512Mi, limits cpu 4 / memory 8Gi. */
  resources?: ResourceOptions;
  /**
   * dockerd `--cgroup-parent`: the cgroup the inner daemon's containers are created under (cgroupfs driver,
   * the `docker:dind` default). Default `/devcontainer-kit/<name>`; an empty string leaves dockerd's own
   * default (`/docker`, which on cgroup v1 nodes is the node's own Docker tree).
   */
  cgroupParent?: string;
}

export type AccessMode = 'ReadWriteOnce' | 'ReadWriteOncePod' | 'ReadWriteMany';

export interface VolumeOptions {
  /** Quantity, e.g. `10Gi`. Defaults: workspaces 10Gi, docker 30Gi. */
  size?: string;
  /** Omitted: the cluster's default StorageClass. */
  storageClassName?: string;
  /** Default ReadWriteOnce. */
  accessMode?: AccessMode;
}

export interface StorageOptions {
  workspaces?: VolumeOptions;
  docker?: VolumeOptions;
}

export type SecretOptions =
  | {
      /** Rendered into the Secret's stringData (Terraform: `data`); never into env values. */
      agentToken?: string;
      gitToken?: string;
      /**
       * Render the Secret even with an empty agent token (you fill `agent-token` yourself later). Without it an
       * empty token is refused: the builder would exit (CODER_AGENT_TOKEN is required) and the pod crash-loop.
       */
      allowEmptyAgentToken?: boolean;
    }
  | {
      /** Use a Secret created elsewhere (Sealed Secrets, External Secrets…) with keys `agent-token` and `git-token`. */
      existingSecretName: string;
    };

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export interface ServiceAccountOptions {
  /** Give the workspace a namespace-scoped Role (for kubectl in the workspace). Default false. */
  kubernetesAccess?: boolean;
  /** The Role's rules. Default: read pods, pod logs, services, deployments, configmaps, events in the namespace. */
  rules?: PolicyRule[];
}

/** An egress destination: CIDRs (`ipBlock`) and/or selectors, plus ports (all ports when omitted). */
export interface EgressPeer {
  cidrs?: string[];
  except?: string[];
  namespaceSelector?: Record<string, string>;
  podSelector?: Record<string, string>;
  ports?: { port: number; protocol?: 'TCP' | 'UDP' }[];
}

export interface NetworkPolicyOptions {
  /** Default false: no NetworkPolicy. */
  enabled?: boolean;
  /** Where DNS lives. Default: pods `k8s-app=kube-dns` in namespace `kube-system`, port 53 TCP+UDP. */
  dns?: EgressPeer;
  /** The Coder deployment (access URL and DERP). */
  coder?: EgressPeer[];
  /** Git hosts (clone, push). */
  git?: EgressPeer[];
  /** Container registries (image pulls, cache). */
  registries?: EgressPeer[];
  /** Anything else the workspace may reach. */
  extra?: EgressPeer[];
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
}

export interface SchedulingOptions {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  /** Prefer nodes without another workspace pod (soft anti-affinity on `app.kubernetes.io/name`). Default false. */
  spreadWorkspaces?: boolean;
}

/** Terraform-only knobs of `toTerraformJson`. */
export interface TerraformRenderOptions {
  /** `count` of the resources that exist only while the workspace runs (Deployment, Secret), e.g. `${data.coder_workspace.me.start_count}`. */
  runningCount?: string;
  /** Provider reference, e.g. `kubernetes.west` (default provider when unset). */
  provider?: string;
  /**
   * Read the namespace (`data.kubernetes_namespace_v1.workspace`, counted by `runningCount`) and fail the plan
   * when its `pod-security.kubernetes.io/enforce` label refuses the workspace pod, or when it does not exist.
   */
  podSecurityCheck?: boolean;
}

/** A problem with options or a values file; all of them are reported at once. */
export interface OptionsProblem {
  /** Dotted path of the option, e.g. `storage.docker.size`. */
  path: string;
  code:
    | 'required'
    | 'invalid-name'
    | 'invalid-quantity'
    | 'invalid-value'
    | 'invalid-url'
    | 'invalid-label'
    | 'token-in-plain-text'
    | 'unknown-option';
  message: string;
}
