#!/usr/bin/env node
// `npm run test:unit`: the contributor's loop. Builds the packages' JavaScript (moon's cache makes an
// unchanged package free; the builder image is not built), then runs every test file that needs no
// Docker engine, goss, Terraform, Kubernetes or registry in one vitest run, then the fast bats files.
// The slow files are listed in tests/support/test-scopes.js; `npm test` and CI run them all.
// Extra arguments go to vitest: `npm run test:unit -- libs/coder-log-client` runs one package,
// `npm run test:unit -- -t 'did-you-mean'` one test by name.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slowBats } from './support/test-scopes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const log = (msg) => process.stderr.write(`[test:unit] ${msg}\n`);
const run = (cmd, args, options = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options }).status ?? 1;

if (!existsSync(join(root, 'node_modules/.bin/moon')) && run('npm', ['install', '--no-audit', '--no-fund']) !== 0) process.exit(1);

// Build: every project's `build` through moon except devcontainer-builder's, whose build also makes
// the Docker image; its JavaScript comes from tsup directly.
const projects = ['libs', 'apps'].flatMap((dir) =>
  readdirSync(join(root, dir)).filter((name) => existsSync(join(root, dir, name, 'tsup.config.ts'))),
);
const t0 = Date.now();
if (run('npx', ['moon', 'run', '--quiet', ...projects.filter((p) => p !== 'devcontainer-builder').map((p) => `${p}:build`)]) !== 0) {
  log('build failed');
  process.exit(1);
}
if (projects.includes('devcontainer-builder') && run('npx', ['tsup', '--silent'], { cwd: join(root, 'apps/devcontainer-builder') }) !== 0) {
  log('build of apps/devcontainer-builder failed');
  process.exit(1);
}
log(`build ${((Date.now() - t0) / 1000).toFixed(1)}s`);

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
const vitest = run('npx', ['vitest', 'run', '--config', 'tests/vitest.unit.config.ts', '--no-isolate', ...process.argv.slice(2)], {
  env,
});

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
