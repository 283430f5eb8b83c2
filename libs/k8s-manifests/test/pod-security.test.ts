// Real parts: the rendered workspace objects; synthetic pod specs, one per control of the Pod Security Standards.
// Pure logic, no I/O. The real admission controller is exercised by the cluster tests (tests/e2e/kubernetes).
import type { IPodSpec } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { checkPodSecurity, podSecurityViolations, strictestPodSecurityLevel } from '../src/pod-security.js';
import { workspaceManifests } from '../src/workspace-manifests.js';
import { fixtureOptions } from './support/fixtures.js';

/** A pod that satisfies "restricted": every check below changes one field of it. */
const compliant = (): IPodSpec => ({
  securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'x',
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    },
  ],
  volumes: [
    { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'tmp', emptyDir: {} },
  ],
});
const app = (spec: IPodSpec) => {
  const c = spec.containers[0];
  if (!c) throw new Error('no container');
  c.securityContext ??= {};
  return c;
};
const paths = (spec: IPodSpec, level: 'baseline' | 'restricted', annotations?: Record<string, string>) =>
  podSecurityViolations({ spec, ...(annotations ? { annotations } : {}) }, level).map((v) => `${v.level} ${v.control} ${v.path}`);

describe('podSecurityViolations: one control at a time', () => {
  it('a compliant pod passes restricted (the checks are not always failing)', () => {
    expect(paths(compliant(), 'restricted')).toEqual([]);
    expect(paths(compliant(), 'baseline')).toEqual([]);
  });

  const cases: [string, (s: IPodSpec) => void, string[], string[]][] = [
    // [name, mutation, baseline violations, extra restricted violations]
    [
      'privileged',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, privileged: true };
      },
      ['baseline Privileged Containers spec.template.spec.containers[0].securityContext.privileged'],
      [],
    ],
    [
      'hostNetwork',
      (s) => {
        s.hostNetwork = true;
      },
      ['baseline Host Namespaces spec.template.spec.hostNetwork'],
      [],
    ],
    [
      'hostPID',
      (s) => {
        s.hostPID = true;
      },
      ['baseline Host Namespaces spec.template.spec.hostPID'],
      [],
    ],
    [
      'hostPath',
      (s) => void s.volumes?.push({ name: 'h', hostPath: { path: '/' } }),
      ['baseline HostPath Volumes spec.template.spec.volumes[2].hostPath'],
      [],
    ],
    [
      'hostPort',
      (s) => {
        app(s).ports = [{ containerPort: 80, hostPort: 8080 }];
      },
      ['baseline Host Ports spec.template.spec.containers[0].ports[0].hostPort'],
      [],
    ],
    [
      'SYS_ADMIN added',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] } };
      },
      ['baseline Capabilities spec.template.spec.containers[0].securityContext.capabilities.add'],
      [],
    ],
    [
      'CHOWN added (baseline allows it, restricted does not)',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, capabilities: { drop: ['ALL'], add: ['CHOWN'] } };
      },
      [],
      ['restricted Capabilities spec.template.spec.containers[0].securityContext.capabilities.add'],
    ],
    [
      'unsafe sysctl',
      (s) => {
        s.securityContext = { ...s.securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] };
      },
      ['baseline Sysctls spec.template.spec.securityContext.sysctls'],
      [],
    ],
    [
      'SELinux type',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, seLinuxOptions: { type: 'spc_t' } };
      },
      ['baseline SELinux spec.template.spec.containers[0].securityContext.seLinuxOptions.type'],
      [],
    ],
    [
      'procMount Unmasked',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, procMount: 'Unmasked' };
      },
      ['baseline /proc Mount Type spec.template.spec.containers[0].securityContext.procMount'],
      [],
    ],
    [
      'seccomp Unconfined on a container',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, seccompProfile: { type: 'Unconfined' } };
      },
      ['baseline Seccomp spec.template.spec.containers[0].securityContext.seccompProfile.type'],
      [],
    ],
    [
      'no seccomp profile anywhere',
      (s) => {
        s.securityContext = { runAsNonRoot: true };
      },
      [],
      ['restricted Seccomp spec.template.spec.containers[0].securityContext.seccompProfile.type'],
    ],
    [
      'nfs volume',
      (s) => void s.volumes?.push({ name: 'n', nfs: { server: 'x', path: '/' } }),
      [],
      ['restricted Volume Types spec.template.spec.volumes[2].nfs'],
    ],
    [
      'allowPrivilegeEscalation unset',
      (s) => {
        app(s).securityContext = { capabilities: { drop: ['ALL'] } };
      },
      [],
      ['restricted Privilege Escalation spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation'],
    ],
    [
      'runAsNonRoot missing',
      (s) => {
        s.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
      },
      [],
      ['restricted Running as Non-root spec.template.spec.containers[0].securityContext.runAsNonRoot'],
    ],
    [
      'runAsUser 0',
      (s) => {
        app(s).securityContext = { ...app(s).securityContext, runAsUser: 0 };
      },
      [],
      ['restricted Running as Non-root user spec.template.spec.containers[0].securityContext.runAsUser'],
    ],
    [
      'capabilities not dropped',
      (s) => {
        app(s).securityContext = { allowPrivilegeEscalation: false };
      },
      [],
      ['restricted Capabilities spec.template.spec.containers[0].securityContext.capabilities.drop'],
    ],
    [
      'an init container counts too',
      (s) => {
        s.initContainers = [
          {
            name: 'init',
            image: 'x',
            securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ];
      },
      ['baseline Privileged Containers spec.template.spec.initContainers[0].securityContext.privileged'],
      [],
    ],
  ];
  for (const [name, mutate, baseline, restrictedOnly] of cases) {
    it(name, () => {
      const spec = compliant();
      mutate(spec);
      expect(paths(spec, 'baseline')).toEqual(baseline);
      expect(paths(spec, 'restricted').sort()).toEqual([...baseline, ...restrictedOnly].sort());
    });
  }

  it('AppArmor: an unconfined annotation is a baseline violation, runtime/default is not', () => {
    const annotations = { 'container.apparmor.security.beta.kubernetes.io/app': 'unconfined' };
    expect(paths(compliant(), 'baseline', annotations)).toEqual([
      'baseline AppArmor spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/app]',
    ]);
    expect(paths(compliant(), 'baseline', { 'container.apparmor.security.beta.kubernetes.io/app': 'runtime/default' })).toEqual([]);
  });

  it('privileged allows everything', () => {
    const spec = compliant();
    spec.hostNetwork = true;
    expect(podSecurityViolations({ spec }, 'privileged')).toEqual([]);
  });
});

describe('checkPodSecurity on the workspace pod', () => {
  const m = workspaceManifests(fixtureOptions('minimal'));

  it('baseline: names the dind container, its privileged flag and its Unconfined seccomp, nothing of the builder', () => {
    const v = checkPodSecurity(m, 'baseline');
    expect(v.map((x) => `${x.container} ${x.path}`)).toEqual([
      'dind spec.template.spec.containers[0].securityContext.privileged',
      'dind spec.template.spec.containers[0].securityContext.seccompProfile.type',
    ]);
    expect(v[0]?.message).toBe('container "dind" is privileged');
  });

  it('restricted: adds what dind breaks beyond baseline (root, escalation, capabilities), still nothing of the builder', () => {
    const v = checkPodSecurity(m, 'restricted');
    expect(v.every((x) => x.container === 'dind')).toBe(true);
    expect(v.filter((x) => x.level === 'restricted').map((x) => x.control)).toEqual([
      'Privilege Escalation',
      'Running as Non-root',
      'Running as Non-root user',
      'Capabilities',
    ]);
  });

  it('needs privileged; sysbox drops the privileged flag but its Unconfined seccomp still breaks baseline', () => {
    expect(strictestPodSecurityLevel(m)).toBe('privileged');
    const sysbox = workspaceManifests({ ...fixtureOptions('minimal'), dind: { isolation: 'sysbox' } });
    expect(checkPodSecurity(sysbox, 'baseline').map((x) => x.control)).toEqual(['Seccomp']);
    expect(strictestPodSecurityLevel(sysbox)).toBe('privileged');
  });
});
