// waitFor bench (part of moon run devcontainer-builder:bench): time from `devcontainer-builder up`
// to the Coder agent connected (the stand-in sees its first call), on a devcontainer whose
// postCreateCommand takes SLOW seconds (default 20), side by side in one run:
//   before — `waitFor: postStartCommand` (the latest the spec allows; the fixture has no postAttach):
//            every hook runs before the agent starts, which is what the builder did for every
//            configuration until it honoured waitFor;
//   after  — the default waitFor (updateContentCommand): postCreate runs in the background.
// Each run starts from no container (the image's layers stay cached), interleaved, RUNS each
// (default 2). The machine's load average is printed with the figures.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '../..');
const { startCoderStandin } = await import(join(root, 'tests/support/coder-standin/index.js'));
const RUNS = Number(process.env.RUNS ?? 2);
const SLOW = Number(process.env.SLOW ?? 20);
const P = 'dck-waitfor-bench';
const builderCli = join(app, 'dist/cli.js');
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }).trim();
const testbed = (name) => sh('bash', [join(root, 'tests/testbed', `${name}.sh`)], { stdio: ['ignore', 'pipe', 'inherit'] });

testbed('docker');
const agentBinary = testbed('fake-coder-agent');
const work = mkdtempSync(join(tmpdir(), `${P}-`));
const standin = await startCoderStandin({ agentBinaries: { amd64: agentBinary } });
const git = (cwd, ...a) =>
  sh('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.invalid', '-c', 'init.defaultBranch=main', ...a], { cwd });

/** A bare repository with the builder fixture's Dockerfile (user dev) and a SLOW-second postCreate. */
function remote(name, extra) {
  const src = join(work, `${name}-src`);
  mkdirSync(join(src, '.devcontainer'), { recursive: true });
  writeFileSync(
    join(src, '.devcontainer/Dockerfile'),
    readFileSync(join(root, 'tests/support/fixtures/builder-repo/.devcontainer/Dockerfile')),
  );
  const config = {
    name,
    build: { dockerfile: 'Dockerfile', options: ['--network=host'] },
    runArgs: ['--network=host'],
    remoteUser: 'dev',
    onCreateCommand: 'echo on-create',
    postCreateCommand: `sleep ${SLOW}`,
    postStartCommand: 'echo post-start',
    ...extra,
  };
  writeFileSync(join(src, '.devcontainer/devcontainer.json'), JSON.stringify(config, null, 2));
  git(src, 'init', '-q');
  git(src, 'add', '-A');
  git(src, 'commit', '-qm', 'fixture');
  git(work, 'clone', '-q', '--bare', src, `${name}.git`);
  return `file://${join(work, `${name}.git`)}`;
}

function clean(name) {
  const ids = sh('docker', ['ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${name}`])
    .split('\n')
    .filter(Boolean);
  if (ids.length) sh('docker', ['rm', '-f', ...ids]);
  rmSync(join(work, name), { recursive: true, force: true });
}

/** Seconds from start to the agent's first call to the stand-in; then SIGTERM and wait for the exit. */
async function toAgent(name, repository) {
  clean(name);
  const calls = standin.agentCalls().length;
  const statusFile = join(work, `${name}.status.json`);
  const t0 = performance.now();
  const child = spawn(process.execPath, [builderCli, 'up'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DEVCONTAINER_REPOSITORY: repository,
      DEVCONTAINER_WORKSPACE_FOLDER: join(work, name),
      DEVCONTAINER_WORKSPACE_NAME: name,
      DEVCONTAINER_STATUS_FILE: statusFile,
      CODER_AGENT_URL: standin.url,
      CODER_AGENT_TOKEN: standin.agentToken,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.on('exit', r));
  while (standin.agentCalls().length === calls) {
    if (child.exitCode !== null) throw new Error(`builder exited: ${err.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - t0) / 1000;
  // Wait for the background hooks so the next run starts on a quiet machine.
  for (;;) {
    const h = JSON.parse(readFileSync(statusFile, 'utf8')).hooks;
    if (h && h.pending.length === 0 && h.running.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGTERM');
  await exited;
  clean(name);
  return seconds;
}

const before = remote('before', { waitFor: 'postStartCommand' });
const after = remote('after', {});
const load = [loadavg()[0]];
const results = { before: [], after: [] };
try {
  // One unmeasured run builds the image (layers shared by both configurations).
  await toAgent(`${P}-warmup`, after);
  for (let i = 0; i < RUNS; i++) {
    results.before.push(await toAgent(`${P}-before`, before));
    results.after.push(await toAgent(`${P}-after`, after));
    load.push(loadavg()[0]);
    process.stderr.write(`waitFor run ${i + 1}/${RUNS} done\n`);
  }
} finally {
  await standin.close();
  rmSync(work, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const b = median(results.before);
const a = median(results.after);
console.log(`\nwaitFor bench: time to agent connected, postCreateCommand = sleep ${SLOW} (median of ${RUNS}, no container at start)\n`);
console.log('| waitFor | agent connected after | ratio |');
console.log('|---|---|---|');
console.log(`| postStartCommand (every hook first: what the builder did before it honoured waitFor) | ${b.toFixed(2)} s | 1 |`);
console.log(`| updateContentCommand (default; postCreate in the background) | ${a.toFixed(2)} s | ${(a / b).toFixed(2)} |`);
console.log(`\nload average (1 min) at start and after each pair: ${load.map((x) => x.toFixed(2)).join(', ')} on ${sh('nproc', [])} cores`);
console.log(
  `all runs: ${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((x) => Number(x.toFixed(2)))])))}`,
);
