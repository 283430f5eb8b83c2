// moon run devcontainer-builder:bench — bare `devcontainer up` vs `devcontainer-builder up` on the
// same fixture (tests/support/fixtures/builder-repo, branch main: Dockerfile + local feature + all
// hooks), side by side: cold (no container, no devcontainer image) and warm restart (container
// stopped, as after a pod restart with Docker's data kept) — to `up` done for bare, to agent
// running (binary mode, fake agent, Coder stand-in) for the builder. Median of RUNS (default 3).
// Warm restart also against the floor: `docker start` + `docker exec` of the agent the builder left
// in the container, to the agent's first call to Coder (the builder's warm run is timed to the same
// event). The machine's load average is printed with the figures; then the waitFor bench runs.
// BENCH_SHOW_WARM_LOG=1 prints each warm run's builder log (which paths it took).
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '../..');
const { startCoderStandin } = await import(join(root, 'tests/support/coder-standin/index.js'));
const { startGitServer } = await import(join(root, 'tests/support/git-server/index.js'));
const RUNS = Number(process.env.RUNS ?? 3);
const P = 'dck-builder-bench';
const devcontainerCli = join(root, 'node_modules/@devcontainers/cli/devcontainer.js');
const builderCli = join(app, 'dist/cli.js');
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }).trim();
const testbed = (name) => sh('bash', [join(root, 'tests/testbed', `${name}.sh`)], { stdio: ['ignore', 'pipe', 'inherit'] });

testbed('docker');
const agentBinary = testbed('fake-coder-agent');
const work = mkdtempSync(join(tmpdir(), `${P}-`));
const TOKEN = `tok-${crypto.randomUUID()}`;
const repo = join(work, 'src');
cpSync(join(root, 'tests/support/fixtures/builder-repo'), repo, { recursive: true });
// Without initializeCommand (it runs on the host at every start, which keeps a restart on `devcontainer
// up`; the builder e2e covers that path): both sides run the same configuration, and the builder's
// warm restart can take its docker-start path.
const dcPath = join(repo, '.devcontainer/devcontainer.json');
writeFileSync(dcPath, readFileSync(dcPath, 'utf8').replace(/^\s*"initializeCommand":.*\n/m, ''));
const git = (cwd, ...a) =>
  sh('git', ['-c', 'user.name=b', '-c', 'user.email=b@example.invalid', '-c', 'init.defaultBranch=main', ...a], { cwd });
git(repo, 'init', '-q');
git(repo, 'add', '-A');
git(repo, 'commit', '-qm', 'fixture');
git(work, 'clone', '-q', '--bare', repo, 'fixture.git');
const gitServer = await startGitServer({ root: work, token: TOKEN });
const standin = await startCoderStandin({ agentBinaries: { amd64: agentBinary } });
const initScript = readFileSync(join(root, 'tests/support/fake-coder-agent/bootstrap_linux.sh'), 'utf8')
  .replaceAll('${ACCESS_URL}', standin.url)
  .replaceAll('${AUTH_TYPE}', 'token')
  .replaceAll('${ARCH}', 'amd64');

function clean(folderName) {
  const ids = sh('docker', ['ps', '-aq', '--filter', `label=devcontainer.local_folder=${join(work, folderName)}`])
    .split('\n')
    .filter(Boolean);
  if (ids.length) sh('docker', ['rm', '-f', ...ids]);
  const images = sh('docker', ['images', '--format', '{{.Repository}}'])
    .split('\n')
    .filter((i) => i.startsWith(`vsc-${folderName}-`));
  if (images.length) sh('docker', ['rmi', '-f', ...images]);
}

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

function bareUp(folder) {
  sh(process.execPath, [devcontainerCli, 'up', '--workspace-folder', folder, '--log-format', 'json'], { maxBuffer: 64 * 1024 * 1024 });
}

/** Starts the builder; resolves when its status says supervise (agent verified running). */
function builderUp(name) {
  const folder = join(work, name);
  const statusFile = join(work, `${name}.status.json`);
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [builderCli, 'up'], {
    env: {
      ...process.env,
      DEVCONTAINER_REPOSITORY: `${gitServer.url}fixture.git`,
      DEVCONTAINER_WORKSPACE_FOLDER: folder,
      DEVCONTAINER_STATUS_FILE: statusFile,
      DEVCONTAINER_WORKSPACE_NAME: name,
      DEVCONTAINER_GIT_TOKEN: TOKEN,
      CODER_AGENT_URL: standin.url,
      CODER_AGENT_TOKEN: standin.agentToken,
      CODER_INIT_SCRIPT: initScript,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.on('exit', r));
  const calls = standin.agentCalls().length;
  const connected = (async () => {
    while (standin.agentCalls().length === calls) {
      if (child.exitCode !== null) throw new Error(`builder exited: ${err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const ready = (async () => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`builder exited: ${err.slice(-2000)}`);
      try {
        const s = JSON.parse(readFileSync(statusFile, 'utf8'));
        if (s.phase === 'supervise' && s.pid === child.pid) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  // Per phase: duration; and the start-up (process spawned → first phase started), which no phase counts.
  const phases = () => {
    const s = JSON.parse(readFileSync(statusFile, 'utf8'));
    const first = Math.min(...Object.values(s.phases).map((v) => Date.parse(v.startedAt)));
    return [
      `start-up ${((first - spawnedAt) / 1000).toFixed(2)}`,
      ...Object.entries(s.phases)
        .filter(([k]) => k !== 'supervise')
        .map(([k, v]) => `${k} ${((v.durationMs ?? 0) / 1000).toFixed(2)}`),
    ].join(', ');
  };
  return {
    ready,
    connected,
    phases,
    log: () => err,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = { bareCold: [], builderCold: [], bareWarm: [], builderWarm: [], builderWarmConnected: [], floorConnected: [] };
const load = [loadavg()[0]];

/** The floor of a warm restart: start the stopped container, exec the agent the builder copied in, to its first call. */
async function floor(name) {
  const id = sh('docker', ['ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${name}`]).split('\n')[0];
  const calls = standin.agentCalls().length;
  const t0 = performance.now();
  sh('docker', ['start', id]);
  const env = { ...process.env, CODER_AGENT_TOKEN: standin.agentToken };
  const agent = spawn(
    'docker',
    [
      'exec',
      '-u',
      'dev',
      '-e',
      'CODER_AGENT_TOKEN',
      '-e',
      `CODER_AGENT_URL=${standin.url}`,
      '-e',
      'CODER_AGENT_AUTH=token',
      id,
      '/tmp/.devcontainer-builder/coder',
      'agent',
    ],
    { env, stdio: 'ignore' },
  );
  while (standin.agentCalls().length === calls) await new Promise((r) => setTimeout(r, 10));
  const seconds = (performance.now() - t0) / 1000;
  sh('docker', ['stop', '-t', '2', id]);
  agent.kill();
  return seconds;
}
const breakdown = { cold: [], warm: [] };
try {
  for (let i = 0; i < RUNS; i++) {
    // Bare: a checkout, `devcontainer up` cold; `docker stop`; `devcontainer up` warm.
    const bare = join(work, `${P}-bare`);
    clean(`${P}-bare`);
    rmSync(bare, { recursive: true, force: true });
    git(work, 'clone', '-q', repo, bare);
    results.bareCold.push(await timed(() => bareUp(bare)));
    sh('docker', [
      'stop',
      '-t',
      '2',
      ...sh('docker', ['ps', '-q', '--filter', `label=devcontainer.local_folder=${bare}`])
        .split('\n')
        .filter(Boolean),
    ]);
    results.bareWarm.push(await timed(() => bareUp(bare)));
    clean(`${P}-bare`);

    // Builder: clone + config + up + agent, cold; SIGTERM (stops the container); again, warm.
    const name = `${P}-builder`;
    clean(name);
    rmSync(join(work, name), { recursive: true, force: true });
    let run;
    results.builderCold.push(
      await timed(async () => {
        run = builderUp(name);
        await run.ready;
      }),
    );
    breakdown.cold.push(run.phases());
    await run.stop();
    const t0 = performance.now();
    run = builderUp(name);
    await run.ready;
    results.builderWarm.push((performance.now() - t0) / 1000);
    await run.connected;
    results.builderWarmConnected.push((performance.now() - t0) / 1000);
    breakdown.warm.push(run.phases());
    if (process.env.BENCH_SHOW_WARM_LOG) process.stderr.write(run.log());
    await run.stop();
    results.floorConnected.push(await floor(name));
    load.push(loadavg()[0]);
    clean(name);
    process.stderr.write(`run ${i + 1}/${RUNS} done\n`);
  }
} finally {
  await gitServer.close();
  await standin.close();
  rmSync(work, { recursive: true, force: true });
}

const f = (x) => `${x.toFixed(2)} s`;
const bc = median(results.bareCold),
  dc = median(results.builderCold),
  bw = median(results.bareWarm),
  dw = median(results.builderWarm);
console.log(
  `\ndevcontainer-builder bench (median of ${RUNS}; fixture: Dockerfile FROM local/debian:bookworm + local feature + 5 container hooks, no initializeCommand)\n`,
);
console.log('| scenario | bare devcontainer up | devcontainer-builder up (to agent running) | overhead |');
console.log('|---|---|---|---|');
console.log(`| cold (no container, no image) | ${f(bc)} | ${f(dc)} | ${(((dc - bc) / bc) * 100).toFixed(1)} % (target ≤ 10 %) |`);
console.log(`| warm restart (container stopped) | ${f(bw)} | ${f(dw)} | ${f(dw - bw)} (target: builder ≤ 3 s) |`);
const fw = median(results.floorConnected),
  dwc = median(results.builderWarmConnected);
const target = Math.max(0.5, fw + 0.2);
console.log(
  `\nwarm restart to the agent's first call to Coder: floor (docker start + docker exec of the agent) ${f(fw)}, devcontainer-builder up ${f(dwc)} (${(dwc / fw).toFixed(1)}× the floor, +${f(dwc - fw)}); bare devcontainer up (no agent) ${f(bw)}; target ≤ 0.5 s or floor + 0.2 s, here ${f(target)}: ${dwc <= target ? 'met' : 'not met'}`,
);
console.log(`load average (1 min) at start and after each run: ${load.map((x) => x.toFixed(2)).join(', ')} on ${sh('nproc', [])} cores`);
console.log(`\nbuilder phases (s), cold: ${breakdown.cold.join(' | ')}\nbuilder phases (s), warm: ${breakdown.warm.join(' | ')}`);
console.log(
  `\nall runs: ${JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v.map((x) => Number(x.toFixed(2)))])))}`,
);
