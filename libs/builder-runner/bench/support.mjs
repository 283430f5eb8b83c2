// Shared by the benches: bundles this package's components from src (esbuild, so a bench does not
// depend on the rest of the package compiling), runs test bed scripts, times things.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(packageDir, '../..');

/** Bundles src/<file>.ts into node_modules/.cache (so bare imports still resolve) and imports it. */
export async function loadComponent(file) {
  const name = file.replace(/\//g, '-');
  const { build } = await import('esbuild');
  const outdir = join(packageDir, 'node_modules/.cache/dck-bench');
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: { [name]: join(packageDir, 'src', `${file}.ts`) },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return import(join(outdir, `${name}.mjs`));
}

export function testbed(name, ...args) {
  return execFileSync('bash', [join(repoRoot, 'tests/testbed', `${name}.sh`), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export function sh(command, env = {}) {
  return execFileSync('sh', ['-c', command], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  }).trim();
}

export async function timed(fn) {
  const started = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - started), value };
}

export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** Prints rows side by side: [[label, value, ...], ...]. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
}
