// Support for the end-to-end test on the test bed's Kubernetes node: Terraform runs of the template
// with the coder provider's values faked (as Coder's provisioner sets them), hostPath volumes bound
// by claimRef, the git server's TLS material, and images the pod needs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../support/testbed.js';

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

export function hostPathVolume(o: { name: string; path: string; namespace: string; claim: string }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: o.name, labels: { 'devcontainer-kit.test': 'kubernetes-e2e' } },
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
