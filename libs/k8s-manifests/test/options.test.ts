// Real parts: validateOptions and workspaceManifests on options the Kubernetes API server would refuse
// (issue 14: each of these rendered before). Pure logic, no I/O.
import { describe, expect, it } from 'vitest';
import { K8sManifestsError } from '../src/errors.js';
import { parseQuantity, validateOptions } from '../src/options.js';
import type { WorkspaceManifestOptions } from '../src/types.js';
import { workspaceManifests } from '../src/workspace-manifests.js';
import { fixtureOptions } from './support/fixtures.js';

const base = () => fixtureOptions('minimal');
/** `path:code` of every problem of options built from the minimal fixture. */
const problemsOf = (change: (o: WorkspaceManifestOptions) => unknown) => {
  const o = base();
  change(o);
  return validateOptions(o).map((p) => `${p.path}:${p.code}`);
};

describe('validateOptions: what the API server validates', () => {
  it('the minimal fixture is fine (the checks below are not always failing)', () => {
    expect(validateOptions(base())).toEqual([]);
  });

  it('quantities must parse and be greater than zero: -10Gi, "0", negative limits are refused', () => {
    expect(
      problemsOf((o) => {
        o.storage = { workspaces: { size: '-10Gi' }, docker: { size: '0' } };
        o.dind = { resources: { limits: { memory: '-1Gi' } } };
        o.builder.resources = { requests: { cpu: 'lots' } };
      }),
    ).toEqual([
      'builder.resources.requests.cpu:invalid-quantity',
      'dind.resources.limits.memory:invalid-quantity',
      'storage.workspaces.size:invalid-quantity',
      'storage.docker.size:invalid-quantity',
    ]);
  });

  it('a request above its limit is refused (the API server does), against the default limit too', () => {
    expect(
      problemsOf((o) => {
        o.builder.resources = { requests: { memory: '6Gi' } };
      }),
    ).toEqual(['builder.resources.requests.memory:invalid-quantity']);
    expect(
      problemsOf((o) => {
        o.builder.resources = { requests: { memory: '6Gi' }, limits: { memory: '8Gi' } };
      }),
    ).toEqual([]);
  });

  it('parseQuantity reads the suffixes', () => {
    expect(parseQuantity('10Gi')).toBe(10 * 2 ** 30);
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('10 GB')).toBeUndefined();
  });

  it('IDs are integers ≥ 0: runAsUser -1 and runAsGroup 1.5 are refused; runAsUser 0 too (the builder is non-root)', () => {
    expect(problemsOf((o) => Object.assign(o.builder, { runAsUser: -1, runAsGroup: 1.5 }))).toEqual([
      'builder.runAsUser:invalid-value',
      'builder.runAsGroup:invalid-value',
    ]);
    expect(problemsOf((o) => Object.assign(o.builder, { runAsUser: 0 }))).toEqual(['builder.runAsUser:invalid-value']);
    expect(problemsOf((o) => Object.assign(o.builder, { runAsGroup: '1000' }))).toEqual(['builder.runAsGroup:invalid-value']);
  });

  it('namespaces are DNS-1123 labels of at most 63 characters (a 300-character one is refused, its message cut short)', () => {
    const o = base();
    o.namespace = 'a'.repeat(300);
    const [p] = validateOptions(o);
    expect(p?.path).toBe('namespace');
    expect(p?.code).toBe('invalid-name');
    expect(p?.message.length).toBeLessThan(200);
    expect(
      problemsOf((x) => {
        x.namespace = 'a'.repeat(63);
      }),
    ).toEqual([]);
    expect(
      problemsOf((x) => {
        x.namespace = 'a'.repeat(64);
      }),
    ).toEqual(['namespace:invalid-name']);
  });

  it('other names: existing Secret, storage class and runtime class are DNS-1123 subdomains', () => {
    expect(
      problemsOf((o) => {
        o.secret = { existingSecretName: 'Tokens_1' };
        o.storage = { docker: { storageClassName: 'Fast SSD' } };
        o.dind = { runtimeClassName: 'Sysbox' };
      }),
    ).toEqual([
      'storage.docker.storageClassName:invalid-name',
      'dind.runtimeClassName:invalid-name',
      'secret.existingSecretName:invalid-name',
    ]);
  });

  it('label and annotation keys follow prefix/name syntax; label values too; Coder names become label values', () => {
    expect(
      problemsOf((o) => {
        o.labels = { 'team name': 'x', 'example.com/ok': 'fine', 'Bad_Prefix.com/x': 'y', good: 'not ok!' };
        o.annotations = { 'example.com/owner': 'anything goes: in values', '/empty-prefix': 'x' };
        o.coder.ownerName = 'alice smith';
        o.scheduling = { nodeSelector: { 'x/y/z': 'a' } };
      }),
    ).toEqual([
      'coder.ownerName:invalid-label',
      'labels.team name:invalid-label',
      'labels.Bad_Prefix.com/x:invalid-label',
      'labels.good:invalid-label',
      'annotations./empty-prefix:invalid-label',
      'scheduling.nodeSelector.x/y/z:invalid-label',
    ]);
  });

  it('URLs must parse: agentUrl "not a url" and a non-http scheme are refused', () => {
    expect(
      problemsOf((o) => {
        o.coder.agentUrl = 'not a url';
        o.coder.devcontainerAgentUrl = 'ftp://coder.example.com/';
      }),
    ).toEqual(['coder.agentUrl:invalid-url', 'coder.devcontainerAgentUrl:invalid-url']);
    expect(
      problemsOf((o) => {
        o.builder.repository = 'https://exa mple.com/x.git';
      }),
    ).toEqual(['builder.repository:invalid-url']);
    // scp-like and ssh:// with a user name are git URLs, not credentials.
    expect(
      problemsOf((o) => {
        o.builder.repository = 'git@github.com:example/app.git';
      }),
    ).toEqual([]);
    expect(
      problemsOf((o) => {
        o.builder.repository = 'ssh://git@github.com/example/app.git';
      }),
    ).toEqual([]);
  });

  it('credentials inside URLs are refused, and never echoed in the message', () => {
    const o = base();
    o.coder.agentUrl = 'https://admin:hunter2-agent@coder.example.com/';
    o.builder.repository = 'https://x-access-token:ghp_sentinel123@github.com/example/app.git';
    o.builder.env = { HTTP_PROXY: 'http://user:proxypass9@proxy.example.com:3128' };
    const problems = validateOptions(o);
    expect(problems.map((p) => `${p.path}:${p.code}`)).toEqual([
      'coder.agentUrl:token-in-plain-text',
      'builder.repository:token-in-plain-text',
      'builder.env.HTTP_PROXY:token-in-plain-text',
    ]);
    const text = JSON.stringify(problems);
    for (const secret of ['hunter2-agent', 'ghp_sentinel123', 'proxypass9']) expect(text).not.toContain(secret);
    // A token as the user name of an https URL is a credential too.
    expect(
      problemsOf((x) => {
        x.builder.repository = 'https://ghp_sentinel@github.com/example/app.git';
      }),
    ).toEqual(['builder.repository:token-in-plain-text']);
  });

  it('every problem at once, each with its path, from workspaceManifests', () => {
    const o = base();
    Object.assign(o, { namespace: 'N'.repeat(70) });
    Object.assign(o.builder, { runAsUser: -1 });
    o.coder.agentUrl = 'not a url';
    o.storage = { docker: { size: '-10Gi' } };
    o.labels = { 'bad key': 'v' };
    let error: unknown;
    try {
      workspaceManifests(o);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(K8sManifestsError);
    expect((error as K8sManifestsError).problems.map((p) => p.path)).toEqual([
      'namespace',
      'coder.agentUrl',
      'builder.runAsUser',
      'storage.docker.size',
      'labels.bad key',
    ]);
  });

  it('hostile shapes are problems, not crashes', () => {
    for (const junk of [null, 42, 'x', [], { builder: 'x', coder: 7, secret: 'y', labels: [1] }]) {
      expect(() => validateOptions(junk as unknown as WorkspaceManifestOptions)).not.toThrow();
      expect(validateOptions(junk as unknown as WorkspaceManifestOptions).length).toBeGreaterThan(0);
    }
  });
});

describe('the agent token', () => {
  it('an empty or missing agent token is refused, saying why and what to do', () => {
    for (const secret of [undefined, {}, { agentToken: '' }, { gitToken: 'g' }]) {
      const o = base();
      if (secret === undefined) delete o.secret;
      else o.secret = secret;
      const problems = validateOptions(o);
      expect(problems.map((p) => `${p.path}:${p.code}`)).toEqual(['secret.agentToken:required']);
      expect(problems[0]?.message).toContain('crash-loop');
      expect(problems[0]?.message).toContain('allowEmptyAgentToken');
    }
  });

  it('allowEmptyAgentToken: true renders the Secret with an empty agent-token key; an existing Secret needs none', () => {
    const o = base();
    o.secret = { allowEmptyAgentToken: true };
    expect(workspaceManifests(o).secret?.stringData).toEqual({ 'agent-token': '' });
    expect(validateOptions({ ...base(), secret: { existingSecretName: 'tokens' } })).toEqual([]);
  });
});

describe('empty means unset (YAML rendering)', () => {
  it('optional builder settings given as "" leave their variable out', () => {
    const o = base();
    Object.assign(o.builder, {
      branch: '',
      devcontainerConfig: '',
      cacheFrom: '',
      cacheTo: '',
      gitUsername: '',
      fallbackImage: '',
      extensions: [],
      env: { EXTRA: '' },
    });
    const names = workspaceManifests(o)
      .deployment.spec?.template.spec?.containers.find((c) => c.name === 'builder')
      ?.env?.map((e) => e.name);
    for (const n of [
      'DEVCONTAINER_BRANCH',
      'DEVCONTAINER_CONFIG',
      'DEVCONTAINER_CACHE_FROM',
      'DEVCONTAINER_CACHE_TO',
      'DEVCONTAINER_GIT_USERNAME',
      'DEVCONTAINER_FALLBACK_IMAGE',
      'DEVCONTAINER_EXTENSIONS',
      'EXTRA',
    ])
      expect(names, n).not.toContain(n);
    expect(names).toContain('DEVCONTAINER_WORKSPACE_FOLDER');
  });
});

describe('dind --cgroup-parent', () => {
  const args = (dind: WorkspaceManifestOptions['dind']) =>
    workspaceManifests({ ...base(), dind }).deployment.spec?.template.spec?.containers.find((c) => c.name === 'dind')?.args ?? [];

  it('defaults to /devcontainer-kit/<name>, can be set, and "" leaves dockerd its own default', () => {
    expect(args(undefined)).toContain('--cgroup-parent=/devcontainer-kit/coder-alice-dev');
    expect(args({ cgroupParent: 'dind' })).toContain('--cgroup-parent=dind');
    expect(args({ cgroupParent: '' }).some((a) => a.startsWith('--cgroup-parent'))).toBe(false);
  });

  it('refuses what is not a cgroup path', () => {
    for (const bad of ['../escape', '/a b', '/a/../b', '/'])
      expect(
        problemsOf((o) => {
          o.dind = { cgroupParent: bad };
        }),
        bad,
      ).toEqual(['dind.cgroupParent:invalid-value']);
  });
});

describe('hostile values never crash validateOptions or workspaceManifests', () => {
  const JUNK: unknown[] = [null, 0, -1, 1.5, '', 'x', '${var.x}', [], [1, 'a'], {}, { a: 1 }, true, 'a'.repeat(300)];
  /** Deterministic pseudo-random numbers (mulberry32), so a failure is reproducible from its seed. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const paths = (value: unknown, prefix: string[] = []): string[][] =>
    value !== null && typeof value === 'object'
      ? [prefix, ...Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => paths(v, [...prefix, k]))]
      : [prefix];

  it('2,000 seeded mutations of the full fixture: problems or objects, never an exception', () => {
    const full = fixtureOptions('full');
    const all = paths(full).filter((p) => p.length > 0);
    for (let seed = 1; seed <= 2000; seed++) {
      const next = random(seed);
      const o = structuredClone(full) as unknown as Record<string, unknown>;
      const path = all[Math.floor(next() * all.length)] as string[];
      let parent = o;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
      parent[path[path.length - 1] as string] = JUNK[Math.floor(next() * JUNK.length)];
      let problems: ReturnType<typeof validateOptions> = [];
      expect(
        () => {
          problems = validateOptions(o as unknown as WorkspaceManifestOptions);
        },
        `seed ${seed}: ${path.join('.')}`,
      ).not.toThrow();
      if (problems.length === 0)
        expect(() => workspaceManifests(o as unknown as WorkspaceManifestOptions), `seed ${seed}: ${path.join('.')}`).not.toThrow();
    }
  });
});
