// Real files: local features from test/fixtures (read with node:fs); the rest is pure logic.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDevcontainer, readLocalFeatures, resolveFeatureOrder, validateFeatureManifest } from '../src/index.js';
import { fixturesDir } from './support/helpers.js';

const codes = (ps: Array<{ code: string; line: number; column: number }>) => ps.map((p) => `${p.code}@${p.line}:${p.column}`);

describe('validateFeatureManifest', () => {
  it('accepts a full manifest', () => {
    const text = JSON.stringify({
      id: 'go',
      version: '1.2.3',
      name: 'Go',
      description: 'd',
      documentationURL: 'https://x',
      licenseURL: 'https://y',
      keywords: ['go'],
      options: { version: { type: 'string', default: 'latest', proposals: ['latest', '1.22'] }, tools: { type: 'boolean', default: true } },
      containerEnv: { GOPATH: '/go' },
      privileged: false,
      init: true,
      capAdd: ['SYS_PTRACE'],
      securityOpt: [],
      entrypoint: '/x.sh',
      mounts: [{ type: 'volume', source: 'go-${devcontainerId}', target: '/go' }],
      customizations: { vscode: {} },
      dependsOn: { 'ghcr.io/devcontainers/features/common-utils:2': {} },
      installsAfter: ['ghcr.io/devcontainers/features/git'],
      legacyIds: ['golang'],
      deprecated: false,
      postCreateCommand: 'go version',
      onCreateCommand: ['a'],
      postStartCommand: { x: 'y' },
    });
    const r = validateFeatureManifest(text, { folderName: 'go' });
    expect(r.problems).toEqual([]);
    expect(r.manifest?.id).toBe('go');
  });

  it('reports missing id/version, bad types, option default mismatches and id/folder mismatch, with positions', () => {
    const text =
      '{\n "name": 1,\n "options": {\n  "a": {"type": "boolean", "default": "yes"},\n  "b": {"type": "string", "enum": ["x"], "default": "y"},\n  "c": {"type": "number", "default": 1}\n }\n}';
    expect(codes(validateFeatureManifest(text).problems)).toEqual([
      'missing-required@1:1',
      'missing-required@1:1',
      'type-mismatch@2:10',
      'invalid-feature-option@4:39',
      'invalid-feature-option@5:53',
      'invalid-enum@6:17',
      'type-mismatch@6:38',
    ]);
    expect(codes(validateFeatureManifest('{"id": "x", "version": "1"}', { folderName: 'y' }).problems)).toEqual([
      'feature-id-mismatch@1:8',
      'invalid-format@1:24',
    ]);
  });

  it('a manifest without "version" is a warning (the devcontainer CLI installs it); messages say "feature manifest"', () => {
    const r = validateFeatureManifest('{"name": "tools"}', { folderName: 'tools' });
    expect(r.problems.map((p) => `${p.severity} ${p.code}: ${p.message}`)).toEqual([
      'error missing-required: the feature manifest is missing the required property "id"',
      'warning missing-required: the feature manifest has no "version" (the spec requires one; the devcontainer CLI installs the feature without it)',
    ]);
    const ok = validateFeatureManifest('{"id": "tools"}', { folderName: 'tools' });
    expect(ok.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(ok.manifest).toEqual({ id: 'tools' });
    expect(JSON.stringify(ok.problems)).not.toContain('the config');
  });

  it('keeps JSON syntax errors', () => {
    expect(codes(validateFeatureManifest('{"id": "x",, }').problems)).toContain('json-syntax@1:12');
  });
});

describe('readLocalFeatures', () => {
  it('reads local features of a fixture and orders them (dependsOn, installsAfter, override)', async () => {
    const file = join(fixturesDir, 'local-features/.devcontainer/devcontainer.json');
    const parsed = parseDevcontainer(await readFile(file, 'utf8'), { file });
    const config = parsed.config ?? {};
    const local = await readLocalFeatures({ configFile: file, config, parsed });
    expect(local.problems).toEqual([]);
    expect(local.features.map((f) => [f.id, f.manifest?.id])).toEqual([
      ['./extras', 'extras'],
      ['./node-tools', 'node-tools'],
      ['./base-tools', 'base-tools'],
    ]);
    const manifests = new Map(local.features.map((f) => [f.id, f.manifest]));
    const order = resolveFeatureOrder({
      features: config.features as Record<string, unknown>,
      overrideFeatureInstallOrder: config.overrideFeatureInstallOrder as string[],
      getManifest: (id) => manifests.get(id),
    });
    // extras has the priority but installsAfter node-tools, which dependsOn base-tools.
    expect(order.order.map((f) => f.id)).toEqual(['./base-tools', './node-tools', './extras']);
  });

  it('reports missing manifests, install scripts, paths outside .devcontainer and bad options at the feature key', async () => {
    const file = join(fixturesDir, 'local-features/.devcontainer/devcontainer.json');
    const text =
      '{"image": "x",\n "features": {\n  "./nope": {},\n  "../outside": {},\n  "./extras": {"flavor": "mild"},\n  "./node-tools": {"version": 20},\n  "./base-tools": {"verbose": "maybe"}\n }\n}';
    const parsed = parseDevcontainer(text, { file });
    const r = await readLocalFeatures({ configFile: file, config: parsed.config ?? {}, parsed });
    expect(r.problems.map((p) => `${p.code}@${p.line}:${p.column}`)).toEqual([
      'feature-manifest-not-found@3:3',
      'local-feature-outside-devcontainer@4:3',
      'unknown-feature-option@5:16',
      'invalid-feature-option@7:31',
    ]);
    expect(r.problems[2]?.message).toContain('did you mean "flavour"');
  });

  it('finds the cycle in the features-cycle fixture', async () => {
    const file = join(fixturesDir, 'features-cycle/.devcontainer/devcontainer.json');
    const parsed = parseDevcontainer(await readFile(file, 'utf8'), { file });
    const local = await readLocalFeatures({ configFile: file, config: parsed.config ?? {}, parsed });
    const manifests = new Map(local.features.map((f) => [f.id, f.manifest]));
    const r = resolveFeatureOrder({ features: parsed.config?.features as Record<string, unknown>, getManifest: (id) => manifests.get(id) });
    expect(r.issues.map((i) => i.code)).toEqual(['feature-dependency-cycle']);
  });
});
