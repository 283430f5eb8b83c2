// caCert: a corporate CA bundle from a ConfigMap or Secret, for the builder and for dind's registry TLS.
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/options.js';
import { toTerraformJson } from '../src/terraform-json.js';
import type { WorkspaceManifestOptions } from '../src/types.js';
import { validateManifests } from '../src/validate.js';
import { CA_CERT_PATH, workspaceManifests } from '../src/workspace-manifests.js';
import { fixtureOptions } from './support/fixtures.js';

const base = fixtureOptions('minimal');
const withCa = (caCert: WorkspaceManifestOptions['caCert']): WorkspaceManifestOptions => ({ ...base, caCert });
const container = (m: ReturnType<typeof workspaceManifests>, name: string) =>
  m.deployment.spec?.template.spec?.containers.find((c) => c.name === name);

describe('caCert', () => {
  it('a ConfigMap: the builder gets the file, DEVCONTAINER_CA_CERT and NODE_EXTRA_CA_CERTS; dind certs.d per registry host', () => {
    const m = workspaceManifests(withCa({ configMapName: 'corp-ca', key: 'bundle.pem', registryHosts: ['registry.corp.example:5000'] }));
    expect(m.deployment.spec?.template.spec?.volumes).toContainEqual({
      name: 'ca-cert',
      configMap: { name: 'corp-ca', items: [{ key: 'bundle.pem', path: 'ca.crt' }] },
    });
    const builder = container(m, 'builder');
    expect(builder?.volumeMounts).toContainEqual({ name: 'ca-cert', mountPath: CA_CERT_PATH, readOnly: true });
    expect(builder?.env).toEqual(
      expect.arrayContaining([
        { name: 'DEVCONTAINER_CA_CERT', value: `${CA_CERT_PATH}/ca.crt` },
        { name: 'NODE_EXTRA_CA_CERTS', value: `${CA_CERT_PATH}/ca.crt` },
      ]),
    );
    expect(builder?.env?.map((e) => e.name)).not.toContain('DEVCONTAINER_CA_CERT_IN_CONTAINER');
    expect(container(m, 'dind')?.volumeMounts).toContainEqual({
      name: 'ca-cert',
      mountPath: '/etc/docker/certs.d/registry.corp.example:5000/ca.crt',
      subPath: 'ca.crt',
      readOnly: true,
    });
    expect(validateManifests(m)).toEqual([]);
  });

  it('a Secret, opted out of the devcontainer', () => {
    const m = workspaceManifests(withCa({ secretName: 'corp-ca', inContainer: false }));
    expect(m.deployment.spec?.template.spec?.volumes?.at(-1)).toEqual({
      name: 'ca-cert',
      secret: { secretName: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] },
    });
    expect(container(m, 'builder')?.env).toContainEqual({ name: 'DEVCONTAINER_CA_CERT_IN_CONTAINER', value: 'false' });
  });

  it('a Terraform expression: optional placeholder volume, variables left out when it evaluates to ""', () => {
    const tf = JSON.parse(toTerraformJson(workspaceManifests(withCa({ configMapName: '${var.ca_cert_configmap}' }))));
    const spec = tf.resource.kubernetes_deployment_v1.workspace.spec[0].template[0].spec[0];
    expect(spec.volume.find((v: { name: string }) => v.name === 'ca-cert').config_map[0]).toMatchObject({
      name: `\${var.ca_cert_configmap == "" ? "${base.name}-no-ca-cert" : var.ca_cert_configmap}`,
      optional: true,
    });
    const names = spec.container[1].dynamic.env.map((b: { content: { name: string } }) => b.content.name);
    expect(names).toEqual(expect.arrayContaining(['DEVCONTAINER_CA_CERT', 'NODE_EXTRA_CA_CERTS']));
  });

  it('refuses both sources, none, bad names and hosts', () => {
    const paths = (caCert: WorkspaceManifestOptions['caCert']) => validateOptions(withCa(caCert)).map((p) => p.path);
    expect(paths({ configMapName: 'a', secretName: 'b' })).toEqual(['caCert']);
    expect(paths({})).toEqual(['caCert']);
    expect(paths({ configMapName: 'Bad_Name', registryHosts: ['https://x'] })).toEqual(['caCert.configMapName', 'caCert.registryHosts[0]']);
  });
});
