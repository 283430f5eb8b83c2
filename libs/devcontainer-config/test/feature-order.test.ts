// Pure logic: feature references and the spec's install-order algorithm.
import { describe, expect, it } from 'vitest';
import { parseFeatureReference, resolveFeatureOrder } from '../src/index.js';

describe('parseFeatureReference', () => {
  it('splits OCI references', () => {
    expect(parseFeatureReference('ghcr.io/devcontainers/features/node:1')).toEqual({
      ok: true,
      ref: {
        kind: 'oci',
        id: 'ghcr.io/devcontainers/features/node:1',
        registry: 'ghcr.io',
        namespace: 'ghcr.io/devcontainers/features',
        name: 'node',
        resource: 'ghcr.io/devcontainers/features/node',
        tag: '1',
      },
    });
    const d = parseFeatureReference(`localhost:5000/f/go@sha256:${'b'.repeat(64)}`);
    expect(d.ok && d.ref.kind === 'oci' && d.ref.digest).toBe(`sha256:${'b'.repeat(64)}`);
  });

  it('recognises local paths and tarballs', () => {
    expect(parseFeatureReference('./my-feature/')).toMatchObject({
      ok: true,
      ref: { kind: 'local', path: './my-feature', name: 'my-feature' },
    });
    expect(parseFeatureReference('https://example.com/x/devcontainer-feature-go.tgz')).toMatchObject({
      ok: true,
      ref: { kind: 'tarball', name: 'go' },
    });
  });

  it('rejects what the spec does not allow', () => {
    for (const id of ['/abs', 'http://x/devcontainer-feature-a.tgz', 'has space/x', 'fish', 'Node', 'a/b/c/d@v1']) {
      expect(parseFeatureReference(id).ok, id).toBe(false);
    }
    expect(parseFeatureReference('node')).toMatchObject({
      ok: true,
      ref: { kind: 'legacy', replacement: 'ghcr.io/devcontainers/features/node:1' },
    });
    expect(parseFeatureReference('common')).toMatchObject({ ref: { replacement: 'ghcr.io/devcontainers/features/common-utils:1' } });
  });

  it('accepts what the devcontainer CLI accepts: OCI ids in any case (lowercased), GitHub release references', () => {
    expect(parseFeatureReference('GHCR.IO/Org/x:1')).toMatchObject({
      ok: true,
      ref: { kind: 'oci', registry: 'ghcr.io', namespace: 'ghcr.io/org', name: 'x', resource: 'ghcr.io/org/x', tag: '1' },
    });
    expect(parseFeatureReference('owner/repo/f@v1')).toMatchObject({
      ok: true,
      ref: { kind: 'github', owner: 'owner', repo: 'repo', name: 'f', version: 'v1', resource: 'owner/repo/f' },
    });
    expect(parseFeatureReference('owner/repo/f').ok).toBe(true);
  });
});

const oci = (n: string) => `ghcr.io/acme/features/${n}:1`;

describe('resolveFeatureOrder', () => {
  it('sorts a round by resource name (stable, alphanumeric)', () => {
    const r = resolveFeatureOrder({ features: { [oci('zeta')]: {}, [oci('alpha')]: {}, './local': {} } });
    expect(r.order.map((f) => f.id)).toEqual(['./local', oci('alpha'), oci('zeta')]);
    expect(r.issues).toEqual([]);
  });

  it('dependsOn installs dependencies first and adds missing ones', () => {
    const manifests: Record<string, { dependsOn?: Record<string, unknown> }> = {
      [oci('app')]: { dependsOn: { [oci('zlib')]: { v: '2' } } },
    };
    const r = resolveFeatureOrder({ features: { [oci('app')]: {}, [oci('aaa')]: {} }, getManifest: (id) => manifests[id] });
    expect(r.order.map((f) => [f.id, f.userDefined, f.addedBy])).toEqual([
      [oci('aaa'), true, undefined],
      [oci('zlib'), false, oci('app')],
      [oci('app'), true, undefined],
    ]);
  });

  it('installsAfter only orders features that are installed', () => {
    const manifests: Record<string, { installsAfter?: string[] }> = {
      [oci('a')]: { installsAfter: ['ghcr.io/acme/features/b', 'ghcr.io/acme/features/not-installed'] },
    };
    const r = resolveFeatureOrder({ features: { [oci('a')]: {}, [oci('b')]: {} }, getManifest: (id) => manifests[id] });
    expect(r.order.map((f) => f.id)).toEqual([oci('b'), oci('a')]);
  });

  it('overrideFeatureInstallOrder gives round priority n - index, within dependencies', () => {
    const manifests: Record<string, { dependsOn?: Record<string, unknown> }> = { [oci('c')]: { dependsOn: { [oci('a')]: {} } } };
    const r = resolveFeatureOrder({
      features: { [oci('a')]: {}, [oci('b')]: {}, [oci('c')]: {}, [oci('d')]: {} },
      overrideFeatureInstallOrder: ['ghcr.io/acme/features/c', 'ghcr.io/acme/features/d'],
      getManifest: (id) => manifests[id],
    });
    // c has top priority but needs a: round 1 commits only d (highest ready priority), round 2 a and b, round 3 c.
    expect(r.order.map((f) => f.id)).toEqual([oci('d'), oci('a'), oci('b'), oci('c')]);
  });

  it('reports a cycle with the features involved and keeps the order found so far', () => {
    const manifests: Record<string, { dependsOn?: Record<string, unknown>; installsAfter?: string[] }> = {
      [oci('a')]: { dependsOn: { [oci('b')]: {} } },
      [oci('b')]: { installsAfter: ['ghcr.io/acme/features/a'] },
    };
    const r = resolveFeatureOrder({ features: { [oci('a')]: {}, [oci('b')]: {}, [oci('c')]: {} }, getManifest: (id) => manifests[id] });
    expect(r.order.map((f) => f.id)).toEqual([oci('c')]);
    expect(r.issues).toEqual([
      { code: 'feature-dependency-cycle', severity: 'error', message: expect.stringContaining('cycle'), features: [oci('a'), oci('b')] },
    ]);
  });

  it('the same resource with different options is two features; older tags first', () => {
    const r = resolveFeatureOrder({ features: { 'ghcr.io/x/y/f:2': {}, 'ghcr.io/x/y/f:1.5': { a: '1' }, 'ghcr.io/x/y/f': {} } });
    expect(r.order.map((f) => f.id)).toEqual(['ghcr.io/x/y/f:1.5', 'ghcr.io/x/y/f:2', 'ghcr.io/x/y/f']);
  });

  it('warns about override entries that are not installed; skips features set to false', () => {
    const r = resolveFeatureOrder({ features: { [oci('a')]: false }, overrideFeatureInstallOrder: ['ghcr.io/acme/features/zz'] });
    expect(r.order).toEqual([]);
    expect(r.issues.map((i) => i.code)).toEqual(['unknown-feature-in-order']);
  });
});
