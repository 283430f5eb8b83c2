/** How a feature is referenced in `features`. */
export type FeatureReference =
  | { kind: 'oci'; id: string; registry: string; namespace: string; name: string; resource: string; tag?: string; digest?: string }
  | { kind: 'local'; id: string; path: string; name: string; resource: string }
  | { kind: 'tarball'; id: string; url: string; name: string; resource: string }
  | { kind: 'github'; id: string; owner: string; repo: string; name: string; resource: string; version?: string }
  | { kind: 'legacy'; id: string; name: string; resource: string; replacement: string };

export type FeatureReferenceResult = { ok: true; ref: FeatureReference; deprecated?: string } | { ok: false; message: string };

const OCI_RE =
  /^((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d+)?)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*)([a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;
const GITHUB_RE = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)(?:@([A-Za-z0-9_.-]+))?$/;

const FEATURES_NAMESPACE = 'ghcr.io/devcontainers/features';

/**
 * The devcontainer CLI's own table of short ids it still maps (@devcontainers/cli 0.89.0, "feature auto-mapping"):
 * these install `ghcr.io/devcontainers/features/<replacement>:1` with a deprecation warning. Every other bare id
 * fails with "Legacy feature '<id>' not supported".
 */
export const LEGACY_FEATURE_IDS: Readonly<Record<string, { replacement: string; options?: Record<string, boolean> }>> = {
  'aws-cli': { replacement: 'aws-cli' },
  'azure-cli': { replacement: 'azure-cli' },
  common: { replacement: 'common-utils' },
  'desktop-lite': { replacement: 'desktop-lite' },
  'docker-from-docker': { replacement: 'docker-from-docker' },
  'docker-in-docker': { replacement: 'docker-in-docker' },
  dotnet: { replacement: 'dotnet' },
  git: { replacement: 'git' },
  'git-lfs': { replacement: 'git-lfs' },
  'github-cli': { replacement: 'github-cli' },
  golang: { replacement: 'go' },
  gradle: { replacement: 'java', options: { installGradle: true } },
  java: { replacement: 'java' },
  jupyterlab: { replacement: 'python', options: { installJupyterlab: true } },
  'kubectl-helm-minikube': { replacement: 'kubectl-helm-minikube' },
  maven: { replacement: 'java', options: { installMaven: true } },
  node: { replacement: 'node' },
  powershell: { replacement: 'powershell' },
  python: { replacement: 'python' },
  ruby: { replacement: 'ruby' },
  rust: { replacement: 'rust' },
  sshd: { replacement: 'sshd' },
  terraform: { replacement: 'terraform' },
};

/** Classify and split a feature id as written in devcontainer.json (what the devcontainer CLI 0.89.0 accepts). */
export function parseFeatureReference(id: string): FeatureReferenceResult {
  if (id.startsWith('./') || id.startsWith('../')) {
    const path = id.replace(/\/+$/, '');
    const name = path.split('/').pop() ?? path;
    return { ok: true, ref: { kind: 'local', id, path, name, resource: path } };
  }
  if (id.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(id)) {
    return { ok: false, message: `feature "${id}": absolute paths are not supported; put the feature in .devcontainer/ and use "./name"` };
  }
  if (/^https?:\/\//.test(id)) {
    if (id.startsWith('http://')) return { ok: false, message: `feature "${id}": tarball URLs must use https` };
    const file = id.split(/[?#]/)[0]?.split('/').pop() ?? '';
    const m = /^devcontainer-feature-(.+?)\.(?:tgz|tar\.gz)$/.exec(file);
    const name = m?.[1] ?? file.replace(/\.(?:tgz|tar\.gz)$/, '');
    return { ok: true, ref: { kind: 'tarball', id, url: id, name, resource: id } };
  }
  if (!id.includes('/') && !id.includes('\\')) {
    const legacy = Object.hasOwn(LEGACY_FEATURE_IDS, id) ? LEGACY_FEATURE_IDS[id] : undefined;
    if (legacy === undefined) {
      return {
        ok: false,
        message: `legacy feature "${id}" is not supported (the devcontainer CLI refuses it): use an OCI reference (see https://containers.dev/features), or "./${id}" for a feature in .devcontainer/`,
      };
    }
    const replacement = `${FEATURES_NAMESPACE}/${legacy.replacement}:1`;
    const withOptions = legacy.options
      ? ` with ${Object.entries(legacy.options)
          .map(([k, v]) => `"${k}": ${v}`)
          .join(', ')}`
      : '';
    return {
      ok: true,
      ref: { kind: 'legacy', id, name: id, resource: id, replacement },
      deprecated: `feature "${id}" is a deprecated short id; the devcontainer CLI installs "${replacement}"${withOptions} instead: write that`,
    };
  }
  // OCI ids are case-insensitive; the devcontainer CLI lowercases them before use.
  const m = OCI_RE.exec(id.toLowerCase());
  if (m && (m[1]?.includes('.') || m[1]?.includes(':') || m[1] === 'localhost')) {
    const [, registry = '', nsPath = '', name = '', , digest] = m;
    // A tag keeps its case (the CLI lowercases the whole id, but tags of published features are lowercase anyway).
    const tag = m[4] === undefined ? undefined : id.slice(id.length - m[4].length);
    const namespace = `${registry}/${nsPath}`.replace(/\/$/, '');
    const ref: FeatureReference = { kind: 'oci', id, registry, namespace, name, resource: `${namespace}/${name}` };
    if (tag !== undefined) ref.tag = tag;
    if (digest !== undefined) ref.digest = digest;
    return { ok: true, ref };
  }
  const gh = GITHUB_RE.exec(id);
  if (gh && !gh[1]?.includes('.')) {
    const [, owner = '', repo = '', name = '', version] = gh;
    const ref: FeatureReference = { kind: 'github', id, owner, repo, name, resource: `${owner}/${repo}/${name}` };
    if (version !== undefined) ref.version = version;
    return {
      ok: true,
      ref,
      deprecated: `feature "${id}" is a GitHub release reference (owner/repo/feature[@version]): deprecated; the devcontainer CLI downloads it from github.com/${owner}/${repo}/releases — publish the feature to an OCI registry`,
    };
  }
  return {
    ok: false,
    message: `feature "${id}" is not a valid reference: use an OCI reference ("registry/namespace/name[:tag|@sha256:digest]"), a local path ("./name") or an https tarball URL`,
  };
}

/** The key features are ordered by (resource without version), lowercase for OCI. */
export function featureResource(id: string): string {
  const r = parseFeatureReference(id);
  return r.ok ? r.ref.resource : id;
}
