// The Pod Security Standards (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
// checked on a pod template, control by control, so a caller learns before applying which fields the
// PodSecurity admission controller of a namespace would refuse. Written from the published rules
// (Kubernetes 1.35); an aid for planning, not a replacement for the admission controller.
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import type { WorkspaceManifests } from './workspace-manifests.js';

/** The levels of the `pod-security.kubernetes.io/enforce` namespace label, least to most strict. */
export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

/** One field that a level refuses. */
export interface PodSecurityViolation {
  /** The least strict level that refuses the field (a `baseline` violation is also a `restricted` one). */
  level: 'baseline' | 'restricted';
  /** The control of the standard, e.g. `Privileged Containers`, `Seccomp`. */
  control: string;
  /** Path of the field in the Deployment, e.g. `spec.template.spec.containers[0].securityContext.privileged`. */
  path: string;
  /** The container at fault, when the field belongs to one. */
  container?: string;
  message: string;
}

/** A pod template: its spec and the annotations of its metadata (AppArmor annotations count). */
export interface PodTemplateInput {
  spec: IPodSpec;
  annotations?: Record<string, string>;
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const PROFILE_OK = new Set(['RuntimeDefault', 'Localhost']);
const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

type Kind = 'containers' | 'initContainers' | 'ephemeralContainers';

/** Every violation of `level` by a pod template. `privileged` allows everything; `restricted` includes `baseline`. */
export function podSecurityViolations(
  pod: PodTemplateInput,
  level: PodSecurityLevel,
  { prefix = 'spec.template.spec' }: { prefix?: string } = {},
): PodSecurityViolation[] {
  if (level === 'privileged') return [];
  const out: PodSecurityViolation[] = [];
  const spec = pod.spec;
  const podSc = spec.securityContext ?? {};
  const add = (v: Omit<PodSecurityViolation, 'path'> & { path: string }) => out.push(v);
  const base = (control: string, path: string, message: string, container?: string) =>
    add({ level: 'baseline', control, path, message, ...(container ? { container } : {}) });
  const strict = (control: string, path: string, message: string, container?: string) =>
    add({ level: 'restricted', control, path, message, ...(container ? { container } : {}) });
  const P = (rest: string) => `${prefix}.${rest}`;

  const containers: { kind: Kind; index: number; c: IContainer }[] = [];
  for (const kind of ['initContainers', 'containers', 'ephemeralContainers'] as const)
    ((spec[kind] ?? []) as IContainer[]).forEach((c, index) => {
      containers.push({ kind, index, c });
    });

  // ---- baseline ----
  if (podSc.windowsOptions?.hostProcess)
    base('HostProcess', P('securityContext.windowsOptions.hostProcess'), 'the pod asks for a Windows HostProcess');
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const)
    if (spec[ns]) base('Host Namespaces', P(ns), `${ns} is true: the pod would share the node's namespace`);
  (spec.volumes ?? []).forEach((v, i) => {
    if (v.hostPath) base('HostPath Volumes', P(`volumes[${i}].hostPath`), `volume "${v.name}" is a hostPath`);
  });
  for (const sysctl of podSc.sysctls ?? [])
    if (!SAFE_SYSCTLS.has(sysctl.name)) base('Sysctls', P('securityContext.sysctls'), `sysctl ${sysctl.name} is not in the safe set`);
  const podSeLinux = podSc.seLinuxOptions;
  if (podSeLinux) seLinux(podSeLinux, P('securityContext.seLinuxOptions'), undefined);
  if (podSc.seccompProfile?.type === 'Unconfined')
    base('Seccomp', P('securityContext.seccompProfile.type'), 'the pod seccomp profile is Unconfined');
  const podAppArmor = (podSc as { appArmorProfile?: { type?: string } }).appArmorProfile?.type;
  if (podAppArmor !== undefined && !PROFILE_OK.has(podAppArmor))
    base('AppArmor', P('securityContext.appArmorProfile.type'), `the pod AppArmor profile is ${podAppArmor}`);
  for (const [key, value] of Object.entries(pod.annotations ?? {}))
    if (key.startsWith(APPARMOR_ANNOTATION) && value !== 'runtime/default' && !value.startsWith('localhost/'))
      base('AppArmor', `${prefix.replace(/\.spec$/, '')}.metadata.annotations[${key}]`, `AppArmor profile ${value}`);

  function seLinux(o: NonNullable<typeof podSc.seLinuxOptions>, path: string, container: string | undefined) {
    if (o.type !== undefined && !SELINUX_TYPES.has(o.type))
      base(
        'SELinux',
        `${path}.type`,
        `SELinux type ${o.type} is not container_t, container_init_t, container_kvm_t or container_engine_t`,
        container,
      );
    if (o.user) base('SELinux', `${path}.user`, 'a custom SELinux user is set', container);
    if (o.role) base('SELinux', `${path}.role`, 'a custom SELinux role is set', container);
  }

  for (const { kind, index, c } of containers) {
    const sc = c.securityContext ?? {};
    const at = (rest: string) => P(`${kind}[${index}].${rest}`);
    const who = `container "${c.name}"`;
    if (sc.windowsOptions?.hostProcess)
      base('HostProcess', at('securityContext.windowsOptions.hostProcess'), `${who} asks for a Windows HostProcess`, c.name);
    if (sc.privileged) base('Privileged Containers', at('securityContext.privileged'), `${who} is privileged`, c.name);
    for (const cap of sc.capabilities?.add ?? [])
      if (!BASELINE_CAPABILITIES.has(cap))
        base('Capabilities', at('securityContext.capabilities.add'), `${who} adds capability ${cap}`, c.name);
    (c.ports ?? []).forEach((p, i) => {
      if (p.hostPort) base('Host Ports', at(`ports[${i}].hostPort`), `${who} binds host port ${p.hostPort}`, c.name);
    });
    if (sc.seLinuxOptions) seLinux(sc.seLinuxOptions, at('securityContext.seLinuxOptions'), c.name);
    if (sc.procMount !== undefined && sc.procMount !== 'Default')
      base('/proc Mount Type', at('securityContext.procMount'), `${who} asks for procMount ${sc.procMount}`, c.name);
    if (sc.seccompProfile?.type === 'Unconfined')
      base('Seccomp', at('securityContext.seccompProfile.type'), `${who} runs with seccomp profile Unconfined`, c.name);
    const appArmor = (sc as { appArmorProfile?: { type?: string } }).appArmorProfile?.type;
    if (appArmor !== undefined && !PROFILE_OK.has(appArmor))
      base('AppArmor', at('securityContext.appArmorProfile.type'), `${who} AppArmor profile is ${appArmor}`, c.name);
  }
  if (level === 'baseline') return out;

  // ---- restricted ----
  (spec.volumes ?? []).forEach((v, i) => {
    for (const type of Object.keys(v))
      if (type !== 'name' && type !== 'hostPath' && !RESTRICTED_VOLUME_TYPES.has(type))
        strict('Volume Types', P(`volumes[${i}].${type}`), `volume "${v.name}" is of type ${type}`);
  });
  if (podSc.runAsUser === 0) strict('Running as Non-root user', P('securityContext.runAsUser'), 'the pod runs as UID 0');
  for (const { kind, index, c } of containers) {
    const sc = c.securityContext ?? {};
    const at = (rest: string) => P(`${kind}[${index}].${rest}`);
    const who = `container "${c.name}"`;
    if (sc.allowPrivilegeEscalation !== false)
      strict(
        'Privilege Escalation',
        at('securityContext.allowPrivilegeEscalation'),
        `${who}: allowPrivilegeEscalation is not false`,
        c.name,
      );
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot))
      strict('Running as Non-root', at('securityContext.runAsNonRoot'), `${who}: runAsNonRoot is not true (here or on the pod)`, c.name);
    if (sc.runAsUser === 0) strict('Running as Non-root user', at('securityContext.runAsUser'), `${who} runs as UID 0`, c.name);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp === undefined)
      strict(
        'Seccomp',
        at('securityContext.seccompProfile.type'),
        `${who}: no seccomp profile (here or on the pod); RuntimeDefault or Localhost is required`,
        c.name,
      );
    if (!sc.capabilities?.drop?.includes('ALL'))
      strict('Capabilities', at('securityContext.capabilities.drop'), `${who} does not drop ALL capabilities`, c.name);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== 'NET_BIND_SERVICE' && BASELINE_CAPABILITIES.has(cap))
        strict(
          'Capabilities',
          at('securityContext.capabilities.add'),
          `${who} adds capability ${cap} (only NET_BIND_SERVICE may be added)`,
          c.name,
        );
  }
  return out;
}

/** The workspace Deployment's pod template against `level`: every field the namespace would refuse. */
export function checkPodSecurity(manifests: Pick<WorkspaceManifests, 'deployment'>, level: PodSecurityLevel): PodSecurityViolation[] {
  const template = manifests.deployment.spec?.template;
  if (!template?.spec) return [];
  return podSecurityViolations(
    { spec: template.spec, ...(template.metadata?.annotations ? { annotations: template.metadata.annotations } : {}) },
    level,
  );
}

/** The strictest level the workspace pod satisfies (`privileged` for the Docker-in-Docker pod this package renders). */
export function strictestPodSecurityLevel(manifests: Pick<WorkspaceManifests, 'deployment'>): PodSecurityLevel {
  if (checkPodSecurity(manifests, 'restricted').length === 0) return 'restricted';
  if (checkPodSecurity(manifests, 'baseline').length === 0) return 'baseline';
  return 'privileged';
}

export function isPodSecurityLevel(value: unknown): value is PodSecurityLevel {
  return typeof value === 'string' && (POD_SECURITY_LEVELS as readonly string[]).includes(value);
}
