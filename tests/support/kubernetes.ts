// Test-side access to the test bed's one-node Kubernetes cluster (tests/testbed/kubernetes.sh):
// start/stop it, kubectl against it, images into its containerd, and the pid of a pod's sandbox
// (to run host servers inside the pod's loopback-only network namespace, see pod-loopback/).
import { execFileSync, spawnSync } from 'node:child_process';
import { runTestbed } from './testbed.js';

export interface Cluster {
  kubeconfig: string;
  /** Folder with kubectl, kubelet, kube-apiserver… */
  bin: string;
  /** The cluster's containerd socket. */
  containerd: string;
  node: string;
  /** Seconds the last `start` took (null when it found the cluster running). */
  startupSeconds: number | null;
  /** Resident memory of the cluster's processes when asked. */
  memoryMiB: number;
}

/** Starts the cluster, or finds it running. */
export function startCluster(): Cluster {
  return JSON.parse(runTestbed('kubernetes', 'start')) as Cluster;
}

/** The running cluster's figures (memory now). */
export function clusterStatus(): Cluster {
  return JSON.parse(runTestbed('kubernetes', 'status')) as Cluster;
}

export function stopCluster(): void {
  runTestbed('kubernetes', 'stop');
}

/** Copies a local Docker image into the cluster's containerd (once per tag), also tagged as each alias. */
export function loadImage(image: string, ...aliases: string[]): void {
  runTestbed('kubernetes', 'load', image, ...aliases);
}

export interface KubectlResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** kubectl against the cluster; never throws. */
export function kubectlRun(cluster: Cluster, args: string[], input?: string): KubectlResult {
  const r = spawnSync(`${cluster.bin}/kubectl`, ['--kubeconfig', cluster.kubeconfig, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...(input !== undefined ? { input } : {}),
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** kubectl against the cluster; throws with its stderr on failure. */
export function kubectl(cluster: Cluster, args: string[], input?: string): string {
  const r = kubectlRun(cluster, args, input);
  if (r.status !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export function kubectlJson<T = Record<string, unknown>>(cluster: Cluster, args: string[]): T {
  return JSON.parse(kubectl(cluster, [...args, '-o', 'json'])) as T;
}

function ctr(cluster: Cluster, args: string[]): string {
  return execFileSync('ctr', ['--address', cluster.containerd, '--namespace', 'k8s.io', ...args], { encoding: 'utf8' });
}

/**
 * Host pids of the running pod sandboxes (pause processes) in a namespace, by sandbox id. Each holds
 * its pod's network namespace.
 */
export function sandboxPids(cluster: Cluster, namespace: string): Map<string, number> {
  const ids = ctr(cluster, [
    'containers',
    'ls',
    '-q',
    `labels."io.cri-containerd.kind"==sandbox,labels."io.kubernetes.pod.namespace"==${namespace}`,
  ])
    .split('\n')
    .filter(Boolean);
  const pids = new Map<string, number>();
  if (ids.length === 0) return pids;
  // TASK  PID  STATUS
  for (const line of ctr(cluster, ['tasks', 'ls']).split('\n').slice(1)) {
    const [id, pid, status] = line.trim().split(/\s+/);
    if (id && ids.includes(id) && status === 'RUNNING') pids.set(id, Number(pid));
  }
  return pids;
}
