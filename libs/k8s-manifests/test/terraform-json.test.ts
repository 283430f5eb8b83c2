// biome-ignore-all lint/suspicious/noExplicitAny: parsed Terraform JSON is untyped; the assertions check its shape.
// Real parts: the yaml package parsing our YAML, JSON.parse of our Terraform JSON. Pure logic, no I/O.
// The Terraform side is also checked by the real providers in apps/coder-devcontainer-kubernetes.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fromTerraformJson, toTerraformJson } from '../src/terraform-json.js';
import { workspaceManifests } from '../src/workspace-manifests.js';
import { toYaml } from '../src/yaml.js';
import { variants } from './support/fixtures.js';

type Obj = { kind: string; metadata?: { name?: string } };
const byId = (objects: Obj[]) => Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata?.name}`, o]));

describe('toYaml and toTerraformJson describe the same objects', () => {
  for (const [name, options] of Object.entries(variants())) {
    it(`${name}: parsing the Terraform JSON back gives the YAML's objects`, () => {
      const manifests = workspaceManifests(options);
      const fromYaml = parseAllDocuments(toYaml(manifests)).map((d) => d.toJS() as Obj);
      const fromTerraform = fromTerraformJson(toTerraformJson(manifests)) as Obj[];
      expect(Object.keys(byId(fromTerraform)).sort()).toEqual(Object.keys(byId(fromYaml)).sort());
      expect(byId(fromTerraform)).toEqual(byId(fromYaml));
    });
  }
});

describe('toTerraformJson', () => {
  const manifests = workspaceManifests(variants().full);
  const doc = JSON.parse(toTerraformJson(manifests, { runningCount: '$' + '{data.coder_workspace.me.start_count}' }));

  it('emits kubernetes_*_v1 resources only', () => {
    expect(Object.keys(doc.resource).sort()).toEqual([
      'kubernetes_deployment_v1',
      'kubernetes_network_policy_v1',
      'kubernetes_persistent_volume_claim_v1',
      'kubernetes_role_binding_v1',
      'kubernetes_role_v1',
      'kubernetes_secret_v1',
      'kubernetes_service_account_v1',
    ]);
  });

  it('counts the Deployment and Secret by the running expression, keeps the volumes', () => {
    const count = '$' + '{data.coder_workspace.me.start_count}';
    expect(doc.resource.kubernetes_deployment_v1.workspace.count).toBe(count);
    expect(doc.resource.kubernetes_secret_v1.tokens.count).toBe(count);
    expect(doc.resource.kubernetes_persistent_volume_claim_v1.workspaces.count).toBeUndefined();
    expect(doc.resource.kubernetes_persistent_volume_claim_v1.workspaces.wait_until_bound).toBe(false);
  });

  it('makes the Deployment depend on everything else and not wait for the rollout', () => {
    const d = doc.resource.kubernetes_deployment_v1.workspace;
    expect(d.wait_for_rollout).toBe(false);
    expect(d.depends_on).toEqual([
      'kubernetes_service_account_v1.workspace',
      'kubernetes_role_v1.workspace',
      'kubernetes_role_binding_v1.workspace',
      'kubernetes_secret_v1.tokens',
      'kubernetes_persistent_volume_claim_v1.workspaces',
      'kubernetes_persistent_volume_claim_v1.docker',
      'kubernetes_network_policy_v1.workspace',
    ]);
  });

  it('uses the provider block names (container, volume_mount, port vs ports, secret data)', () => {
    const pod = doc.resource.kubernetes_deployment_v1.workspace.spec[0].template[0].spec[0];
    expect(pod.container.map((c: { name: string }) => c.name)).toEqual(['dind', 'builder']);
    expect(pod.container[1].volume_mount).toEqual([
      { name: 'workspaces', mount_path: '/workspaces' },
      { name: 'docker-socket', mount_path: '/var/run/dind' },
    ]);
    expect(pod.container[1].env.find((e: { name: string }) => e.name === 'CODER_AGENT_TOKEN')).toEqual({
      name: 'CODER_AGENT_TOKEN',
      value_from: [{ secret_key_ref: [{ name: 'coder-bob-api-tokens', key: 'agent-token', optional: false }] }],
    });
    expect(doc.resource.kubernetes_network_policy_v1.workspace.spec[0].egress[1].ports).toEqual([{ port: 443, protocol: 'TCP' }]);
    expect(doc.resource.kubernetes_secret_v1.tokens.data).toEqual({
      'agent-token': 'sentinel-agent-token-5f0c',
      'git-token': 'sentinel-git-token-77ab',
    });
    expect(pod.container[1].resources[0].limits).toEqual({ cpu: '4', memory: '8Gi' });
  });

  it('keeps Terraform expressions verbatim', () => {
    const base = variants().minimal;
    const expr = (s: string) => '$' + `{${s}}`;
    const m = workspaceManifests({
      ...base,
      name: expr('local.name'),
      storage: { workspaces: { size: `${expr('data.coder_parameter.size.value')}Gi`, storageClassName: expr('local.storage_class') } },
    });
    const tf = JSON.parse(toTerraformJson(m));
    const pvc = tf.resource.kubernetes_persistent_volume_claim_v1.workspaces;
    expect(pvc.metadata[0].name).toBe(`${expr('local.name')}-workspaces`);
    expect(pvc.spec[0].resources[0].requests.storage).toBe(`${expr('data.coder_parameter.size.value')}Gi`);
    expect(pvc.spec[0].storage_class_name).toBe(expr('local.storage_class'));
  });

  it('fromTerraformJson rejects what it cannot read', () => {
    expect(() => fromTerraformJson('nope')).toThrow(expect.objectContaining({ code: 'INVALID_TERRAFORM_JSON' }));
    expect(() => fromTerraformJson('{"resource":{"aws_instance":{"x":{}}}}')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_OBJECT' }),
    );
  });
});

describe('toTerraformJson: empty means unset', () => {
  const expr = (s: string) => '$' + `{${s}}`;
  const base = variants().minimal;
  const m = workspaceManifests({
    ...base,
    builder: {
      ...base.builder,
      branch: expr('var.branch'),
      devcontainerConfig: `configs/${expr('var.flavour')}/devcontainer.json`,
      cacheFrom: expr('var.cache_repo'),
      env: { EXTRA: expr('var.extra') },
    },
    coder: { ...base.coder, agentUrl: expr('var.url') },
  });
  const container = (tf: any) => tf.resource.kubernetes_deployment_v1.workspace.spec[0].template[0].spec[0].container[1];

  it('renders optional env vars with expression values as dynamic blocks over compact([value]); required ones stay plain', () => {
    const builder = container(JSON.parse(toTerraformJson(m)));
    const plainNames = builder.env.map((e: { name: string }) => e.name);
    expect(plainNames).toContain('CODER_AGENT_URL');
    expect(plainNames).not.toContain('DEVCONTAINER_BRANCH');
    expect(builder.dynamic.env).toEqual([
      { for_each: expr(`compact(["${expr('var.branch')}"])`), content: { name: 'DEVCONTAINER_BRANCH', value: expr('env.value') } },
      {
        for_each: expr(`compact(["configs/${expr('var.flavour')}/devcontainer.json"])`),
        content: { name: 'DEVCONTAINER_CONFIG', value: expr('env.value') },
      },
      { for_each: expr(`compact(["${expr('var.cache_repo')}"])`), content: { name: 'DEVCONTAINER_CACHE_FROM', value: expr('env.value') } },
      { for_each: expr(`compact(["${expr('var.extra')}"])`), content: { name: 'EXTRA', value: expr('env.value') } },
    ]);
  });

  it('fromTerraformJson reads the dynamic blocks back as env entries holding the expression', () => {
    const deployment = fromTerraformJson(toTerraformJson(m)).find((o) => o.kind === 'Deployment') as any;
    const env = deployment.spec.template.spec.containers[1].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'DEVCONTAINER_CONFIG')?.value).toBe(`configs/${expr('var.flavour')}/devcontainer.json`);
    expect(env.map((e) => e.name).sort()).toEqual((m.deployment.spec?.template.spec?.containers[1]?.env ?? []).map((e) => e.name).sort());
  });

  it('a literal value with quotes or backslashes survives the HCL string literal', () => {
    const tricky = `a"b\\c ${expr('var.x')}`;
    const mm = workspaceManifests({ ...base, builder: { ...base.builder, env: { TRICKY: tricky } } });
    const deployment = fromTerraformJson(toTerraformJson(mm)).find((o) => o.kind === 'Deployment') as any;
    expect(deployment.spec.template.spec.containers[1].env.find((e: { name: string }) => e.name === 'TRICKY').value).toBe(tricky);
  });
});

describe('toTerraformJson: the Pod Security check', () => {
  const count = '$' + '{data.coder_workspace.me.start_count}';
  const tf = JSON.parse(toTerraformJson(workspaceManifests(variants().minimal), { runningCount: count, podSecurityCheck: true }));
  const ds = tf.data.kubernetes_namespace_v1.workspace;

  it('reads the namespace only while the workspace runs, and checks it exists and admits the pod', () => {
    expect(ds.count).toBe(count);
    expect(ds.metadata).toEqual([{ name: 'coder-workspaces' }]);
    const [exists, level] = ds.lifecycle[0].postcondition;
    expect(exists.error_message).toContain('does not exist');
    expect(level.condition).toBe(
      '$' + '{contains(["privileged"], try(self.metadata[0].labels["pod-security.kubernetes.io/enforce"], "privileged"))}',
    );
    expect(level.error_message).toContain('enforces Pod Security level');
    expect(level.error_message).toContain('container \\"dind\\" is privileged');
  });

  it('is absent unless asked for, and fromTerraformJson ignores it', () => {
    expect(JSON.parse(toTerraformJson(workspaceManifests(variants().minimal))).data).toBeUndefined();
    expect(fromTerraformJson(JSON.stringify(tf)).map((o) => o.kind)).not.toContain('Namespace');
  });
});
