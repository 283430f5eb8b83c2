// The Pod Security Standards "restricted" profile (Kubernetes 1.27 rules), checked on a pod spec.
// Written from https://kubernetes.io/docs/concepts/security/pod-security-standards/ — a test helper,
// not a replacement for the admission controller.
import type { IPodSpec } from 'kubernetes-models/v1';

const ALLOWED_VOLUME_TYPES = new Set([
  'name',
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Violations of "restricted" by the pod and by each container not in `except`. */
export function restrictedViolations(spec: IPodSpec, { except = [] as string[] } = {}): string[] {
  const out: string[] = [];
  if (spec.hostNetwork) out.push('pod: hostNetwork');
  if (spec.hostPID) out.push('pod: hostPID');
  if (spec.hostIPC) out.push('pod: hostIPC');
  for (const v of spec.volumes ?? [])
    for (const key of Object.keys(v)) if (!ALLOWED_VOLUME_TYPES.has(key)) out.push(`volume ${v.name}: type ${key}`);
  const podSc = spec.securityContext ?? {};
  if (podSc.sysctls?.length) out.push('pod: sysctls');
  if (podSc.seLinuxOptions?.type && !['container_t', 'container_init_t', 'container_kvm_t'].includes(podSc.seLinuxOptions.type))
    out.push('pod: seLinuxOptions.type');
  const podSeccomp = podSc.seccompProfile?.type;
  if (podSeccomp === 'Unconfined') out.push('pod: seccomp Unconfined');
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (except.includes(c.name)) continue;
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) out.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) out.push(`${where}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${where}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${where}: seccomp profile ${seccomp ?? 'unset'}`);
    if (!sc.capabilities?.drop?.includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${where}: adds capability ${cap}`);
    if (c.ports?.some((p) => p.hostPort)) out.push(`${where}: hostPort`);
    if (sc.procMount && sc.procMount !== 'Default') out.push(`${where}: procMount ${sc.procMount}`);
    if (sc.windowsOptions?.hostProcess) out.push(`${where}: hostProcess`);
  }
  return out;
}
