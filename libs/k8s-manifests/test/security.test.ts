// Real parts: the rendered objects and their YAML/Terraform JSON text. Pure logic, no I/O.
// The Pod Security Standards rules come from src/pod-security.ts (tested on its own in pod-security.test.ts).
import { describe, expect, it } from 'vitest';
import { checkPodSecurity } from '../src/pod-security.js';
import { toTerraformJson } from '../src/terraform-json.js';
import { listManifests, workspaceManifests } from '../src/workspace-manifests.js';
import { toYaml } from '../src/yaml.js';
import { variants } from './support/fixtures.js';

const AGENT = 'sentinel-agent-token-5f0c';
const GIT = 'sentinel-git-token-77ab';

describe('security', () => {
  const all = Object.entries(variants());

  it('tokens appear only in the Secret: not in env values, args, labels or annotations, not in other objects', () => {
    const m = workspaceManifests(variants().full);
    for (const { key, object } of listManifests(m)) {
      if (key === 'secret') continue;
      const text = JSON.stringify(object.toJSON());
      expect(text, `${object.kind}`).not.toContain(AGENT);
      expect(text, `${object.kind}`).not.toContain(GIT);
    }
    expect(JSON.stringify(m.secret?.toJSON())).toContain(AGENT);
    for (const c of m.deployment.spec?.template.spec?.containers ?? []) {
      for (const e of c.env ?? []) {
        if (/TOKEN/.test(e.name)) {
          expect(e.value, e.name).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef?.name, e.name).toBe('coder-bob-api-tokens');
        }
      }
    }
  });

  it('in the YAML and the Terraform JSON each token occurs exactly once (the Secret)', () => {
    const m = workspaceManifests(variants().full);
    for (const text of [toYaml(m), toTerraformJson(m)]) {
      expect(text.split(AGENT).length - 1).toBe(1);
      expect(text.split(GIT).length - 1).toBe(1);
    }
  });

  it('refuses secret-looking plain env vars and annotations never carry tokens', () => {
    const base = variants().minimal;
    expect(() => workspaceManifests({ ...base, builder: { ...base.builder, env: { NPM_TOKEN: 'x' } } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    for (const [, options] of all) {
      const m = workspaceManifests(options);
      const annotations = { ...m.deployment.metadata?.annotations, ...m.deployment.spec?.template.metadata?.annotations };
      for (const v of Object.values(annotations)) expect(v).not.toMatch(/sentinel/);
    }
  });

  for (const [name, options] of all) {
    describe(name, () => {
      const m = workspaceManifests(options);
      const pod = m.deployment.spec?.template.spec;
      if (!pod) throw new Error('no pod spec');

      it('every container but dind: non-root, no privilege escalation, all capabilities dropped, seccomp', () => {
        for (const c of pod.containers.filter((x) => x.name !== 'dind')) {
          expect(c.securityContext?.runAsNonRoot, c.name).toBe(true);
          expect(c.securityContext?.runAsUser, c.name).not.toBe(0);
          expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
          expect(c.securityContext?.capabilities?.drop, c.name).toEqual(['ALL']);
          expect(c.securityContext?.capabilities?.add, c.name).toBeUndefined();
          expect(c.securityContext?.seccompProfile?.type, c.name).toBe('RuntimeDefault');
          expect(c.securityContext?.privileged, c.name).toBeUndefined();
        }
      });

      it('restricted Pod Security Standard holds for the pod and every container but dind', () => {
        const violations = checkPodSecurity(m, 'restricted');
        expect(violations.filter((v) => v.container !== 'dind')).toEqual([]);
        // …and the check is not vacuous: dind itself violates it.
        expect(violations.length).toBeGreaterThan(0);
      });

      it('builder and dind mount the workspaces volume and the socket directory at the same paths', () => {
        const mounts = (n: string) =>
          new Map((pod.containers.find((c) => c.name === n)?.volumeMounts ?? []).map((v) => [v.name, v.mountPath]));
        const builder = mounts('builder');
        const dind = mounts('dind');
        expect(builder.get('workspaces')).toBe('/workspaces');
        expect(dind.get('workspaces')).toBe('/workspaces');
        for (const [volume, path] of builder) expect(dind.get(volume), volume).toBe(path);
        const socketDir = builder.get('docker-socket');
        const dockerHost = pod.containers.find((c) => c.name === 'builder')?.env?.find((e) => e.name === 'DOCKER_HOST')?.value;
        expect(dockerHost).toBe(`unix://${socketDir}/docker.sock`);
        expect(pod.containers.find((c) => c.name === 'dind')?.args).toContain(`--host=${dockerHost}`);
        // Every mounted volume exists in the pod, and the docker data volume is dind's alone.
        const volumes = new Set(pod.volumes?.map((v) => v.name));
        for (const c of pod.containers) for (const v of c.volumeMounts ?? []) expect(volumes.has(v.name), v.name).toBe(true);
        expect(builder.has('docker-data')).toBe(false);
      });

      it("the socket's group is the builder's group, so a non-root builder can use it", () => {
        const builder = pod.containers.find((c) => c.name === 'builder');
        const gid = builder?.securityContext?.runAsGroup;
        expect(pod.containers.find((c) => c.name === 'dind')?.args).toContain(`--group=${gid}`);
        expect(pod.securityContext?.fsGroup).toBe(gid);
      });

      it('no API token mounted unless kubectl access was asked for; no host namespaces or host paths', () => {
        expect(pod.automountServiceAccountToken).toBe(options.serviceAccount?.kubernetesAccess === true);
        expect(pod.hostNetwork ?? false).toBe(false);
        expect(pod.hostPID ?? false).toBe(false);
        expect(pod.volumes?.some((v) => v.hostPath)).toBe(false);
      });

      it('the termination grace period covers the builder shutdown (20 s) and dind preStop', () => {
        const preStop = Number(pod.containers.find((c) => c.name === 'dind')?.lifecycle?.preStop?.exec?.command?.[1]);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(preStop + 10);
      });
    });
  }
});
