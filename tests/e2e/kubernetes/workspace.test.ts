// biome-ignore-all lint/suspicious/noExplicitAny: kubectl's JSON is untyped; the assertions check its shape.
// The workspace on a real Kubernetes node (issue 12). Real: kube-apiserver, kube-controller-manager,
// kube-scheduler, kubelet, containerd, etcd (tests/testbed/kubernetes.sh), Terraform 1.11 with the real
// coder/coder and hashicorp/kubernetes providers applying the template unchanged, the builder image,
// the DinD image (Debian's dockerd, run with the Deployment's own arguments), the devcontainer CLI,
// git over HTTPS (git http-backend), goss. Emulated: Coder (the loopback stand-in; the coder provider's
// values are faked through the environment variables Coder's provisioner sets).
// Pods have a loopback-only network: the git server and the stand-in are reached inside the pod's
// network namespace through a relay on the same ports (tests/support/pod-loopback).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gossfileFor, kubectlDindRemoteEnv, loadWorkspaceConfig, parseTarget, runGoss } from '@devcontainer-kit/workspace-test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import {
  type Cluster,
  clusterStatus,
  kubectl,
  kubectlJson,
  kubectlRun,
  loadImage,
  startCluster,
  stopCluster,
} from '../../support/kubernetes.js';
import { ensurePackageBuilt } from '../../support/package-build.js';
import { exposeToPod, type PodLoopback } from '../../support/pod-loopback/index.js';
import { ensureDocker, gossPath, repoRoot, runTestbed, terraformCliConfig } from '../../support/testbed.js';
import { createFixtureRemote, type FixtureRemote } from '../builder/support.js';
import {
  applyTransition,
  builderImageTrusting,
  createWorkspaceVolumes,
  gitTls,
  prepareTemplate,
  builderStatus as readBuilderStatus,
  type TerraformRun,
  templateDir,
  terraform,
  waitFor,
  workspacePod,
  workspaceTerraformEnv,
} from './support.js';

const NS = 'dck-e2e-k8s';
const NS_RESTRICTED = 'dck-e2e-k8s-restricted';
const NS_PSS = 'dck-e2e-k8s-pss';
const NS_TOKEN = 'dck-e2e-k8s-token';
const WORKSPACE_ID = '6f1c2b7a-4d3e-4a8b-9c5d-0e1f2a3b4c5d';
const NAME = `coder-${WORKSPACE_ID}`;
const AGENT_TOKEN = crypto.randomUUID();
const GIT_TOKEN = `gittok-${crypto.randomUUID()}`;
const DIND_HOST = 'unix:///var/run/dind/docker.sock';
const cache = process.env.DCK_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'devcontainer-kit');

let cluster: Cluster;
let root: string;
let work: string;
let fixture: FixtureRemote;
let gitServer: GitServer;
let standin: CoderStandin;
let tls: ReturnType<typeof gitTls>;
let tfEnv: NodeJS.ProcessEnv;
let goss: string;
let builderImage: string;
let relay: PodLoopback | undefined;
let applied = false;
const seenSandboxes = new Set<string>();
const savedKubeconfig = process.env.KUBECONFIG;
const figures: Record<string, number | string> = {};
const t0 = Date.now();

const SYSCTLS = ['kernel/panic', 'kernel/panic_on_oops', 'vm/overcommit_memory', 'vm/panic_on_oom', 'kernel/keys/root_maxkeys'];
let hostBefore: ReturnType<typeof hostState>;

/** What the cluster must leave as it found it: kernel tunables, containerd's k8s.io cgroups, its run dirs. */
function hostState() {
  return {
    sysctls: Object.fromEntries(SYSCTLS.map((k) => [k, readFileSync(`/proc/sys/${k}`, 'utf8').trim()])),
    k8sCgroups: readdirSync('/sys/fs/cgroup').filter((h) => existsSync(`/sys/fs/cgroup/${h}/k8s.io`)),
    paths: ['/run/dck-k8s', '/run/netns', '/var/log/pods', '/var/log/containers'].filter((p) => existsSync(p)),
  };
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const gitPort = () => Number(new URL(gitServer.url).port);

function podName(): string | undefined {
  return workspacePod(cluster, NS, NAME);
}

function inDind(pod: string, ...args: string[]): string {
  return kubectl(cluster, ['exec', '-n', NS, pod, '-c', 'dind', '--', 'docker', '--host', DIND_HOST, ...args]);
}

function builderStatus(pod: string): any | undefined {
  return readBuilderStatus(cluster, NS, pod);
}

/**
 * `terraform apply` for a transition. For `start`, the pod's sandbox is caught as soon as it runs and
 * the relay started in its network namespace, before the builder needs git and Coder.
 */
async function apply(transition: 'start' | 'stop'): Promise<{ run: TerraformRun; podAt?: number }> {
  applied = true;
  return await applyTransition({
    cluster,
    work,
    env: tfEnv,
    namespace: NS,
    transition,
    seenSandboxes,
    onSandbox: async (pid) => {
      await relay?.close();
      relay = await exposeToPod({ pid, services: [{ port: standin.port }, { port: gitPort(), tls: { key: tls.key, cert: tls.cert } }] });
    },
  });
}

function cleanupCluster(): void {
  kubectlRun(cluster, ['delete', 'namespace', NS, NS_RESTRICTED, NS_PSS, NS_TOKEN, '--ignore-not-found', '--wait=true', '--timeout=120s']);
  kubectlRun(cluster, ['delete', 'pv', '-l', 'devcontainer-kit.test=kubernetes-e2e', '--ignore-not-found', '--wait=true']);
}

beforeAll(async () => {
  ensureDocker();
  // moon's ^:build (npm test) built every package first; alone, build only what is missing.
  for (const pkg of [
    'libs/coder-log-client',
    'libs/devcontainer-config',
    'libs/builder-runner',
    'apps/devcontainer-builder',
    'libs/workspace-test',
  ])
    ensurePackageBuilt(join(repoRoot, pkg), { whenStale: false });
  // DCK_E2E_BUILDER_IMAGE: test an image built elsewhere (e.g. a release candidate) instead of this tree's.
  const sourceBuilderImage = process.env.DCK_E2E_BUILDER_IMAGE || runTestbed('builder-image');
  const dindImage = runTestbed('dind-image');
  const agentBinary = runTestbed('fake-coder-agent');
  goss = gossPath();
  const cliConfig = terraformCliConfig();
  hostBefore = hostState();
  cluster = startCluster();
  figures.clusterStartSeconds = cluster.startupSeconds ?? 'already running';
  figures.clusterMemoryIdleMiB = cluster.memoryMiB;
  process.env.KUBECONFIG = cluster.kubeconfig;
  cleanupCluster();

  root = execFileSync('mktemp', ['-d', join(tmpdir(), 'dck-e2e-k8s-XXXXXX')], { encoding: 'utf8' }).trim();
  tls = gitTls(cache);
  // The rendered Deployment runs `docker:28-dind` unchanged: the test bed's DinD image goes by that name too.
  const t = Date.now();
  const builder = builderImageTrusting(sourceBuilderImage, tls.ca, root);
  builderImage = builder;
  loadImage(builder);
  loadImage(dindImage, 'docker.io/library/docker:28-dind');
  figures.imagesIntoContainerdSeconds = seconds(Date.now() - t);

  kubectl(cluster, ['create', 'namespace', NS]);
  createWorkspaceVolumes({ cluster, dir: root, namespace: NS, name: NAME, dindImage });

  fixture = createFixtureRemote(root);
  gitServer = await startGitServer({ root, token: GIT_TOKEN });
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });

  tfEnv = workspaceTerraformEnv({
    cluster,
    cliConfig,
    namespace: NS,
    workspaceId: WORKSPACE_ID,
    agentUrl: standin.url,
    agentToken: AGENT_TOKEN,
    gitToken: GIT_TOKEN,
    repoUrl: `https://127.0.0.1:${gitPort()}/fixture.git`,
    branch: 'main',
    builderImage: builder,
  });
  work = join(root, 'template');
  prepareTemplate(work, tfEnv);
}, 1_800_000);

afterAll(async () => {
  if (applied && work) await terraform(work, ['destroy', '-auto-approve'], { ...tfEnv, CODER_WORKSPACE_TRANSITION: 'stop' });
  await relay?.close();
  if (cluster) {
    cleanupCluster();
    stopCluster();
  }
  await standin?.close();
  await gitServer?.close();
  if (root) rmSync(root, { recursive: true, force: true });
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
  figures.testSeconds = seconds(Date.now() - t0);
  const line = Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  process.stderr.write(`[kubernetes e2e] ${line}\n`);
  mkdirSync(join(cache, 'k8s'), { recursive: true });
  writeFileSync(join(cache, 'k8s/e2e-figures.json'), `${JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2)}\n`);
}, 600_000);

describe('the template on a real Kubernetes node', () => {
  let pod: string;
  let containerId: string;
  let agentCallsBefore = 0;

  // Issue 12, defect 2: the template reads the namespace's enforce label (a data source in
  // kubernetes.tf.json) and plan fails with what to do. Without that check, plan succeeds here and
  // the ReplicaSet's pods are refused later: this test then fails.
  it('issue 12 defect 2: in a namespace whose Pod Security level is restricted or baseline, plan fails and says what to do', async () => {
    for (const level of ['restricted', 'baseline']) {
      kubectlRun(cluster, ['delete', 'namespace', NS_RESTRICTED, '--ignore-not-found', '--wait=true']);
      kubectl(cluster, ['create', 'namespace', NS_RESTRICTED]);
      kubectl(cluster, ['label', 'namespace', NS_RESTRICTED, `pod-security.kubernetes.io/enforce=${level}`]);
      const r = await terraform(work, ['plan', '-lock=false'], {
        ...tfEnv,
        TF_VAR_namespace: NS_RESTRICTED,
        CODER_WORKSPACE_TRANSITION: 'start',
      });
      expect(r.status, `${level}: plan succeeded:\n${r.stdout}`).not.toBe(0);
      expect(r.stderr).toContain(level);
      expect(r.stderr).toMatch(/privileged/);
      expect(kubectl(cluster, ['get', 'all,pvc,secret', '-n', NS_RESTRICTED, '-o', 'name'])).toBe('');
    }
  }, 300_000);

  it("issue 12 defect 2: `k8s-manifests check --pod-security` refuses exactly what the API server's PodSecurity admission refuses", () => {
    const cli = join(repoRoot, 'libs/k8s-manifests/dist/cli.js');
    const values = join(root, 'pss-values.yaml');
    writeFileSync(
      values,
      [
        `name: ${NAME}`,
        `namespace: ${NS_PSS}`,
        `coder: {workspaceId: ${WORKSPACE_ID}, workspaceName: dev, ownerId: 5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b, ownerName: alice, agentUrl: "http://127.0.0.1:1/"}`,
        'builder: {image: "dck-testbed/builder:none", repository: "https://127.0.0.1:1/x.git"}',
        'secret: {agentToken: "pss-test-token"}',
        '',
      ].join('\n'),
    );
    const rendered = execFileSync(process.execPath, [cli, 'render', '--values', values, '--format', 'yaml'], { encoding: 'utf8' });
    kubectl(cluster, ['create', 'namespace', NS_PSS]);
    for (const level of ['privileged', 'baseline', 'restricted']) {
      kubectl(cluster, ['label', 'namespace', NS_PSS, `pod-security.kubernetes.io/enforce=${level}`, '--overwrite']);
      // The API server accepts the Deployment either way and only warns: the warning is its verdict on the pods.
      const api = kubectlRun(cluster, ['apply', '--dry-run=server', '-f', '-'], rendered);
      expect(api.status, api.stderr).toBe(0);
      const warning = api.stderr.split('\n').find((l) => l.includes('would violate PodSecurity')) ?? '';
      const check = spawnSync(process.execPath, [cli, 'check', '--values', values, '--pod-security', level], { encoding: 'utf8' });
      const report = JSON.parse(check.stdout) as { allowed: boolean; violations: { path: string }[] };
      expect(report.allowed, `${level}: ${warning}`).toBe(warning === '');
      expect(check.status).toBe(report.allowed ? 0 : 1);
      // Same number of refused fields, and each field the check names is one the API server names.
      expect(report.violations.length, `${level}: ${warning}\n${check.stderr}`).toBe((warning.match(/container "/g) ?? []).length);
      for (const v of report.violations) {
        const field = v.path.replace(/^.*securityContext\./, '').replace(/\.type$/, '');
        expect(warning, `${level}: ${v.path}`).toContain(field);
      }
    }
  });

  it('issue 12 defect 1: without an agent token k8s-manifests renders nothing; rendered anyway, the real builder exits on the node', async () => {
    const cli = join(repoRoot, 'libs/k8s-manifests/dist/cli.js');
    const values = (secret: string) =>
      [
        `name: ${NAME}`,
        `namespace: ${NS_TOKEN}`,
        `coder: {workspaceId: ${WORKSPACE_ID}, workspaceName: dev, ownerId: 5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b, ownerName: alice, agentUrl: "${standin.url}"}`,
        `builder: {image: "${builderImage}", repository: "https://127.0.0.1:${gitPort()}/fixture.git"}`,
        `secret: ${secret}`,
        '',
      ].join('\n');
    const file = join(root, 'token-values.yaml');
    writeFileSync(file, values('{}'));
    const refused = spawnSync(process.execPath, [cli, 'render', '--values', file, '--format', 'yaml'], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/agentToken is empty/);
    // What the refusal prevents, on the real node: the rendered builder container, as rendered, in a pod of its own.
    writeFileSync(file, values('{allowEmptyAgentToken: true}'));
    const rendered = execFileSync(process.execPath, [cli, 'render', '--values', file, '--format', 'yaml'], { encoding: 'utf8' });
    // kubectl prints one pretty JSON object per document, one after the other (top-level braces at column 0).
    const printed = kubectl(cluster, ['create', '--dry-run=client', '-o', 'json', '-f', '-'], rendered);
    const objects = JSON.parse(`[${printed.replace(/^}\n{/gm, '},{')}]`) as any[];
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const podSpec = deployment.spec.template.spec;
    kubectl(cluster, ['create', 'namespace', NS_TOKEN]);
    for (const o of objects.filter((x) => x.kind === 'Secret' || x.kind === 'ServiceAccount'))
      kubectl(cluster, ['apply', '-f', '-'], JSON.stringify(o));
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'no-agent-token', namespace: NS_TOKEN },
      spec: {
        ...podSpec,
        restartPolicy: 'Never',
        containers: podSpec.containers.filter((c: any) => c.name === 'builder'),
        volumes: podSpec.volumes.map((v: any) => (v.persistentVolumeClaim ? { name: v.name, emptyDir: {} } : v)),
      },
    };
    kubectl(cluster, ['apply', '-f', '-'], JSON.stringify(pod));
    const terminated = await waitFor(
      'the builder without a token to exit',
      () => kubectlJson<any>(cluster, ['get', 'pod', '-n', NS_TOKEN, 'no-agent-token']).status.containerStatuses?.[0]?.state?.terminated,
      120_000,
    );
    expect(terminated.exitCode).not.toBe(0);
    expect(kubectl(cluster, ['logs', '-n', NS_TOKEN, 'no-agent-token'])).toMatch(/CODER_AGENT_TOKEN/);
    kubectlRun(cluster, ['delete', 'namespace', NS_TOKEN, '--wait=false']);
  }, 300_000);

  it('start: Terraform creates the workspace, the kubelet runs the pod, the builder clones over HTTPS and builds the devcontainer in DinD, the agent connects', async () => {
    const { podAt } = await apply('start');
    const agentAt = await waitFor(
      'the agent to connect to the Coder stand-in',
      () => (standin.agentCalls().length > 0 ? Date.now() : undefined),
      600_000,
    );
    figures.coldPodToAgentSeconds = seconds(agentAt - (podAt as number));
    figures.clusterMemoryWithWorkspaceMiB = clusterStatus().memoryMiB;
    pod = podName() as string;
    expect(pod).toMatch(new RegExp(`^${NAME}-`));
    const status = await waitFor(
      'the builder to supervise',
      () => builderStatus(pod)?.phase === 'supervise' && builderStatus(pod),
      120_000,
    );
    expect(status.workspaceFolder).toBe('/workspaces/fixture');
    containerId = status.containerId;
    expect(containerId).toMatch(/^[0-9a-f]{12,64}$/);
    // The devcontainer is a container of the inner daemon, not of the node's containerd.
    expect(inDind(pod, 'inspect', '--format', '{{.State.Running}}', containerId)).toBe('true');
    expect(standin.agentCalls()[0]?.userAgent).toMatch(/uid=1000 user=dev auth=token/);
    // The builder's phases reached Coder's log API as separate sources, through the pod's loopback.
    expect(standin.sources().map((s) => s.display_name)).toContain('Builder: devcontainer up');
    expect(gitServer.requests().some((r) => r.auth === 'ok' && r.status === 200)).toBe(true);
    expect(relay?.bytes(gitPort())).toBeGreaterThan(0);
    for (const text of [...standin.logs().map((l) => l.output), kubectl(cluster, ['get', 'deployment', '-n', NS, NAME, '-o', 'yaml'])]) {
      expect(text).not.toContain(AGENT_TOKEN);
      expect(text).not.toContain(GIT_TOKEN);
    }
  }, 900_000);

  it("workspace-test's checks pass inside the devcontainer, reached through kubectl exec into dind + docker exec", async () => {
    const label = inDind(pod, 'inspect', '--format', '{{index .Config.Labels "devcontainer.metadata"}}', containerId);
    const { config } = await loadWorkspaceConfig({ workspaceFolder: fixture.work, metadataLabel: label });
    const gossfile = gossfileFor(config, { workspaceFolder: '/workspaces/fixture', ideServers: [] });
    const target = parseTarget(`kubectl-dind:${NS}/${pod}/dind/${containerId}`);
    if (target.kind !== 'kubectl-dind') throw new Error('unreachable');
    // remoteEnv applies to what runs in the devcontainer, as `devcontainer exec` does it.
    const env = await kubectlDindRemoteEnv(target, { kubectl: `${cluster.bin}/kubectl` });
    expect(env).toMatchObject({ FIXTURE_REMOTE_ENV: 'remote-env-value' });
    const result = await runGoss({
      target,
      env,
      gossfile,
      goss,
      kubectl: `${cluster.bin}/kubectl`,
      user: 'dev',
      retryTimeout: '30s',
    });
    const failed = result.checks.filter((c) => !c.successful && !c.skipped).map((c) => c.message);
    expect(failed).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary.total).toBeGreaterThan(5);
  }, 300_000);

  it('issue 12 defects 1 and 5: no container restarts; the agent token reaches the pod; dind runs the Deployment’s own dockerd arguments', () => {
    const live = kubectlJson<any>(cluster, ['get', 'pod', '-n', NS, pod]);
    const restarts = live.status.containerStatuses.map((c: any) => `${c.name}=${c.restartCount}`);
    expect(restarts.sort()).toEqual(['builder=0', 'dind=0']);
    expect(live.status.containerStatuses.every((c: any) => c.state.running)).toBe(true);
    const secret = kubectlJson<any>(cluster, ['get', 'secret', '-n', NS, `${NAME}-tokens`]);
    expect(Buffer.from(secret.data['agent-token'], 'base64').toString()).toBe(AGENT_TOKEN);
    // The rendered dind container, unchanged: image, and the arguments of kubernetes.tf.json.
    const rendered = JSON.parse(readFileSync(join(templateDir, 'kubernetes.tf.json'), 'utf8'));
    const renderedDind = rendered.resource.kubernetes_deployment_v1.workspace.spec[0].template[0].spec[0].container.find(
      (c: any) => c.name === 'dind',
    );
    const dind = live.spec.containers.find((c: any) => c.name === 'dind');
    expect(dind.image).toBe(renderedDind.image);
    expect(dind.args).toEqual(renderedDind.args.map((a: string) => a.replaceAll('${local.name}', NAME)));
    expect(dind.args[0]).toBe('dockerd');
    expect(live.status.containerStatuses.find((c: any) => c.name === 'dind').ready).toBe(true);
  });

  it('issue 12 defect 4: values left empty are unset in the live pod, not ""', () => {
    const live = kubectlJson<any>(cluster, ['get', 'deployment', '-n', NS, NAME]);
    const builder = live.spec.template.spec.containers.find((c: any) => c.name === 'builder');
    const empty = builder.env.filter((e: any) => !e.valueFrom && (e.value ?? '') === '').map((e: any) => e.name);
    expect(empty).toEqual([]);
    const names = builder.env.map((e: any) => e.name);
    for (const unset of ['DEVCONTAINER_CONFIG', 'DEVCONTAINER_CACHE_FROM', 'DEVCONTAINER_CACHE_TO']) expect(names).not.toContain(unset);
  });

  it("issue 12 defect 3: the inner daemon's containers live under the configured cgroup parent, not the node's /docker", () => {
    const parent = kubectlJson<any>(cluster, ['get', 'pod', '-n', NS, pod])
      .spec.containers.find((c: any) => c.name === 'dind')
      .args.find((a: string) => a.startsWith('--cgroup-parent='));
    expect(parent, 'the dind container has no --cgroup-parent').toBeDefined();
    const wanted = parent.slice('--cgroup-parent='.length);
    // The devcontainer's process, as the node sees it (cgroup v1: absolute paths of the node).
    const pid = inDind(pod, 'inspect', '--format', '{{.State.Pid}}', containerId);
    const cgroups = kubectl(cluster, ['exec', '-n', NS, pod, '-c', 'dind', '--', 'cat', `/proc/${pid}/cgroup`]);
    const memory = cgroups.split('\n').find((l) => /^\d+:memory:/.test(l)) as string;
    expect(memory).toBeDefined();
    const path = memory.split(':')[2] as string;
    expect(path).toContain(`${wanted}/`);
    expect(path.startsWith('/docker/')).toBe(false);
  });

  it('stop (start_count 0): the pod goes, the volumes stay; start: the same devcontainer comes back without a rebuild', async () => {
    agentCallsBefore = standin.agentCalls().length;
    const markers = () => {
      const p = podName() as string;
      return kubectl(cluster, [
        'exec',
        '-n',
        NS,
        p,
        '-c',
        'dind',
        '--',
        'docker',
        '--host',
        DIND_HOST,
        'exec',
        containerId,
        'sh',
        '-c',
        'echo "$(wc -l < /home/dev/markers/postCreate) $(wc -l < /home/dev/markers/postStart)"',
      ]);
    };
    const before = markers();
    expect(before).toBe('1 1');

    const stopped = await apply('stop');
    figures.stopSeconds = seconds(stopped.run.ms);
    await waitFor('the pod to go', () => kubectl(cluster, ['get', 'pods', '-n', NS, '-o', 'name']) === '' || undefined, 120_000);
    expect(kubectl(cluster, ['get', 'deployment,secret', '-n', NS, '-o', 'name'])).toBe('');
    const pvcs = kubectlJson<any>(cluster, ['get', 'pvc', '-n', NS]).items.map((p: any) => `${p.metadata.name}=${p.status.phase}`);
    expect(pvcs.sort()).toEqual([`${NAME}-docker=Bound`, `${NAME}-workspaces=Bound`]);

    const { podAt } = await apply('start');
    const agentAt = await waitFor(
      'the agent to connect again',
      () => (standin.agentCalls().length > agentCallsBefore ? Date.now() : undefined),
      600_000,
    );
    figures.warmPodToAgentSeconds = seconds(agentAt - (podAt as number));
    pod = podName() as string;
    const status = await waitFor(
      'the builder to supervise again',
      () => builderStatus(pod)?.phase === 'supervise' && builderStatus(pod),
      120_000,
    );
    // Same container (the inner daemon's data survived on its volume); creation hooks not run again, postStart once more.
    expect(status.containerId).toBe(containerId);
    // postStartCommand may run in the background after the agent starts (the builder's warm restart).
    await waitFor('postStartCommand to run again', () => markers() === '1 2' || undefined, 120_000).catch(() => undefined);
    expect(markers()).toBe('1 2');
  }, 900_000);

  it('destroy: nothing of the workspace is left in the namespace', async () => {
    const r = await terraform(work, ['destroy', '-auto-approve'], { ...tfEnv, CODER_WORKSPACE_TRANSITION: 'stop' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    applied = false;
    const left = await waitFor(
      'the namespace to empty',
      () => {
        const names = kubectl(cluster, ['get', 'all,pvc,secret,serviceaccount,configmap', '-n', NS, '-o', 'name'])
          .split('\n')
          .filter((n) => n && n !== 'serviceaccount/default' && n !== 'configmap/kube-root-ca.crt');
        return names.length === 0 ? names : undefined;
      },
      120_000,
    );
    expect(left).toEqual([]);
  }, 300_000);

  it("stop: the cluster leaves the host's kernel settings, cgroups and run dirs as it found them, and dockerd answering", () => {
    stopCluster();
    const after = hostState();
    expect(after).toEqual(hostBefore);
    expect(existsSync('/run/dck-k8s')).toBe(false);
    const shims = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('/run/dck-k8s/');
        } catch {
          return false;
        }
      });
    expect(shims).toEqual([]);
    expect(execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim()).not.toBe('');
  }, 120_000);
});
