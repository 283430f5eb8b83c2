/** How a feature is referenced in `features`. */
export type FeatureReference =
  | { kind: 'oci'; id: string; registry: string; namespace: string; name: string; resource: string; tag?: string; digest?: string }
  | { kind: 'local'; id: string; path: string; name: string; resource: string }
  | { kind: 'tarball'; id: string; url: string; name: string; resource: string }
  | { kind: 'legacy'; id: string; name: string; resource: string };

export type FeatureReferenceResult = { ok: true; ref: FeatureReference; deprecated?: string } | { ok: false; message: string };

const OCI_RE =
  /^((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d+)?)\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*)([a-z0-9]+(?:[._-][a-z0-9]+)*)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(sha256:[a-f0-9]{64}))?$/;
const LEGACY_RE = /^[a-zA-Z0-9_-]+$/;

/** Classify and split a feature id as written in devcontainer.json. */
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
  const m = OCI_RE.exec(id);
  if (m && (m[1]?.includes('.') || m[1]?.includes(':') || m[1] === 'localhost')) {
    const [, registry = '', nsPath = '', name = '', tag, digest] = m;
    const namespace = `${registry}/${nsPath}`.replace(/\/$/, '');
    const ref: FeatureReference = { kind: 'oci', id, registry, namespace, name, resource: `${namespace}/${name}` };
    if (tag !== undefined) ref.tag = tag;
    if (digest !== undefined) ref.digest = digest;
    return { ok: true, ref };
  }
  if (LEGACY_RE.test(id)) {
    return {
      ok: true,
      ref: { kind: 'legacy', id, name: id, resource: id },
      deprecated: `feature "${id}" uses the legacy short form; use an OCI reference such as "ghcr.io/devcontainers/features/${id.toLowerCase()}:1"`,
    };
  }
  if (/[A-Z]/.test(id) && OCI_RE.test(id.toLowerCase())) {
    return { ok: false, message: `feature "${id}": OCI references must be lowercase` };
  }
  if (/^[^/]+\/[^/]+\/[^/@]+@/.test(id)) {
    return {
      ok: false,
      message: `feature "${id}": GitHub release references (owner/repo/feature@version) are no longer supported; publish it to an OCI registry`,
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
