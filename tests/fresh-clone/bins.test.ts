// Issue 15, item 1: on a fresh clone, `npm install` links every CLI's bin (before anything is built), and
// after the build `npx --no-install <bin> --version` runs ours, not an unrelated public package of the
// same name (there is a `devcontainer-builder` on npm). Real parts: git clone of this repository's
// committed HEAD, npm install from the local cache (prefer-offline), moon + tsup builds, npx.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/testbed.js';

const bins: Array<{ bin: string; pkg: string }> = [
  { bin: 'coder-logstream', pkg: 'libs/coder-log-client' },
  { bin: 'devcontainer-config', pkg: 'libs/devcontainer-config' },
  { bin: 'k8s-manifests', pkg: 'libs/k8s-manifests' },
  { bin: 'workspace-test', pkg: 'libs/workspace-test' },
  { bin: 'devcontainer-builder', pkg: 'apps/devcontainer-builder' },
];

let dir: string;
let clone: string;
// Run as a moon task (npm test), this process carries moon's MOON_* variables (workspace root,
// cache dir…): a moon started in the clone would then build the outer repository instead.
const cloneEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MOON_')));
const sh = (command: string, args: string[], cwd = clone) =>
  execFileSync(command, args, { cwd, env: cloneEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dck-fresh-clone-'));
  clone = join(dir, 'repo');
  sh('git', ['clone', '--quiet', '--depth', '1', `file://${repoRoot}`, clone], dir);
  sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund']);
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a fresh clone', () => {
  it('npm install links every bin to its committed bin/ file, and says "not built yet" before the build', () => {
    for (const { bin, pkg } of bins) {
      const link = join(clone, 'node_modules/.bin', bin);
      expect(existsSync(link), `${bin} is linked`).toBe(true);
      expect(realpathSync(link)).toBe(realpathSync(join(clone, pkg, 'bin', `${bin}.js`)));
    }
    const r = spawnSync(join(clone, 'node_modules/.bin/k8s-manifests'), ['--version'], { cwd: clone, env: cloneEnv, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('k8s-manifests: not built yet');
  });

  it('after the build, npx --no-install <bin> --version runs ours (our version, not a public package)', () => {
    // Every project's JavaScript; devcontainer-builder's moon build would also make its Docker image.
    const projects = ['libs', 'apps'].flatMap((d) =>
      sh('git', ['ls-files', `${d}/*/tsup.config.ts`])
        .split('\n')
        .filter(Boolean)
        .map((f) => f.split('/')[1] as string),
    );
    sh('npx', ['moon', 'run', ...projects.filter((p) => p !== 'devcontainer-builder').map((p) => `${p}:build`)]);
    sh('npx', ['tsup', '--silent'], join(clone, 'apps/devcontainer-builder'));
    for (const { bin, pkg } of bins) {
      const { version } = JSON.parse(readFileSync(join(clone, pkg, 'package.json'), 'utf8')) as { version: string };
      const r = spawnSync('npx', ['--no-install', bin, '--version'], { cwd: clone, env: cloneEnv, encoding: 'utf8', timeout: 60_000 });
      expect({ bin, status: r.status, stdout: r.stdout }).toEqual({ bin, status: 0, stdout: `${version}\n` });
    }
  }, 600_000);
});
