#!/usr/bin/env node
// The whole test suite: `npm test`.
// 1. prepares the test bed (Docker engine + base image, goss, Terraform providers),
// 2. builds every package, 3. runs every project's `test` task and every library's `check` (and the root's lint and shellcheck)
// through moon (continuing past failures so every suite reports), 4. sums the vitest and bats
// reports into one closing line: "N passed, N failed, N skipped", after a line naming each failure.
// A project whose test task left no report counts as one failure ("did not report").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarizeReports } from './support/test-reports.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reportDir = join(root, '.reports');
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)}s`;
const log = (msg) => process.stderr.write(`[test] ${msg}\n`);

function step(title, command, args, options = {}) {
  const t0 = Date.now();
  log(`${title}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  log(`${title}: ${result.status === 0 ? 'ok' : `exit ${result.status ?? result.signal}`} (${seconds(Date.now() - t0)})`);
  return result.status === 0;
}

if (!existsSync(join(root, 'node_modules/.bin/moon')) && !step('npm install', 'npm', ['install', '--no-audit', '--no-fund']))
  process.exit(1);
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });
const env = { ...process.env, DCK_REPORT_DIR: reportDir, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' };

const problems = [];
if (!step('test bed', 'bash', ['tests/testbed/setup.sh'], { env })) problems.push('test bed set-up failed');
if (!step('build', 'npx', ['moon', 'exec', '--on-failure', 'continue', ':build'], { env })) problems.push('build failed');
const checksOk = step(
  'checks',
  'npx',
  ['moon', 'exec', '--on-failure', 'continue', ':check', ':typecheck', 'root:lint', 'root:shellcheck'],
  { env },
);
if (!checksOk) problems.push('checks (publint/attw, typecheck, lint, shellcheck) failed');
const testsOk = step('tests', 'npx', ['moon', 'exec', '--on-failure', 'continue', ':test'], { env });
// The workspace test: real workspaces built by devcontainer-builder, checked inside with goss.
const workspaceOk = step(
  'workspace test',
  'npx',
  ['moon', 'exec', '--on-failure', 'continue', 'coder-devcontainer-kubernetes:workspace_test'],
  { env },
);
if (!workspaceOk) problems.push('coder-devcontainer-kubernetes:workspace_test failed');
// The Kubernetes e2e stops its cluster in afterAll; if that run was killed, stop it here so nothing
// of it (daemons, cgroups, run dirs) outlives the suite or trips the next run.
if (!step('kubernetes cluster stopped', 'bash', ['tests/testbed/kubernetes.sh', 'stop'], { env }))
  problems.push('stopping the test cluster failed');

// Sum the reports.
const { passed, skipped, failures, reported, files: reports, ...counts } = summarizeReports({ reportDir, root });
let failed = counts.failed;
// Every project with a test task must have reported.
const projects = ['libs', 'apps'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => `${dir}/${name}`)).concat(['tests']);
for (const dir of projects) {
  const name = dir.replaceAll('/', '-');
  if (!reported.has(name) && existsSync(join(root, dir, 'package.json'))) {
    problems.push(`${dir}: its vitest suite did not report`);
    failed++;
  }
}
if (!reports.some((f) => f.startsWith('workspace_test/') && f.endsWith('.tap'))) {
  problems.push('coder-devcontainer-kubernetes:workspace_test did not report');
  failed++;
}
if (!testsOk && failed === 0) problems.push('a test task failed without a failing test in the reports');

// The failures again at the very end, so a truncated CI log still names them.
for (const f of failures) log(`failed: ${f}`);
for (const p of problems) log(`problem: ${p}`);
log(`total ${seconds(Date.now() - started)}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = problems.length === 0 && failed === 0 && testsOk ? 0 : 1;
