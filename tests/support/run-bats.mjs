#!/usr/bin/env node
// Runs a package's bats files (test/**/*.bats and tests/**/*.bats under the current
// directory) with the repo's bats, bats-support and bats-assert. With DCK_REPORT_DIR set,
// the TAP stream is also written there for tests/run-all.mjs to count.
// Exit code: bats's own (0 when there is no bats file).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cwd = process.cwd();

function findBats(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.bats') && !join(e.parentPath, e.name).includes('node_modules'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

// The tests workspace keeps bats files anywhere in it; packages keep them in test/. (An app's tests/
// folder holds suites with tasks of their own, such as coder-devcontainer-kubernetes:workspace_test.)
const files = cwd === join(root, 'tests') ? findBats(cwd) : findBats(join(cwd, 'test'));
if (files.length === 0) process.exit(0);

const reportDir = process.env.DCK_REPORT_DIR;
const name = relative(root, cwd).replaceAll('/', '-');
const child = spawn(join(root, 'node_modules/bats/bin/bats'), ['--formatter', 'tap', ...files.map((f) => relative(cwd, f))], {
  cwd,
  env: { ...process.env, BATS_LIB_PATH: join(root, 'node_modules') },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let report;
if (reportDir) {
  mkdirSync(reportDir, { recursive: true });
  report = createWriteStream(join(reportDir, `bats-${name}.tap`));
}
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  report?.write(chunk);
});
child.on('close', (code, signal) => {
  report?.end();
  process.exitCode = code ?? (signal ? 1 : 0);
});
