#!/usr/bin/env node
// `npm run test:unit`: the contributor's loop. Builds the JavaScript of the packages whose sources
// changed (no declarations, no builder image), then runs every test file that needs no
// Docker engine, goss, Terraform, Kubernetes or registry in one vitest run, then the fast bats files.
// The slow files are listed in tests/support/test-scopes.js; `npm test` and CI run them all.
// Extra arguments go to vitest: `npm run test:unit -- libs/coder-log-client` runs one package,
// `npm run test:unit -- -t 'did-you-mean'` one test by name.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slowBats } from './support/test-scopes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const log = (msg) => process.stderr.write(`[test:unit] ${msg}\n`);
const run = (cmd, args, options = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options }).status ?? 1;

if (!existsSync(join(root, 'node_modules/.bin/tsup')) && run('npm', ['install', '--no-audit', '--no-fund']) !== 0) process.exit(1);

// Build: JavaScript only, and only where it is stale. The tests run dist/*.js (CLIs as processes,
// packages importing each other); declarations are for typecheck and publishing. Through moon a
// `build` also made every .d.ts (5-28 s each here; one changed package rebuilt all its dependents'
// too) and, through coder-devcontainer-kubernetes' inferred dependency on devcontainer-builder, the
// builder's Docker image — about 56-87 s of a 140-190 s run. Each package's JavaScript is independent
// (dependencies stay external), so the stale ones build side by side with tsup --no-dts --no-clean:
// the existing declarations stay for editors and tsc, and moon's `build` still makes everything.
const projects = ['libs', 'apps'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((name) => existsSync(join(root, dir, name, 'tsup.config.ts')))
    .map((name) => join(dir, name)),
);
const t0 = Date.now();
const stale = projects.map((dir) => ({ dir, need: buildNeed(join(root, dir)) })).filter((p) => p.need !== 'none');
const failed = await buildAll(stale, 2);
if (failed.length > 0) {
  log(`build failed: ${failed.join(', ')} (run \`npx tsup\` in that folder to see why)`);
  process.exit(1);
}
const built = stale.map((p) => `${p.dir.split('/')[1]}${p.need === 'full' ? ' (with declarations: it had no dist)' : ''}`);
const seconds = ((Date.now() - t0) / 1000).toFixed(1);
log(
  built.length
    ? `build ${seconds}s (${built.length} of ${projects.length} packages: ${built.join(', ')})`
    : `build: all ${projects.length} packages up to date`,
);

// Stand-ins for the tools the unit scope must not reach: a slow test missing from test-scopes.js
// fails with a message that says so instead of quietly starting containers.
const stubs = mkdtempSync(join(tmpdir(), 'dck-unit-path-'));
for (const tool of ['docker', 'dockerd', 'goss', 'terraform', 'kubectl', 'coder', 'code-server']) {
  const file = join(stubs, tool);
  writeFileSync(
    file,
    `#!/bin/sh\necho "test:unit: '${tool}' is not available in the unit scope; list this test file in tests/support/test-scopes.js" >&2\nexit 127\n`,
  );
  chmodSync(file, 0o755);
}
const env = { ...process.env, DCK_TEST_SCOPE: 'unit', PATH: `${stubs}${delimiter}${process.env.PATH}` };

// --no-isolate: the test files of a package share their worker's module cache instead of importing
// everything again per file (measured here: imports 7 s instead of 22-25 s, CPU 58 s instead of 85-120 s).
// A test must therefore restore what it changes (env, timers, mocks), as they all do; `npm test` still
// isolates every file.
// --maxWorkers: one worker per core, at least two. vitest's default leaves a core free (one worker on a
// 2-core machine), but these tests mostly wait on the processes they start (CLIs, git, the devcontainer
// CLI): on this 2-core VM two workers took the vitest run from 58-62 s to 44 s.
const workers = Math.max(2, availableParallelism());
const vitest = run(
  'npx',
  ['vitest', 'run', '--config', 'tests/vitest.unit.config.ts', '--no-isolate', `--maxWorkers=${workers}`, ...process.argv.slice(2)],
  { env },
);

// bats files outside the slow list (only when no vitest filter was given).
let bats = 0;
if (process.argv.length <= 2) {
  const batsFiles = ['libs', 'apps']
    .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(dir, name, 'test')))
    .concat(['tests'])
    .flatMap((dir) =>
      existsSync(join(root, dir))
        ? readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
            .filter((f) => f.endsWith('.bats') && !f.includes('node_modules'))
            .map((f) => join(dir, f))
        : [],
    )
    .filter((f) => !slowBats.some((slow) => (slow.endsWith('/') ? f.startsWith(slow) : f === slow)));
  for (const file of batsFiles) {
    // Run from the package directory, as tests/support/run-bats.mjs does.
    const cwd = file.startsWith('tests') ? join(root, 'tests') : join(root, dirname(dirname(file)));
    const status = run(join(root, 'node_modules/bats/bin/bats'), [relative(cwd, join(root, file))], {
      cwd,
      env: { ...env, BATS_LIB_PATH: join(root, 'node_modules') },
    });
    if (status !== 0) bats = status;
  }
}
rmSync(stubs, { recursive: true, force: true });
log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exitCode = vitest === 0 && bats === 0 ? 0 : 1;

/** Newest modification time under `path` (a file or a folder, recursively); 0 when missing. */
function newestMtime(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * What a package's dist needs: 'full' when it has no JavaScript at all (a fresh clone: declarations
 * too, which the pack tests read), 'js' when a source or build config is newer than its oldest .js
 * output, else 'none'. A package that bundles its dependencies (`noExternal` in tsup.config.ts, as
 * devcontainer-builder's CLI does) is also stale when a workspace package it depends on changed.
 */
function buildNeed(dir) {
  const dist = join(dir, 'dist');
  const outputs = existsSync(dist) ? readdirSync(dist).filter((f) => f.endsWith('.js')) : [];
  if (outputs.length === 0) return 'full';
  const built = Math.min(...outputs.map((f) => statSync(join(dist, f)).mtimeMs));
  const inputs = ['src', 'package.json', 'tsconfig.json', 'tsup.config.ts', '../../tsconfig.base.json'].map((i) => join(dir, i));
  if (readFileSync(join(dir, 'tsup.config.ts'), 'utf8').includes('noExternal'))
    for (const dep of workspaceDependencies(dir)) inputs.push(join(dep, 'src'), join(dep, 'package.json'));
  return Math.max(...inputs.map(newestMtime)) > built ? 'js' : 'none';
}

/** The workspace packages `dir` depends on, directly or not (their folders). */
function workspaceDependencies(dir, seen = new Set()) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const name of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })) {
    const folder = projects.map((p) => join(root, p)).find((p) => JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')).name === name);
    if (folder && !seen.has(folder)) {
      seen.add(folder);
      workspaceDependencies(folder, seen);
    }
  }
  return seen;
}

/** tsup in each folder (JavaScript only unless `need` is 'full'), `parallel` at a time; resolves to the folders that failed. */
async function buildAll(packages, parallel) {
  const tsup = join(root, 'node_modules/.bin/tsup');
  const failed = [];
  const queue = [...packages];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const { dir, need } = p;
      const dist = join(root, dir, 'dist');
      // A JavaScript-only build keeps the declarations there were (a tsup config may empty dist/ itself).
      const declarations =
        need === 'full'
          ? []
          : readdirSync(dist)
              .filter((f) => f.endsWith('.d.ts'))
              .map((f) => [f, readFileSync(join(dist, f))]);
      const args = need === 'full' ? ['--silent'] : ['--no-dts', '--no-clean', '--silent'];
      const child = spawn(tsup, args, { cwd: join(root, dir), stdio: ['ignore', 'ignore', 'inherit'] });
      const code = await new Promise((resolve) => child.on('close', resolve).on('error', () => resolve(1)));
      if (code !== 0) failed.push(dir);
      for (const [f, content] of declarations) if (!existsSync(join(dist, f))) writeFileSync(join(dist, f), content);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return failed;
}
