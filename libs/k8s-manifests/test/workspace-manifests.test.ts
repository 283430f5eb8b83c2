// Real parts: kubernetes-models' typed objects. Pure logic, no I/O.
import { describe, expect, it } from 'vitest';
import { K8sManifestsError } from '../src/errors.js';
import { dindArgs, listManifests, workspaceManifests } from '../src/workspace-manifests.js';
import { fixtureOptions } from './support/fixtures.js';

const container = (m: ReturnType<typeof workspaceManifests>, name: string) => {
  const c = m.deployment.spec?.template.spec?.containers.find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const envOf = (m: ReturnType<typeof workspaceManifests>) => new Map((container(m, 'builder').env ?? []).map((e) => [e.name, e]));

describe('workspaceManifests', () => {
  it('renders the minimal workspace: SA, Secret, two PVCs, Deployment, nothing opt-in', () => {
    const m = workspaceManifests(fixtureOptions('minimal'));
    expect(listManifests(m).map((e) => `${e.object.kind}/${e.object.metadata?.name}`)).toEqual([
      'ServiceAccount/coder-alice-dev',
      'Secret/coder-alice-dev-tokens',
      'PersistentVolumeClaim/coder-alice-dev-workspaces',
      'PersistentVolumeClaim/coder-alice-dev-docker',
      'Deployment/coder-alice-dev',
    ]);
    expect(m.serviceAccount.automountServiceAccountToken).toBe(false);
    expect(m.deployment.spec?.template.spec?.automountServiceAccountToken).toBe(false);
  });

  it('runs one replica with the Recreate strategy (a RWO volume cannot be shared by two pods)', () => {
    const spec = workspaceManifests(fixtureOptions('minimal')).deployment.spec;
    expect(spec?.replicas).toBe(1);
    expect(spec?.strategy?.type).toBe('Recreate');
    expect(spec?.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'coder-workspace',
      'app.kubernetes.io/instance': 'coder-alice-dev',
    });
  });

  it('labels every object with the Coder and app.kubernetes.io labels', () => {
    for (const { object } of listManifests(workspaceManifests(fixtureOptions('full')))) {
      expect(object.metadata?.labels).toMatchObject({
        'app.kubernetes.io/name': 'coder-workspace',
        'app.kubernetes.io/instance': 'coder-bob-api',
        'app.kubernetes.io/part-of': 'coder',
        'com.coder.resource': 'true',
        'com.coder.workspace.id': '1e2d3c4b-5a69-4788-97a6-b5c4d3e2f100',
        'com.coder.workspace.name': 'api',
        'com.coder.user.id': '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
        'com.coder.user.username': 'bob',
        team: 'platform',
      });
    }
  });

  it('gives the builder every DEVCONTAINER_* setting, tokens only through secretKeyRef', () => {
    const env = envOf(workspaceManifests(fixtureOptions('full')));
    expect(Object.fromEntries([...env].filter(([, e]) => e.value !== undefined).map(([k, e]) => [k, e.value]))).toEqual({
      DEVCONTAINER_REPOSITORY: 'https://github.com/example/api.git',
      DEVCONTAINER_BRANCH: 'main',
      DEVCONTAINER_WORKSPACE_FOLDER: '/workspaces/api',
      DEVCONTAINER_WORKSPACE_NAME: 'api',
      DEVCONTAINER_CONFIG: '.devcontainer/devcontainer.json',
      DEVCONTAINER_GIT_USERNAME: 'x-access-token',
      DEVCONTAINER_CACHE_FROM: 'registry.example.com/cache/api:latest',
      DEVCONTAINER_CACHE_TO: 'registry.example.com/cache/api:latest',
      DEVCONTAINER_FALLBACK_IMAGE: 'mcr.microsoft.com/devcontainers/base:bookworm',
      DEVCONTAINER_EXTENSIONS: 'ms-python.python,dbaeumer.vscode-eslint',
      DEVCONTAINER_HOOK_FAILURE: 'continue',
      DEVCONTAINER_STATUS_FILE: '/workspaces/.devcontainer-builder/status.json',
      DOCKER_HOST: 'unix:///var/run/dind/docker.sock',
      CODER_AGENT_URL: 'https://coder.example.com/',
      CODER_INIT_SCRIPT: '#!/bin/sh\necho starting the agent\n',
      DEVCONTAINER_AGENT_URL: 'http://coder.coder.svc.cluster.local/',
      HTTP_PROXY: 'http://proxy.example.com:3128',
      DEVCONTAINER_GIT_DEPTH: '0',
    });
    expect(env.get('CODER_AGENT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'coder-bob-api-tokens',
      key: 'agent-token',
      optional: false,
    });
    expect(env.get('DEVCONTAINER_GIT_TOKEN')?.valueFrom?.secretKeyRef).toEqual({
      name: 'coder-bob-api-tokens',
      key: 'git-token',
      optional: true,
    });
  });

  it('derives the workspace folder from the repository, also for a Terraform expression', () => {
    const repoExpression = ['$', '{data.coder_parameter.repo_url.value}'].join('');
    expect(envOf(workspaceManifests(fixtureOptions('minimal'))).get('DEVCONTAINER_WORKSPACE_FOLDER')?.value).toBe('/workspaces/app');
    const o = fixtureOptions('minimal');
    const m = workspaceManifests({ ...o, builder: { ...o.builder, repository: repoExpression } });
    expect(envOf(m).get('DEVCONTAINER_WORKSPACE_FOLDER')?.value).toBe(
      `/workspaces/$\{trimsuffix(basename(data.coder_parameter.repo_url.value), ".git")}`,
    );
  });

  it('runs dind privileged with overlay2 on its own volume, answering on the shared socket only', () => {
    const m = workspaceManifests(fixtureOptions('minimal'));
    const dind = container(m, 'dind');
    expect(dind.securityContext?.privileged).toBe(true);
    expect(dind.args).toEqual([
      'dockerd',
      '--host=unix:///var/run/dind/docker.sock',
      '--group=1000',
      '--storage-driver=overlay2',
      '--data-root=/var/lib/docker/data',
      '--cgroup-parent=/devcontainer-kit/coder-alice-dev',
    ]);
    expect(dind.args?.join(' ')).not.toMatch(/tcp:/);
    expect(dind.volumeMounts).toContainEqual({ name: 'docker-data', mountPath: '/var/lib/docker' });
    expect(dind.readinessProbe?.exec?.command).toEqual(['docker', '--host=unix:///var/run/dind/docker.sock', 'version']);
    expect(m.deployment.spec?.template.spec?.volumes).toContainEqual({
      name: 'docker-data',
      persistentVolumeClaim: { claimName: 'coder-alice-dev-docker' },
    });
  });

  it('follows the docker:dind image contract: no command (the entrypoint runs), args = the whole dockerd command line', () => {
    const dind = container(workspaceManifests(fixtureOptions('minimal')), 'dind');
    expect(dind.command).toBeUndefined();
    expect(dind.args?.[0]).toBe('dockerd');
    expect(dind.args).toEqual(
      dindArgs({
        socket: 'unix:///var/run/dind/docker.sock',
        gid: 1000,
        storageDriver: 'overlay2',
        cgroupParent: '/devcontainer-kit/coder-alice-dev',
      }),
    );
    // One listener only (the unix socket): nothing for an entrypoint to add, no TLS certificates to generate.
    expect(dind.args?.filter((a) => a.startsWith('--host'))).toEqual(['--host=unix:///var/run/dind/docker.sock']);
    expect(dind.env).toContainEqual({ name: 'DOCKER_TLS_CERTDIR', value: '' });
    // What the image must provide besides dockerd: the docker CLI (readiness) and sleep (preStop).
    expect(dind.readinessProbe?.exec?.command?.[0]).toBe('docker');
    expect(dind.lifecycle?.preStop?.exec?.command?.[0]).toBe('sleep');
    expect(dind.securityContext?.runAsUser).toBe(0);
  });

  it('keeps the grace period above the builder shutdown (20 s) plus dind preStop', () => {
    const spec = workspaceManifests(fixtureOptions('minimal')).deployment.spec?.template.spec;
    expect(spec?.terminationGracePeriodSeconds).toBe(45);
    expect(spec?.containers.find((c) => c.name === 'dind')?.lifecycle?.preStop?.exec?.command).toEqual(['sleep', '20']);
  });

  it('sysbox: runtimeClassName and an unprivileged dind', () => {
    const o = fixtureOptions('minimal');
    const spec = workspaceManifests({ ...o, dind: { isolation: 'sysbox' } }).deployment.spec?.template.spec;
    expect(spec?.runtimeClassName).toBe('sysbox-runc');
    expect(spec?.containers.find((c) => c.name === 'dind')?.securityContext?.privileged).toBe(false);
    expect(workspaceManifests(o).deployment.spec?.template.spec?.runtimeClassName).toBeUndefined();
  });

  it('renders PVCs with size, storage class and access mode', () => {
    const m = workspaceManifests(fixtureOptions('full'));
    expect(m.workspacesClaim.spec).toEqual({
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '50Gi' } },
    });
    expect(m.dockerClaim.spec).toEqual({
      accessModes: ['ReadWriteOncePod'],
      storageClassName: 'fast-ssd',
      resources: { requests: { storage: '100Gi' } },
    });
  });

  it('opt-in Role/RoleBinding bound to the workspace ServiceAccount, namespace-scoped', () => {
    const m = workspaceManifests(fixtureOptions('full'));
    expect(m.serviceAccount.automountServiceAccountToken).toBe(true);
    expect(m.role?.kind).toBe('Role');
    expect(m.role?.rules?.flatMap((r) => r.verbs)).not.toContain('*');
    expect(m.roleBinding?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'coder-bob-api' });
    expect(m.roleBinding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'coder-bob-api', namespace: 'coder-workspaces' }]);
  });

  it('opt-in NetworkPolicy: no ingress, egress to DNS, Coder, git and registries only', () => {
    const np = workspaceManifests(fixtureOptions('full')).networkPolicy;
    expect(np?.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np?.spec?.ingress).toBeUndefined();
    expect(np?.spec?.egress?.[0]).toEqual({
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ],
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
    });
    expect(np?.spec?.egress?.[1]).toEqual({ to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] });
    expect(np?.spec?.egress).toHaveLength(5);
  });

  it('with an existing Secret renders none and refers to it', () => {
    const o = fixtureOptions('minimal');
    const m = workspaceManifests({ ...o, secret: { existingSecretName: 'sealed-tokens' } });
    expect(m.secret).toBeUndefined();
    expect(envOf(m).get('CODER_AGENT_TOKEN')?.valueFrom?.secretKeyRef?.name).toBe('sealed-tokens');
  });

  it('scheduling: node selector, tolerations and soft anti-affinity between workspaces', () => {
    const spec = workspaceManifests(fixtureOptions('full')).deployment.spec?.template.spec;
    expect(spec?.nodeSelector).toEqual({ workload: 'workspaces' });
    expect(spec?.tolerations).toEqual([{ key: 'workspaces', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.podAffinityTerm.topologyKey).toBe(
      'kubernetes.io/hostname',
    );
  });

  it('reports every problem of bad options at once', () => {
    const o = fixtureOptions('minimal');
    let error: unknown;
    try {
      workspaceManifests({
        ...o,
        name: 'Bad_Name',
        builder: {
          ...o.builder,
          image: '',
          env: { GITHUB_TOKEN: 'x', DOCKER_HOST: 'tcp://x', DEVCONTAINER_GIT_DEPTH: '0' },
          resources: { limits: { memory: 'lots' } },
        },
        storage: { docker: { size: '10 GB' } },
        terminationGracePeriodSeconds: 10,
        networkPolicy: { enabled: true },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(K8sManifestsError);
    const e = error as K8sManifestsError;
    expect(e.code).toBe('INVALID_OPTIONS');
    expect(e.problems.map((p) => `${p.path}:${p.code}`).sort()).toEqual([
      'builder.env.DOCKER_HOST:invalid-value',
      'builder.env.GITHUB_TOKEN:token-in-plain-text',
      'builder.image:required',
      'builder.resources.limits.memory:invalid-quantity',
      'name:invalid-name',
      'networkPolicy.coder:required',
      'storage.docker.size:invalid-quantity',
      'terminationGracePeriodSeconds:invalid-value',
    ]);
  });
});
