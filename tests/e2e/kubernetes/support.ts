// Support for the end-to-end test on the test bed's Kubernetes node and the template's bench
// (apps/coder-devcontainer-kubernetes/bench): Terraform runs of the template with the coder provider's
// values faked (as Coder's provisioner sets them), hostPath volumes bound by claimRef, the git server's
// TLS material, images the pod needs, and a start/stop transition that reaches the new pod's loopback.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Cluster, kubectl, kubectlRun, sandboxPids } from '../../support/kubernetes.js';
import { DIND_PRIVILEGED_FLAGS, repoRoot } from '../../support/testbed.js';

export const templateDir = join(repoRoot, 'apps/coder-devcontainer-kubernetes');

/** What the coder provider reads for a parameter value outside a real Coder build. */
export const parameterEnv = (name: string) => `CODER_PARAMETER_${createHash('sha256').update(name).digest('hex')}`;
/** The coder provider takes the agent token from here instead of making a new one (Coder uses it for prebuilds). */
export const agentTokenEnv = `CODER_RUNNING_WORKSPACE_AGENT_TOKEN_${createHash('sha256').update('').digest('hex')}`;

export interface TerraformRun {
  status: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A working copy of the template (main.tf + kubernetes.tf.json) with `terraform init` done. */
export function prepareTemplate(dir: string, env: NodeJS.ProcessEnv): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(templateDir))
    if (f.endsWith('.tf') || f.endsWith('.tf.json')) copyFileSync(join(templateDir, f), join(dir, f));
  const r = spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: dir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`terraform init failed:\n${r.stdout}\n${r.stderr}`);
}

/** terraform ARGS in dir, asynchronously (the test watches the cluster meanwhile). Secrets only in env. */
export function terraform(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<TerraformRun> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn('terraform', [...args, '-input=false', '-no-color'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr, ms: Date.now() - t0 }));
  });
}

/** A hostPath PV bound to one claim, labelled `devcontainer-kit.test=<label>` (default kubernetes-e2e) for cleanup. */
export function hostPathVolume(o: { name: string; path: string; namespace: string; claim: string; label?: string }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: o.name, labels: { 'devcontainer-kit.test': o.label ?? 'kubernetes-e2e' } },
    spec: {
      capacity: { storage: '1Ti' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      storageClassName: '',
      claimRef: { namespace: o.namespace, name: o.claim },
      hostPath: { path: o.path, type: 'Directory' },
    },
  });
}

/**
 * A CA and a server certificate for 127.0.0.1, made once and kept in the cache (so the builder image
 * that trusts the CA keeps its tag and is imported into containerd once).
 */
export function gitTls(cacheDir: string): { ca: string; key: string; cert: string } {
  const dir = join(cacheDir, 'k8s/e2e-git-tls');
  if (!existsSync(join(dir, 'server.crt'))) {
    mkdirSync(dir, { recursive: true });
    const sh = (script: string) => execFileSync('sh', ['-c', script], { cwd: dir, stdio: 'ignore' });
    sh('openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=dck-e2e-git-ca');
    sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    sh('openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 3650 -extfile server.ext');
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: read('ca.crt'), key: read('server.key'), cert: read('server.crt') };
}

/**
 * The builder image plus the test git server's CA in the system bundle (the template's repository
 * parameter takes https:// URLs only). Tagged by the builder image's id and the CA.
 */
export function builderImageTrusting(builderImage: string, ca: string, workDir: string): string {
  const id = execFileSync('docker', ['image', 'inspect', '--format', '{{.Id}} {{.Config.User}}', builderImage], {
    encoding: 'utf8',
  }).trim();
  const [imageId, user] = id.split(' ');
  const tag = `dck-testbed/builder-test-ca:${createHash('sha256').update(`${imageId}\n${ca}`).digest('hex').slice(0, 16)}`;
  if (spawnSync('docker', ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0) return tag;
  const ctx = join(workDir, 'builder-ca-context');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'ca.crt'), ca);
  writeFileSync(
    join(ctx, 'Dockerfile'),
    `FROM ${builderImage}\nUSER root\nCOPY ca.crt /tmp/dck-e2e-ca.crt\nRUN cat /tmp/dck-e2e-ca.crt >> /etc/ssl/certs/ca-certificates.crt && rm /tmp/dck-e2e-ca.crt\nUSER ${user || 'root'}\n`,
  );
  execFileSync('docker', ['build', '--network', 'host', '-q', '-t', tag, ctx], { stdio: 'ignore' });
  // Earlier builder images or CAs left their own tags: one is kept, not one per builder change.
  const stale = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}', 'dck-testbed/builder-test-ca'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter((t) => t && t !== tag);
  if (stale.length) spawnSync('docker', ['rmi', ...stale], { stdio: 'ignore' });
  return tag;
}

export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * local/debian:bookworm into an inner Docker data directory (the docker PV) before the pod starts, by
 * the DinD image's dockerd with the Deployment's --data-root: there is no registry to pull from.
 */
export function loadInnerBaseImage(o: { dindImage: string; dockerData: string; workDir: string }): void {
  const tar = join(o.workDir, 'base.tar');
  execFileSync('docker', ['save', '-o', tar, 'local/debian:bookworm']);
  const script = [
    'dockerd --bridge=none --iptables=false --data-root=/var/lib/docker/data --host=unix:///tmp/preload.sock >/tmp/dockerd.log 2>&1 &',
    'pid=$!',
    'for i in $(seq 1 100); do docker -H unix:///tmp/preload.sock version >/dev/null 2>&1 && break; sleep 0.2; done',
    'docker -H unix:///tmp/preload.sock load -q -i /base.tar',
    'kill $pid; wait $pid',
  ].join('\n');
  execFileSync(
    'docker',
    [
      'run',
      '--rm',
      ...DIND_PRIVILEGED_FLAGS,
      ...['--network', 'host', '-v', `${o.dockerData}:/var/lib/docker`, '-v', `${tar}:/base.tar:ro`],
      o.dindImage,
      'sh',
      '-c',
      script,
    ],
    { stdio: 'ignore' },
  );
  rmSync(tar, { force: true });
}

/**
 * The workspace's two volumes as hostPath PVs bound to the template's claims: `workspaces` owned by
 * the builder's user (a real volume gets fsGroup; hostPath does not), `docker` holding the base image.
 */
export function createWorkspaceVolumes(o: {
  cluster: Cluster;
  dir: string;
  namespace: string;
  name: string;
  dindImage: string;
  label?: string;
}): void {
  const workspaces = join(o.dir, 'pv-workspaces');
  const dockerData = join(o.dir, 'pv-docker');
  mkdirSync(workspaces, { recursive: true });
  mkdirSync(dockerData, { recursive: true });
  chownSync(workspaces, 1000, 1000);
  loadInnerBaseImage({ dindImage: o.dindImage, dockerData, workDir: o.dir });
  for (const [pv, path] of [
    ['workspaces', workspaces],
    ['docker', dockerData],
  ] as const)
    kubectl(
      o.cluster,
      ['apply', '-f', '-'],
      hostPathVolume({ name: `${o.namespace}-${pv}`, path, namespace: o.namespace, claim: `${o.name}-${pv}`, label: o.label }),
    );
}

export interface WorkspaceEnvOptions {
  cluster: Cluster;
  /** TF_CLI_CONFIG_FILE (terraformCliConfig()). */
  cliConfig: string;
  namespace: string;
  workspaceId: string;
  /** The Coder stand-in's URL and agent token. */
  agentUrl: string;
  agentToken: string;
  /** The git server's token, passed as the GitHub external-auth token. */
  gitToken: string;
  repoUrl: string;
  branch: string;
  builderImage: string;
}

/** Terraform's environment for the template: the coder provider's values as Coder's provisioner sets them. */
export function workspaceTerraformEnv(o: WorkspaceEnvOptions): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('KUBE') || k.startsWith('CODER_') || k.startsWith('TF_')) delete base[k];
  return {
    ...base,
    TF_CLI_CONFIG_FILE: o.cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    KUBE_CONFIG_PATH: o.cluster.kubeconfig,
    TF_VAR_namespace: o.namespace,
    CODER_WORKSPACE_ID: o.workspaceId,
    CODER_WORKSPACE_NAME: 'dev',
    CODER_WORKSPACE_OWNER: 'alice',
    CODER_WORKSPACE_OWNER_ID: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
    CODER_WORKSPACE_OWNER_EMAIL: 'alice@example.com',
    CODER_AGENT_URL: o.agentUrl,
    // The provider fills ${ACCESS_URL} and ${AUTH_TYPE} in, as in a real Coder build.
    CODER_AGENT_SCRIPT_linux_amd64: readFileSync(join(repoRoot, 'tests/support/fake-coder-agent/bootstrap_linux.sh'), 'utf8').replaceAll(
      '${ARCH}',
      'amd64',
    ),
    [agentTokenEnv]: o.agentToken,
    CODER_EXTERNAL_AUTH_ACCESS_TOKEN_github: o.gitToken,
    [parameterEnv('repo_url')]: o.repoUrl,
    [parameterEnv('git_branch')]: o.branch,
    [parameterEnv('builder_image')]: o.builderImage,
    [parameterEnv('cpu')]: '2',
    [parameterEnv('memory')]: '4',
  };
}

/** The workspace Deployment's pod (the first), if any. */
export function workspacePod(cluster: Cluster, namespace: string, name: string): string | undefined {
  const pod = kubectl(cluster, [
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `app.kubernetes.io/instance=${name}`,
    '-o',
    'jsonpath={.items[0].metadata.name}',
  ]);
  return pod || undefined;
}

/** The builder's status file in the pod, parsed; undefined while it is not there. */
// biome-ignore lint/suspicious/noExplicitAny: the status file is JSON the callers check.
export function builderStatus(cluster: Cluster, namespace: string, pod: string): any | undefined {
  const r = kubectlRun(cluster, [
    'exec',
    '-n',
    namespace,
    pod,
    '-c',
    'builder',
    '--',
    'cat',
    '/workspaces/.devcontainer-builder/status.json',
  ]);
  if (r.status !== 0) return undefined;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return undefined;
  }
}

/**
 * `terraform apply` of the template for a transition; throws with Terraform's output when it fails.
 * For `start`, the new pod's sandbox is caught as soon as it runs (one not in `seenSandboxes`) and
 * `onSandbox` gets its pid — to start the loopback relay before the builder needs git and Coder —
 * and `podAt` is that moment.
 */
export async function applyTransition(o: {
  cluster: Cluster;
  work: string;
  env: NodeJS.ProcessEnv;
  namespace: string;
  transition: 'start' | 'stop';
  seenSandboxes: Set<string>;
  onSandbox?: (pid: number) => Promise<void>;
}): Promise<{ run: TerraformRun; podAt?: number }> {
  const env = { ...o.env, CODER_WORKSPACE_TRANSITION: o.transition };
  let finished: TerraformRun | undefined;
  const running = terraform(o.work, ['apply', '-auto-approve'], env).then((r) => (finished = r));
  const failed = (r: TerraformRun) => new Error(`terraform apply (${o.transition}) failed:\n${r.stdout}\n${r.stderr}`);
  let podAt: number | undefined;
  if (o.transition === 'start') {
    const sandbox = await waitFor(
      'the workspace pod sandbox',
      () => {
        if (finished && finished.status !== 0) throw failed(finished);
        for (const [id, pid] of sandboxPids(o.cluster, o.namespace)) if (!o.seenSandboxes.has(id)) return { id, pid };
        return undefined;
      },
      180_000,
      100,
    );
    podAt = Date.now();
    o.seenSandboxes.add(sandbox.id);
    await o.onSandbox?.(sandbox.pid);
  }
  const run = await running;
  if (run.status !== 0) throw failed(run);
  return { run, ...(podAt ? { podAt } : {}) };
}
