import { listManifests, type WorkspaceManifests, type WorkspaceObject } from './workspace-manifests.js';

/** One schema violation of one object. */
export interface SchemaProblem {
  kind: string;
  name: string;
  /** JSON pointer inside the object, e.g. `/spec/template/spec/containers/0/image`. */
  instancePath: string;
  message: string;
}

/**
 * Check every object against the OpenAPI schema of its apiVersion (kubernetes-models' compiled
 * schemas, Kubernetes 1.27). Returns all problems. Objects holding Terraform expressions in
 * quantity fields (e.g. `${var.size}Gi`) do not pass: validate concrete renders.
 */
export function validateManifests(objects: WorkspaceManifests | readonly WorkspaceObject[]): SchemaProblem[] {
  const list = Array.isArray(objects) ? objects : listManifests(objects as WorkspaceManifests).map((e) => e.object);
  const problems: SchemaProblem[] = [];
  for (const object of list as WorkspaceObject[]) {
    try {
      object.validate();
    } catch (error) {
      const errors = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
      const base = { kind: object.kind, name: String(object.metadata?.name ?? '') };
      if (errors?.length)
        for (const e of errors) problems.push({ ...base, instancePath: e.instancePath ?? '', message: e.message ?? 'invalid' });
      else problems.push({ ...base, instancePath: '', message: (error as Error).message });
    }
  }
  return problems;
}
