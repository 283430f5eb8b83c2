// The build-cache wiring: DEVCONTAINER_CACHE_REPO parsing and the `--override-config` argument
// (pure). A registry that does not answer is a miss in @devcontainer-kit/prebuild-cache's tests; the
// hit path runs end to end in tests/e2e/builder/extensions-cache-fallback.test.ts.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUpArgs } from '../src/devcontainer-up.js';
import { parseCacheRepo, parseSettings } from '../src/settings.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('DEVCONTAINER_CACHE_REPO', () => {
  it('splits host[:port]/repository and rejects tags, upper case and missing parts', () => {
    expect(parseCacheRepo('127.0.0.1:5127/acme/api-devcontainer')).toEqual({
      registry: '127.0.0.1:5127',
      repository: 'acme/api-devcontainer',
    });
    expect(parseCacheRepo('registry.example.com/team/app')).toEqual({ registry: 'registry.example.com', repository: 'team/app' });
    for (const bad of ['acme', '/acme/app', 'host/Acme', 'host/app:tag', 'host/app/', 'host:x/app'])
      expect(parseCacheRepo(bad)).toBeUndefined();
  });

  it('is a setting with a flag; the new settings default to off', () => {
    const env = { DEVCONTAINER_REPOSITORY: 'https://git.example.com/org/app.git' };
    expect(parseSettings({ env, cwd: '/' }).settings).toMatchObject({
      cacheRepo: undefined,
      extensions: [],
      extensionsDir: undefined,
      fallbackImage: undefined,
    });
    const { settings } = parseSettings({
      env: {
        ...env,
        DEVCONTAINER_EXTENSIONS: 'a.b, c.d\n-e.f',
        DEVCONTAINER_EXTENSIONS_DIR: 'vsix',
        DEVCONTAINER_FALLBACK_IMAGE: 'debian:bookworm',
      },
      flags: { 'cache-repo': 'localhost:5000/app' },
      cwd: '/srv',
    });
    expect(settings).toMatchObject({
      cacheRepo: { registry: 'localhost:5000', repository: 'app' },
      extensions: ['a.b', 'c.d', '-e.f'],
      extensionsDir: '/srv/vsix',
      fallbackImage: 'debian:bookworm',
    });
    const bad = parseSettings({ env: { ...env, DEVCONTAINER_CACHE_REPO: 'Nope', DEVCONTAINER_FALLBACK_IMAGE: '--privileged' }, cwd: '/' });
    expect(bad.settings).toBeUndefined();
    expect(bad.problems).toEqual([
      expect.stringMatching(/^DEVCONTAINER_CACHE_REPO \(--cache-repo\): must be host\[:port\]\/repository/),
      expect.stringMatching(/^DEVCONTAINER_FALLBACK_IMAGE \(--fallback-image\): '--privileged' is not an image reference/),
    ]);
  });
});

describe('the prebuilt image in up', () => {
  it('passes --override-config to devcontainer up', () => {
    const args = buildUpArgs({ workspaceFolder: '/w', idLabels: {}, overrideConfig: '/s/prebuilt-override.json' });
    expect(args.slice(-2)).toEqual(['--override-config', '/s/prebuilt-override.json']);
    expect(buildUpArgs({ workspaceFolder: '/w', idLabels: {} })).not.toContain('--override-config');
  });
});
