// biome-ignore-all lint/suspicious/noExplicitAny: terraform's plan JSON is untyped; the assertions check its shape.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} strings here are Terraform expressions, not JS templates.
// Real parts: terraform 1.11 with the real providers coder/coder 2.20.0 and hashicorp/kubernetes 3.2.1
// (built by tests/testbed/terraform-providers.sh into a filesystem mirror), @cdktf/hcl2json, the
// k8s-manifests renderer. No Kubernetes cluster and no Coder deployment: the kubernetes provider dials the
// API server only to read or change objects; the one read a plan makes (the namespace, for the Pod Security
// check, on start) is answered by a loopback HTTP server (test/support/terraform.ts) that serves Namespace
// objects as the API server does (GET /api/v1/namespaces/NAME, 404 Status otherwise). The real API server
// is in tests/e2e/kubernetes.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { fromTerraformJson, parseValuesFile, renderValues, validateManifests, workspaceManifests } from '@devcontainer-kit/k8s-manifests';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKubernetesTfJson, TEMPLATE_FILES, templateDir } from '../src/template.js';
import { type Namespaces, PLAN_TIMEOUT_MS, parameterEnv, startTerraformHarness, type TerraformHarness } from './support/terraform.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Resource = { address: string; type: string; name: string; values: Record<string, Json> };

let work: string;
let tf: TerraformHarness;
/** Namespaces the stand-in API server knows, with their labels. */
const NAMESPACES: Namespaces = {
  'coder-workspaces': { 'kubernetes.io/metadata.name': 'coder-workspaces', 'pod-security.kubernetes.io/enforce': 'privileged' },
  'ws-unlabelled': { 'kubernetes.io/metadata.name': 'ws-unlabelled' },
  'ws-baseline': { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' },
  'ws-restricted': { 'pod-security.kubernetes.io/enforce': 'restricted' },
};
const terraform = (dir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => tf.terraform(dir, args, extraEnv);

const WORKSPACE = {
  CODER_WORKSPACE_ID: '0d7a4b8e-3f21-4c6a-9e15-2b7c8d9e0f13',
  CODER_WORKSPACE_NAME: 'dev',
  CODER_WORKSPACE_OWNER: 'alice',
  CODER_WORKSPACE_OWNER_ID: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  CODER_WORKSPACE_OWNER_EMAIL: 'alice@example.com',
};

const plan = (dir: string, extraEnv: NodeJS.ProcessEnv, args: string[] = []) =>
  tf.plan(dir, extraEnv, args).planned_values.root_module.resources as Resource[];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'dck-coder-devcontainer-kubernetes-'));
  tf = await startTerraformHarness({ namespaces: NAMESPACES, workDir: work });
  for (const f of TEMPLATE_FILES) copyFileSync(join(templateDir, f), join(work, f));
  tf.init(work);
});
afterAll(() => {
  tf?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the template', { timeout: PLAN_TIMEOUT_MS }, () => {
  it('kubernetes.tf.json is what `render` writes from k8s-values.yaml (no drift)', () => {
    const committed = readFileSync(join(templateDir, 'kubernetes.tf.json'), 'utf8');
    expect(committed, 'kubernetes.tf.json is stale: run `npx moon run coder-devcontainer-kubernetes:render`').toBe(
      renderKubernetesTfJson(),
    );
  });

  it('main.tf is formatted (terraform fmt -check)', () => {
    const r = terraform(templateDir, ['fmt', '-check', '-diff', '-no-color', 'main.tf']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('terraform validate passes with the real providers, without warnings', () => {
    const result = JSON.parse(terraform(work, ['validate', '-json', '-no-color']).stdout);
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('terraform validate rejects a misspelled block (the provider schema is really checked)', () => {
    const broken = mkdtempSync(join(tmpdir(), 'dck-coder-devcontainer-kubernetes-broken-'));
    try {
      copyFileSync(join(work, 'main.tf'), join(broken, 'main.tf'));
      writeFileSync(
        join(broken, 'kubernetes.tf.json'),
        readFileSync(join(work, 'kubernetes.tf.json'), 'utf8').replaceAll('"volume_mount"', '"volume_mounts"'),
      );
      tf.init(broken);
      const r = terraform(broken, ['validate', '-no-color']);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/Extraneous JSON object property[\s\S]*volume_mounts|Unsupported block type/);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('terraform plan (start) creates the agent, apps, volumes, Secret and Deployment from the parameters, with no cluster', () => {
    const resources = plan(work, {
      ...WORKSPACE,
      CODER_WORKSPACE_TRANSITION: 'start',
      [parameterEnv('repo_url')]: 'https://github.com/example/shop.git',
      [parameterEnv('git_branch')]: 'feature/x',
      [parameterEnv('cpu')]: '3',
      [parameterEnv('memory')]: '6',
      [parameterEnv('workspaces_volume_size')]: '25',
      [parameterEnv('docker_volume_size')]: '80',
      [parameterEnv('builder_image')]: 'registry.example.com/devcontainer-builder:1.2.3',
    });
    expect(resources.map((r) => r.address).sort()).toEqual([
      'coder_agent.main',
      'coder_app.code_server',
      'coder_metadata.workspace[0]',
      'coder_script.code_server',
      'kubernetes_deployment_v1.workspace[0]',
      'kubernetes_persistent_volume_claim_v1.docker',
      'kubernetes_persistent_volume_claim_v1.workspaces',
      'kubernetes_secret_v1.tokens[0]',
      'kubernetes_service_account_v1.workspace',
    ]);
    const get = (address: string) => resources.find((r) => r.address === address)?.values as Record<string, any>;
    const name = `coder-${WORKSPACE.CODER_WORKSPACE_ID}`;
    const deployment = get('kubernetes_deployment_v1.workspace[0]');
    expect(deployment.metadata[0]).toMatchObject({ name, namespace: 'coder-workspaces' });
    expect(deployment.metadata[0].labels).toMatchObject({
      'com.coder.workspace.id': WORKSPACE.CODER_WORKSPACE_ID,
      'com.coder.workspace.name': 'dev',
      'com.coder.user.id': WORKSPACE.CODER_WORKSPACE_OWNER_ID,
      'com.coder.user.username': 'alice',
    });
    const pod = deployment.spec[0].template[0].spec[0];
    const [dind, builder] = pod.container;
    expect(dind.resources[0].limits).toEqual({ cpu: '3', memory: '6Gi' });
    expect(builder.image).toBe('registry.example.com/devcontainer-builder:1.2.3');
    const envs = Object.fromEntries(builder.env.map((e: any) => [e.name, e.value_from[0]?.secret_key_ref[0] ?? e.value]));
    expect(envs).toMatchObject({
      DEVCONTAINER_REPOSITORY: 'https://github.com/example/shop.git',
      DEVCONTAINER_BRANCH: 'feature/x',
      DEVCONTAINER_WORKSPACE_FOLDER: '/workspaces/shop',
      DOCKER_HOST: 'unix:///var/run/dind/docker.sock',
      CODER_AGENT_TOKEN: { name: `${name}-tokens`, key: 'agent-token', optional: false },
      DEVCONTAINER_GIT_TOKEN: { name: `${name}-tokens`, key: 'git-token', optional: true },
    });
    expect(get('kubernetes_persistent_volume_claim_v1.workspaces').spec[0].resources[0].requests).toEqual({ storage: '25Gi' });
    expect(get('kubernetes_persistent_volume_claim_v1.docker').spec[0].resources[0].requests).toEqual({ storage: '80Gi' });
    expect(get('kubernetes_persistent_volume_claim_v1.docker').spec[0].storage_class_name).toBeUndefined(); // null: the cluster default, known after apply
    expect(get('coder_agent.main')).toMatchObject({ os: 'linux', dir: '/workspaces/shop' });
    expect(get('coder_app.code_server').url).toBe('http://localhost:13337/?folder=%2Fworkspaces%2Fshop');
    expect(get('coder_metadata.workspace[0]').item).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'branch', value: 'feature/x' })]),
    );
  });

  it('terraform plan (stop) keeps the volumes and drops the Deployment and the token Secret', () => {
    const addresses = plan(work, { ...WORKSPACE, CODER_WORKSPACE_TRANSITION: 'stop' }).map((r) => r.address);
    expect(addresses).toContain('kubernetes_persistent_volume_claim_v1.workspaces');
    expect(addresses).toContain('kubernetes_persistent_volume_claim_v1.docker');
    expect(addresses.filter((a) => a.includes('deployment') || a.includes('secret') || a.includes('coder_metadata'))).toEqual([]);
  });

  /** The builder's env of a start plan, by name (secretKeyRef entries as their reference). */
  const builderEnv = (resources: Resource[]) => {
    const deployment = resources.find((r) => r.address === 'kubernetes_deployment_v1.workspace[0]')?.values as Record<string, any>;
    const builder = deployment.spec[0].template[0].spec[0].container.find((c: any) => c.name === 'builder');
    return Object.fromEntries(builder.env.map((e: any) => [e.name, e.value_from[0]?.secret_key_ref[0] ?? e.value])) as Record<
      string,
      unknown
    >;
  };
  const start = { ...WORKSPACE, CODER_WORKSPACE_TRANSITION: 'start' };
  /** A failed plan's output with Terraform's line wrapping and box drawing undone, for matching whole sentences. */
  const flat = (r: ReturnType<typeof terraform>) => `${r.stdout}\n${r.stderr}`.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ');
  const planFails = (namespace: string, transition = 'start') =>
    terraform(work, ['plan', '-input=false', '-no-color', '-lock=false', '-var', `namespace=${namespace}`], {
      ...WORKSPACE,
      CODER_WORKSPACE_TRANSITION: transition,
    });

  it('empty means unset: with empty parameters and no cache_repo, DEVCONTAINER_CONFIG/_CACHE_FROM/_CACHE_TO/_BRANCH are not set at all', () => {
    const env = builderEnv(plan(work, start));
    for (const name of ['DEVCONTAINER_CONFIG', 'DEVCONTAINER_CACHE_FROM', 'DEVCONTAINER_CACHE_TO', 'DEVCONTAINER_BRANCH'])
      expect(env, name).not.toHaveProperty(name);
    expect(env.DEVCONTAINER_WORKSPACE_FOLDER).toBe('/workspaces/template-starter');
  });

  it('…and set when given (the dynamic env blocks really render)', () => {
    const env = builderEnv(
      plan(work, { ...start, [parameterEnv('devcontainer_config')]: '.devcontainer/go/devcontainer.json' }, [
        '-var',
        'cache_repo=registry.example.com/cache',
      ]),
    );
    expect(env).toMatchObject({
      DEVCONTAINER_CONFIG: '.devcontainer/go/devcontainer.json',
      DEVCONTAINER_CACHE_FROM: 'registry.example.com/cache',
      DEVCONTAINER_CACHE_TO: 'registry.example.com/cache',
    });
    expect(env).not.toHaveProperty('DEVCONTAINER_BRANCH');
  });

  it('the agent token is always wired from coder_agent.main.token into the Secret', () => {
    const tfJson = JSON.parse(readFileSync(join(templateDir, 'kubernetes.tf.json'), 'utf8'));
    expect(tfJson.resource.kubernetes_secret_v1.tokens.data['agent-token']).toBe('${coder_agent.main.token}');
  });

  it('dind gets --cgroup-parent=/devcontainer-kit/<name> and the docker:dind argument convention (args, no command)', () => {
    const resources = plan(work, start);
    const deployment = resources.find((r) => r.address === 'kubernetes_deployment_v1.workspace[0]')?.values as Record<string, any>;
    const dind = deployment.spec[0].template[0].spec[0].container.find((c: any) => c.name === 'dind');
    expect(dind.args[0]).toBe('dockerd');
    expect(dind.args).toContain(`--cgroup-parent=/devcontainer-kit/coder-${WORKSPACE.CODER_WORKSPACE_ID}`);
    expect(dind.command ?? []).toEqual([]);
  });

  it('Pod Security: a namespace enforcing baseline fails the plan, naming the namespace, the level, the refused fields and the fix', () => {
    const r = planFails('ws-baseline');
    expect(r.status).not.toBe(0);
    const text = flat(r);
    expect(text).toContain('Resource postcondition failed');
    expect(text).toContain(
      'Namespace "ws-baseline" enforces Pod Security level "baseline" (label pod-security.kubernetes.io/enforce), and this workspace\'s pod needs "privileged".',
    );
    expect(text).toContain(
      'spec.template.spec.containers[0].securityContext.privileged (Privileged Containers: container "dind" is privileged)',
    );
    expect(text).toContain('seccompProfile.type (Seccomp: container "dind" runs with seccomp profile Unconfined)');
    expect(text).not.toContain('runAsNonRoot'); // restricted-only fields are not listed for baseline
    expect(text).toContain('kubectl label --overwrite namespace ws-baseline pod-security.kubernetes.io/enforce=privileged');
  });

  it('Pod Security: restricted also fails, listing the restricted-only fields too', () => {
    const r = planFails('ws-restricted');
    expect(r.status).not.toBe(0);
    const text = flat(r);
    expect(text).toContain('enforces Pod Security level "restricted"');
    expect(text).toContain('securityContext.runAsNonRoot (Running as Non-root');
    expect(text).toContain('securityContext.privileged (Privileged Containers');
  });

  it('Pod Security: an unlabelled namespace and a privileged one pass; a missing namespace fails with its own message', () => {
    expect(plan(work, start, ['-var', 'namespace=ws-unlabelled']).length).toBeGreaterThan(5);
    expect(plan(work, start).length).toBeGreaterThan(5);
    const r = planFails('ws-missing');
    expect(r.status).not.toBe(0);
    expect(flat(r)).toContain('Namespace "ws-missing" does not exist (or the provisioner may not read it).');
  });

  it('Pod Security: stop does not read the namespace, so a relabelled namespace never blocks stopping a workspace', () => {
    const before = tf.namespaceReads().length;
    const r = planFails('ws-restricted', 'stop');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(tf.namespaceReads().length).toBe(before);
    // …while a start plan does read it (the check above is not vacuous).
    planFails('ws-restricted', 'start');
    expect(tf.namespaceReads().slice(before)).toEqual(['ws-restricted']);
  });

  it('main.tf: the Coder pieces the issue asks for, self-contained (no module blocks)', async () => {
    const hcl = (await parse('main.tf', readFileSync(join(templateDir, 'main.tf'), 'utf8'))) as Record<string, any>;
    expect(hcl.module).toBeUndefined();
    expect(Object.keys(hcl.terraform[0].required_providers[0]).sort()).toEqual(['coder', 'kubernetes']);
    expect(hcl.terraform[0].required_providers[0].kubernetes.version).toBe('>= 2.30, < 4.0');
    expect(Object.keys(hcl.data.coder_parameter).sort()).toEqual([
      'builder_image',
      'cpu',
      'devcontainer_config',
      'docker_volume_size',
      'dotfiles_uri',
      'git_branch',
      'memory',
      'repo_url',
      'workspaces_volume_size',
    ]);
    expect(hcl.data.coder_external_auth.github[0].id).toBe('github');
    const agent = hcl.resource.coder_agent.main[0];
    expect(agent.arch).toBe('${data.coder_provisioner.me.arch}');
    expect(agent.metadata.map((m: any) => m.display_name)).toEqual(['CPU', 'Memory', 'Disk (/workspaces)', 'Build']);
    expect(agent.metadata[3].script).toContain('devcontainer-builder status --json');
    expect(hcl.resource.coder_script.code_server[0].script).toContain('code-server');
    expect(hcl.resource.coder_app.code_server[0].healthcheck[0].url).toBe('http://localhost:13337/healthz');
    expect(hcl.resource.coder_metadata.workspace[0].resource_id).toBe('${kubernetes_deployment_v1.workspace[0].id}');
    // Only kubernetes_*_v1 resources, all from kubernetes.tf.json.
    expect(Object.keys(hcl.resource).filter((t) => t.startsWith('kubernetes_'))).toEqual([]);
  });

  it('k8s-values.yaml with sample values for its expressions gives objects valid against the Kubernetes schemas', () => {
    const samples: Record<string, string> = {
      'local.name': 'coder-0d7a4b8e-3f21-4c6a-9e15-2b7c8d9e0f13',
      'var.namespace': 'coder-workspaces',
      'data.coder_parameter.cpu.value': '2',
      'data.coder_parameter.memory.value': '4',
      'data.coder_parameter.workspaces_volume_size.value': '10',
      'data.coder_parameter.docker_volume_size.value': '30',
      'local.storage_class': 'standard',
      'data.coder_parameter.repo_url.value': 'https://github.com/example/shop.git',
      'data.coder_workspace.me.access_url': 'https://coder.example.com/',
      'local.workspace_folder': '/workspaces/shop',
    };
    const seen = new Set<string>();
    const text = readFileSync(join(templateDir, 'k8s-values.yaml'), 'utf8').replace(/\$\{([^}]+)\}/g, (_m, expr: string) => {
      seen.add(expr);
      return samples[expr] ?? `sample-${expr.replaceAll(/[^a-z0-9]+/g, '-')}`;
    });
    expect(seen.size).toBeGreaterThan(15);
    const { options } = parseValuesFile(text);
    expect(validateManifests(workspaceManifests(options))).toEqual([]);
  });

  it('no token reaches an env value, annotation or label of the rendered template', () => {
    const objects = fromTerraformJson(renderKubernetesTfJson());
    for (const o of objects.filter((x) => x.kind !== 'Secret')) {
      expect(JSON.stringify(o)).not.toMatch(/coder_agent\.main\.token|coder_external_auth\.github\.access_token/);
    }
    const secret = objects.find((x) => x.kind === 'Secret') as unknown as { stringData: Record<string, string> };
    expect(secret.stringData).toEqual({
      'agent-token': '${coder_agent.main.token}',
      'git-token': '${data.coder_external_auth.github.access_token}',
    });
  });
});

describe('the real kubernetes provider reads the Terraform rendering as the YAML says', { timeout: PLAN_TIMEOUT_MS }, () => {
  const concrete = readFileSync(join(templateDir, '../../libs/k8s-manifests/test/fixtures/full.yaml'), 'utf8').replace(
    /^terraform:[\s\S]*$/m,
    '',
  );
  let planned: Resource[];
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dck-coder-devcontainer-kubernetes-full-'));
    writeFileSync(join(dir, 'kubernetes.tf.json'), renderValues(concrete, { format: 'terraform-json' }));
    writeFileSync(
      join(dir, 'providers.tf'),
      'terraform {\n  required_providers {\n    kubernetes = {\n      source = "hashicorp/kubernetes"\n    }\n  }\n}\n',
    );
    tf.init(dir);
    planned = plan(dir, {});
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every value we wrote is in the provider's planned value at the same path (numbers may come back as strings). */
  function expectContained(ours: Json, theirs: Json, path: string) {
    if (Array.isArray(ours)) {
      expect(Array.isArray(theirs), path).toBe(true);
      const list = theirs as Json[];
      if (ours.every((x) => typeof x !== 'object')) {
        expect([...list].map(String).sort(), path).toEqual([...ours].map(String).sort());
      } else {
        expect(list.length, path).toBe(ours.length);
        for (const [i, item] of ours.entries()) expectContained(item, list[i] as Json, `${path}[${i}]`);
      }
    } else if (ours !== null && typeof ours === 'object') {
      expect(theirs !== null && typeof theirs === 'object', path).toBe(true);
      for (const [k, v] of Object.entries(ours)) expectContained(v, (theirs as Record<string, Json>)[k] as Json, `${path}.${k}`);
    } else {
      expect(String(theirs), path).toBe(String(ours));
    }
  }

  it('plans every object of the full fixture (Role, RoleBinding, NetworkPolicy included)', () => {
    expect(planned.map((r) => r.address).sort()).toEqual([
      'kubernetes_deployment_v1.workspace',
      'kubernetes_network_policy_v1.workspace',
      'kubernetes_persistent_volume_claim_v1.docker',
      'kubernetes_persistent_volume_claim_v1.workspaces',
      'kubernetes_role_binding_v1.workspace',
      'kubernetes_role_v1.workspace',
      'kubernetes_secret_v1.tokens',
      'kubernetes_service_account_v1.workspace',
    ]);
  });

  it('each field of each resource arrives in the plan unchanged', () => {
    const ours = JSON.parse(readFileSync(join(dir, 'kubernetes.tf.json'), 'utf8')).resource as Record<
      string,
      Record<string, Record<string, Json>>
    >;
    let fields = 0;
    for (const r of planned) {
      const body = { ...ours[r.type]?.[r.name] };
      for (const meta of ['depends_on', 'count', 'provider']) delete body[meta];
      expect(Object.keys(body).length, r.address).toBeGreaterThan(0);
      expectContained(body as Json, r.values as Json, r.address);
      fields += JSON.stringify(body).length;
    }
    expect(fields).toBeGreaterThan(1000);
  });
});
