// Real parts: kubernetes-models' compiled OpenAPI schemas (Kubernetes 1.27) through each model's validate().

import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { PersistentVolumeClaim, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateManifests } from '../src/validate.js';
import { listManifests, workspaceManifests } from '../src/workspace-manifests.js';
import { toYaml } from '../src/yaml.js';
import { variants } from './support/fixtures.js';

const MODELS = { Deployment, NetworkPolicy, Role, RoleBinding, PersistentVolumeClaim, Secret, ServiceAccount } as const;

describe('validateManifests (schema of each apiVersion)', () => {
  for (const [name, options] of Object.entries(variants())) {
    it(`${name}: every object validates`, () => {
      const manifests = workspaceManifests(options);
      expect(listManifests(manifests).length).toBeGreaterThanOrEqual(4);
      expect(validateManifests(manifests)).toEqual([]);
    });

    it(`${name}: every YAML document, read back into a fresh model of its kind, validates`, () => {
      const docs = parseAllDocuments(toYaml(workspaceManifests(options))).map((d) => d.toJS());
      for (const doc of docs) {
        const Model = MODELS[doc.kind as keyof typeof MODELS];
        expect(Model, `model for ${doc.kind}`).toBeDefined();
        expect(Model.apiVersion).toBe(doc.apiVersion);
        expect(() => new Model(doc).validate()).not.toThrow();
      }
    });
  }

  it('is not a no-op: a bad quantity, a missing field and a wrong type are each reported', () => {
    const manifests = workspaceManifests(variants().minimal);
    const bad = new Deployment(manifests.deployment.toJSON());
    const builder = bad.spec?.template.spec?.containers[1];
    if (!builder?.resources?.limits) throw new Error('fixture changed');
    builder.resources.limits.memory = 'lots';
    (bad.spec as { selector?: unknown }).selector = undefined;
    (bad.spec as { replicas: unknown }).replicas = 'one';
    const problems = validateManifests([bad]);
    expect(problems.map((p) => p.instancePath)).toEqual(
      expect.arrayContaining(['/spec/replicas', '/spec/template/spec/containers/1/resources/limits/memory']),
    );
    expect(problems.some((p) => p.message.includes('selector'))).toBe(true);
    expect(problems.every((p) => p.kind === 'Deployment' && p.name === 'coder-alice-dev')).toBe(true);
  });
});
