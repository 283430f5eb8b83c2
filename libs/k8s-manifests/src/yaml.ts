import { stringify } from 'yaml';
import { listManifests, type WorkspaceManifests, type WorkspaceObject } from './workspace-manifests.js';

/** Kubernetes objects as one multi-document YAML stream (`kubectl apply -f -`, GitOps), in apply order. */
export function toYaml(objects: WorkspaceManifests | readonly WorkspaceObject[]): string {
  const list = Array.isArray(objects) ? objects : listManifests(objects as WorkspaceManifests).map((e) => e.object);
  return list
    .map((o) => stringify(o.toJSON(), { lineWidth: 0, aliasDuplicateObjects: false }))
    .map((doc) => `---\n${doc}`)
    .join('');
}
