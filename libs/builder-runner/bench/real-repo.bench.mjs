// Real-repository benchmark: this repository's own .devcontainer (Dockerfile: Node from npm packages
// on the offline base image, git from Debian; postCreateCommand `npm ci` of the whole monorepo), its
// committed HEAD, side by side in one run. Every cold and hit run gets a FRESH Docker daemon
// (tests/testbed/fresh-dockerd.sh): no layer cache helps.
//   cold bare     `devcontainer up` on a checkout: build + create + every hook (npm ci included)
//   cold builder  `devcontainer-builder up` (clone, config, up, agent; supervision off, so it exits when
//                 the background hooks — npm ci — are done): to the agent's first call to Coder and to
//                 all hooks done; overhead = builder to hooks done − cold bare (target ≤ 3 %)
//   warm restart  the builder's container stopped (as after a pod restart, Docker's data kept), the
//                 builder again: to the agent's first call and to its exit
//   prebuilt hit  `devcontainer-builder prebuild` pushes the image to the local registry
//                 (tests/testbed/registry.sh); a fresh daemon then runs the builder with
//                 DEVCONTAINER_CACHE_REPO: clone, initializeCommand, lookup + pull + up, no build
//                 (target ≤ 10 % of cold). prebuild and the hit each start from a fresh checkout: the
//                 builder runs initializeCommand (it fetches what the Dockerfile COPYs) before the key
// Both sides get the same CA bundle mount and remote env (NODE_EXTRA_CA_CERTS) so npm trusts the
// machine's TLS proxy, and DCK_BASE_IMAGE=local/debian DCK_BASE_TAG=bookworm (as `npm run up` does).
// npm ci installs from the test bed's caching registry (tests/testbed/npm-cache.sh, verdaccio on
// loopback, filled once before the first run): the npm registry's speed through the proxy swung
// the same bare build by ±30 s, which hid any overhead worth measuring. BENCH_NPM_REGISTRY=direct
// installs from the npm registry instead.
// RUNS (default 1: a cold run is minutes) repeats the whole set; figures are medians; the machine's
// load average is printed with each run. Run: node bench/real-repo.bench.mjs (from libs/builder-runner).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir, repoRoot, seconds, sh, table, testbed } from './support.mjs';

const RUNS = Number(process.env.RUNS ?? 1);
const devcontainerCli = join(repoRoot, 'node_modules/@devcontainers/cli/devcontainer.js');
const CA_TARGET = '/usr/local/share/dck-extra-ca.crt';

function missing(what, fix) {
  console.error(`real-repo bench: ${what}. ${fix}`);
  process.exit(1);
}
if (!existsSync(devcontainerCli)) missing('the devcontainer CLI is not installed', 'Run npm ci at the repository root.');
const ca = process.env.NODE_EXTRA_CA_CERTS;
if (ca && !existsSync(ca)) missing(`NODE_EXTRA_CA_CERTS names ${ca}, which does not exist`, 'Point it at the CA bundle npm trusts.');
/** A test bed part the bench needs: its stdout, or a clear stop naming it. */
function need(what, step) {
  try {
    return step();
  } catch (error) {
    return missing(
      `${what} is not available (${String(error.message).split('\n')[0]})`,
      'Set the test bed up first: bash tests/testbed/setup.sh.',
    );
  }
}
need('the Docker engine (tests/testbed/docker.sh)', () => testbed('docker'));
need('the offline base image local/debian:bookworm', () => sh('docker image inspect local/debian:bookworm'));
const registry = need('the local registry (tests/testbed/registry.sh)', () => testbed('registry'));
const agentBinary = need('the fake Coder agent (tests/testbed/fake-coder-agent.sh)', () => testbed('fake-coder-agent'));
const npmRegistry =
  process.env.BENCH_NPM_REGISTRY === 'direct'
    ? undefined
    : need('the caching npm registry (tests/testbed/npm-cache.sh)', () => testbed('npm-cache'));
const builderCli = await bundleBuilderCli();
const { startCoderStandin } = await import(join(repoRoot, 'tests/support/coder-standin/index.js'));

const suffix = Math.random().toString(16).slice(2, 10);
const namespace = `dck-builder-runner-real-${suffix}`;
const scratch = mkdtempSync(join(tmpdir(), 'dck-builder-runner-real-'));
const caMount = ca ? [`type=bind,source=${ca},target=${CA_TARGET}`] : [];
const caEnv = [...(ca ? [`NODE_EXTRA_CA_CERTS=${CA_TARGET}`] : []), ...(npmRegistry ? [`npm_config_registry=${npmRegistry}`] : [])];
const baseEnv = { DCK_BASE_IMAGE: 'local/debian', DCK_BASE_TAG: 'bookworm' };
const head = sh('git rev-parse --short HEAD', { GIT_DIR: join(repoRoot, '.git') });
const daemons = [];
let standin;
let cleaned = false;
async function cleanUp() {
  if (cleaned) return;
  cleaned = true;
  for (const name of [...daemons]) testbed('fresh-dockerd', 'stop', name);
  await standin?.close();
  rmSync(scratch, { recursive: true, force: true });
  testbed('registry', 'forget', namespace);
}
// Ctrl-C or moon's SIGTERM: the daemons, the scratch checkouts and the registry images go too.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    process.stderr.write(`real-repo bench: ${signal}, cleaning up\n`);
    cleanUp().finally(() => process.exit(130));
  });

const load = () => `${loadavg()[0].toFixed(2)}`;

/** Removes checkouts (and their state) as soon as their run is over: each holds a node_modules. */
function drop(...names) {
  for (const n of names) for (const d of [n, `${n}-state`]) rmSync(join(scratch, d), { recursive: true, force: true });
}

function freshDaemon(role, run) {
  const name = `dck-builder-runner-real-${role}-${run}-${suffix}`;
  daemons.push(name);
  return { name, host: testbed('fresh-dockerd', 'start', name) };
}
function stopDaemon(d) {
  testbed('fresh-dockerd', 'stop', d.name);
  daemons.splice(daemons.indexOf(d.name), 1);
}

// The base image in the registry: a fresh node pulls its FROM image (timed apart from the build).
const baseRef = `${registry}/${namespace}/debian:bookworm`;
sh(`docker tag local/debian:bookworm ${baseRef} && docker push -q ${baseRef} >/dev/null && docker rmi ${baseRef} >/dev/null`);
function pullBase(host) {
  const t0 = performance.now();
  sh(`docker pull -q ${baseRef} >/dev/null && docker tag ${baseRef} local/debian:bookworm && docker rmi ${baseRef} >/dev/null`, {
    DOCKER_HOST: host,
  });
  return performance.now() - t0;
}

standin = await startCoderStandin({ agentBinaries: { amd64: agentBinary } });
const initScript = readFileSync(join(repoRoot, 'tests/support/fake-coder-agent/bootstrap_linux.sh'), 'utf8')
  .replaceAll('${ACCESS_URL}', standin.url)
  .replaceAll('${AUTH_TYPE}', 'token')
  .replaceAll('${ARCH}', 'amd64');

/**
 * Bare `devcontainer up` on a fresh clone of HEAD (chowned to the remote user, as the builder does):
 * ms in all, and ms until the container is set up and its hooks begin (the CLI's LifecycleCommandExecutionMap
 * line), so build + create and the hooks compare with the builder's up and hooks phases apart.
 */
function bareUp(host, run) {
  const ws = join(scratch, `bare-${run}`);
  sh(`git clone -q "$SRC" "$WS" && chown -R 1000:1000 "$WS"`, { SRC: repoRoot, WS: ws });
  const args = [devcontainerCli, 'up', '--workspace-folder', ws, '--log-format', 'json'];
  for (const m of caMount) args.push('--mount', m);
  for (const e of caEnv) args.push('--remote-env', e);
  const wall0 = Date.now();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, {
    encoding: 'utf8',
    env: { ...process.env, ...baseEnv, DOCKER_HOST: host },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 512 * 1024 * 1024,
  });
  const ms = performance.now() - t0;
  const result = JSON.parse(r.stdout.trim().split('\n').at(-1) || '{}');
  if (r.status !== 0 || result.outcome !== 'success') throw new Error(`bare devcontainer up failed: ${(r.stdout + r.stderr).slice(-2000)}`);
  let hooksAt;
  for (const line of r.stderr.split('\n')) {
    if (!line.includes('LifecycleCommandExecutionMap')) continue;
    try {
      hooksAt = JSON.parse(line).timestamp - wall0;
    } catch {}
    break;
  }
  return { ms, createMs: hooksAt ?? Number.NaN };
}

function builderEnv(name, host, extra = {}) {
  return {
    ...process.env,
    ...baseEnv,
    DOCKER_HOST: host,
    DEVCONTAINER_REPOSITORY: repoRoot,
    DEVCONTAINER_WORKSPACE_FOLDER: join(scratch, name),
    DEVCONTAINER_WORKSPACE_NAME: name,
    DEVCONTAINER_STATUS_FILE: join(scratch, `${name}-state`, 'status.json'),
    DEVCONTAINER_WORKSPACE_OWNER: '1000:1000',
    DEVCONTAINER_SUPERVISE: 'false',
    DEVCONTAINER_MOUNTS: caMount.join('\n'),
    DEVCONTAINER_REMOTE_ENV: caEnv.join('\n'),
    CODER_AGENT_URL: standin.url,
    CODER_AGENT_TOKEN: standin.agentToken,
    CODER_INIT_SCRIPT: initScript,
    ...extra,
  };
}

/** `devcontainer-builder up`: ms to the agent's first call to Coder, ms to exit (hooks done), status. */
async function builderUp(name, host, extra = {}) {
  const env = builderEnv(name, host, extra);
  const calls = standin.agentCalls().length;
  const t0 = performance.now();
  const child = spawn(process.execPath, [builderCli, 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => {
    err = (err + d).slice(-20_000);
  });
  child.stdout.resume();
  let agentMs;
  const watch = setInterval(() => {
    if (agentMs === undefined && standin.agentCalls().length > calls) agentMs = performance.now() - t0;
  }, 10);
  const code = await new Promise((r) => child.on('exit', r));
  const totalMs = performance.now() - t0;
  clearInterval(watch);
  if (agentMs === undefined && standin.agentCalls().length > calls) agentMs = totalMs;
  if (code !== 0) throw new Error(`devcontainer-builder up (${name}) exited ${code}:\n${err.slice(-4000)}`);
  const status = JSON.parse(readFileSync(env.DEVCONTAINER_STATUS_FILE, 'utf8'));
  return { agentMs, totalMs, status };
}

function prebuild(name, host, cacheRepo) {
  const t0 = performance.now();
  execFileSync(process.execPath, [builderCli, 'prebuild'], {
    env: builderEnv(name, host, { DEVCONTAINER_CACHE_REPO: cacheRepo }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 512 * 1024 * 1024,
  });
  return performance.now() - t0;
}

/**
 * The devcontainer-builder CLI as one bundle of its sources and the workspace packages' sources (not
 * their dist/, which a build in this working tree may replace mid-run; none needs building first),
 * laid out as the app is (dist/cli.mjs next to its package.json). Only the devcontainer CLI stays a
 * package, as in the builder image.
 */
async function bundleBuilderCli() {
  const { build } = await import('esbuild');
  const app = join(repoRoot, 'apps/devcontainer-builder');
  const out = join(packageDir, 'node_modules/.cache/dck-bench/devcontainer-builder');
  mkdirSync(out, { recursive: true });
  copyFileSync(join(app, 'package.json'), join(out, 'package.json'));
  const fromSource = {
    name: 'workspace-sources',
    setup(b) {
      b.onResolve({ filter: /^@devcontainer-kit\/[a-z-]+$/ }, (args) => {
        const src = join(repoRoot, 'libs', args.path.split('/')[1], 'src/index.ts');
        return existsSync(src) ? { path: src } : undefined;
      });
    },
  };
  await build({
    entryPoints: [join(app, 'src/cli.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['@devcontainers/cli'],
    plugins: [fromSource],
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    outfile: join(out, 'dist/cli.mjs'),
    logLevel: 'error',
  });
  return join(out, 'dist/cli.mjs');
}

/** The builder's own phases, where no devcontainer CLI work runs: preflight, checkout, config, extensions, agent. */
const ownPhasesMs = (status) =>
  ['preflight', 'checkout', 'config', 'extensions', 'agent'].reduce((sum, k) => sum + (status.phases?.[k]?.durationMs ?? 0), 0);

const phaseLine = (status) =>
  Object.entries(status.phases ?? {})
    .map(([k, v]) => `${k} ${((v.durationMs ?? 0) / 1000).toFixed(1)}`)
    .join(', ');

/**
 * Fills the caching registry with this lockfile's tarballs once (an `npm ci --ignore-scripts` of a
 * clone, with an empty npm cache), so the first cold run does not pay the download the others skip.
 */
function fillNpmCache() {
  if (!npmRegistry) return;
  const lock = readFileSync(join(repoRoot, 'package-lock.json'));
  const marker = join(
    process.env.DCK_CACHE ?? join(homedir(), '.cache/devcontainer-kit'),
    'npm-cache',
    `filled-${createHash('sha256').update(lock).digest('hex').slice(0, 16)}`,
  );
  if (existsSync(marker)) return;
  const t0 = performance.now();
  const dir = join(scratch, 'npm-fill');
  sh('git clone -q "$SRC" "$DIR" && cd "$DIR" && npm ci --ignore-scripts --no-audit --no-fund --silent', {
    SRC: repoRoot,
    DIR: dir,
    npm_config_registry: npmRegistry,
    npm_config_cache: join(scratch, 'npm-fill-cache'),
  });
  rmSync(dir, { recursive: true, force: true });
  rmSync(join(scratch, 'npm-fill-cache'), { recursive: true, force: true });
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  process.stderr.write(`npm cache filled from the npm registry in ${seconds(performance.now() - t0)} (${npmRegistry})\n`);
}
fillNpmCache();

const rows = [];
const runs = [];
console.log(
  `real-repository bench: devcontainer-kit's own .devcontainer at ${head} (Node 20 from npm packages on local/debian:bookworm, git, npm ci from ${npmRegistry ?? 'the npm registry'}), ${RUNS} run(s), ${cpus().length} cores, load average ${load()} at start`,
);
try {
  for (let i = 1; i <= RUNS; i++) {
    const r = { loadStart: load() };
    const cacheRepo = `${registry}/${namespace}/run${i}`;

    const coldBare = () => {
      const bareDaemon = freshDaemon('bare', i);
      r.baseMs = pullBase(bareDaemon.host);
      const bare = bareUp(bareDaemon.host, i);
      r.bareMs = bare.ms;
      r.bareCreateMs = bare.createMs;
      r.loadBare = load();
      stopDaemon(bareDaemon);
      drop(`bare-${i}`);
      process.stderr.write(
        `run ${i}: cold bare ${seconds(r.bareMs)}: build + create ${seconds(r.bareCreateMs)}, hooks ${seconds(r.bareMs - r.bareCreateMs)} (load ${r.loadBare})\n`,
      );
    };
    const coldDaemon = freshDaemon('cold', i);
    const coldBuilder = async () => {
      pullBase(coldDaemon.host);
      const cold = await builderUp(`builder-${i}`, coldDaemon.host);
      r.coldAgentMs = cold.agentMs;
      r.coldMs = cold.totalMs;
      r.coldPhases = phaseLine(cold.status);
      r.ownMs = ownPhasesMs(cold.status);
      r.coldUpMs = cold.status.phases?.up?.durationMs ?? Number.NaN;
      r.coldHooksMs = cold.status.phases?.hooks?.durationMs ?? Number.NaN;
      r.loadCold = load();
      process.stderr.write(
        `run ${i}: cold builder ${seconds(r.coldMs)}, agent at ${seconds(r.coldAgentMs)} (load ${r.loadCold}; phases ${r.coldPhases})\n`,
      );
      return cold;
    };
    // Odd runs bare first, even runs builder first: a load that drifts during a run favours neither.
    let cold;
    if (i % 2 === 1) {
      coldBare();
      cold = await coldBuilder();
    } else {
      cold = await coldBuilder();
      coldBare();
    }

    // Warm restart: the container stopped as a pod restart leaves it, the builder again.
    sh(`docker stop -t 5 ${cold.status.containerId} >/dev/null`, { DOCKER_HOST: coldDaemon.host });
    const warm = await builderUp(`builder-${i}`, coldDaemon.host);
    r.warmAgentMs = warm.agentMs;
    r.warmMs = warm.totalMs;
    r.warmPhases = phaseLine(warm.status);
    r.loadWarm = load();
    process.stderr.write(
      `run ${i}: warm ${seconds(r.warmMs)}, agent at ${seconds(r.warmAgentMs)} (load ${r.loadWarm}; phases ${r.warmPhases})\n`,
    );

    // The prebuild runs where the image was just built (its time is not on a workspace's path).
    r.prebuildMs = prebuild(`prebuild-${i}`, coldDaemon.host, cacheRepo);
    stopDaemon(coldDaemon);
    drop(`builder-${i}`, `prebuild-${i}`);

    const hitDaemon = freshDaemon('hit', i);
    const hit = await builderUp(`hit-${i}`, hitDaemon.host, { DEVCONTAINER_CACHE_REPO: cacheRepo });
    if (hit.status.prebuilt?.status !== 'hit')
      throw new Error(`expected a prebuilt-image hit, got ${JSON.stringify(hit.status.prebuilt)}: the bench cannot measure a hit`);
    r.hitAgentMs = hit.agentMs;
    r.hitMs = hit.totalMs;
    r.hitPullMs = hit.status.prebuilt.durationMs ?? Number.NaN;
    r.imageMB = Number(sh(`docker image inspect --format '{{.Size}}' ${hit.status.prebuilt.image}`, { DOCKER_HOST: hitDaemon.host })) / 1e6;
    r.hitPhases = phaseLine(hit.status);
    r.loadHit = load();
    stopDaemon(hitDaemon);
    drop(`hit-${i}`);
    process.stderr.write(
      `run ${i}: prebuilt hit ${seconds(r.hitMs)}, agent at ${seconds(r.hitAgentMs)} (load ${r.loadHit}; lookup + pull of ${r.imageMB.toFixed(0)} MB ${seconds(r.hitPullMs)}; phases ${r.hitPhases})\n`,
    );
    runs.push(r);
  }
} finally {
  await cleanUp();
}

// Medians (the mean of the middle two for an even count); differences per run first, then their median.
const median = (k) => {
  const xs = runs.map((r) => (typeof k === 'function' ? k(r) : r[k])).sort((a, b) => a - b);
  const mid = xs.length / 2;
  return Number.isInteger(mid) ? (xs[mid - 1] + xs[mid]) / 2 : xs[Math.floor(mid)];
};
const pct = (a, b) => `${((100 * a) / b).toFixed(1)} %`;
const m = Object.fromEntries(
  ['baseMs', 'bareMs', 'coldMs', 'coldAgentMs', 'ownMs', 'warmMs', 'warmAgentMs', 'prebuildMs', 'hitMs', 'hitAgentMs'].map((k) => [
    k,
    median(k),
  ]),
);
const overhead = median((r) => r.coldMs - r.bareMs);
rows.push(
  ['figure (median)', 'time', 'ratio', 'target'],
  ['base image pull on an empty daemon (before each cold run)', seconds(m.baseMs), '', ''],
  ['cold bare devcontainer up (build + create + all hooks)', seconds(m.bareMs), '100 %', ''],
  ['cold devcontainer-builder up: agent connected', seconds(m.coldAgentMs), pct(m.coldAgentMs, m.bareMs), ''],
  ['cold devcontainer-builder up: all hooks done (exit)', seconds(m.coldMs), pct(m.coldMs, m.bareMs), ''],
  ['builder overhead (cold builder − cold bare)', seconds(overhead), pct(overhead, m.bareMs), '≤ 3 %'],
  ['  build + create: builder up phase − bare up to its first hook', seconds(median((r) => r.coldUpMs - r.bareCreateMs)), '', ''],
  ['  hooks: builder hooks phase − bare hooks', seconds(median((r) => r.coldHooksMs - (r.bareMs - r.bareCreateMs))), '', ''],
  [
    "  builder's own phases, no devcontainer CLI work (preflight, checkout, config, extensions, agent)",
    seconds(m.ownMs),
    pct(m.ownMs, m.bareMs),
    '',
  ],
  ['warm restart: agent connected', seconds(m.warmAgentMs), pct(m.warmAgentMs, m.coldAgentMs), ''],
  ['warm restart: hooks done (exit)', seconds(m.warmMs), pct(m.warmMs, m.coldMs), ''],
  ['prebuild (build + push, off the workspace path)', seconds(m.prebuildMs), '', ''],
  ['prebuilt hit, fresh daemon: agent connected', seconds(m.hitAgentMs), pct(m.hitAgentMs, m.coldAgentMs + m.baseMs), '≤ 10 %'],
  [
    `  of which the prebuilt image's lookup + pull (${median('imageMB').toFixed(0)} MB unpacked)`,
    seconds(median('hitPullMs')),
    pct(median('hitPullMs'), m.coldAgentMs + m.baseMs),
    '',
  ],
  ['prebuilt hit, fresh daemon: all hooks done (exit)', seconds(m.hitMs), pct(m.hitMs, m.coldMs + m.baseMs), ''],
);
console.log('');
table(rows);
console.log(
  '\nratios: overhead of the cold bare build; warm of cold; hit of cold + base pull (both from an empty daemon), agent to agent and exit to exit',
);
for (const [i, r] of runs.entries()) {
  console.log(
    `run ${i + 1}: load average ${r.loadStart} at start, ${r.loadBare} after bare, ${r.loadCold} after cold, ${r.loadWarm} after warm, ${r.loadHit} after hit (${cpus().length} cores)`,
  );
  console.log(`  builder phases (s), cold: ${r.coldPhases}\n  warm: ${r.warmPhases}\n  hit: ${r.hitPhases}`);
}
console.log(
  `\nall runs (s): ${JSON.stringify(
    runs.map((r) =>
      Object.fromEntries(
        Object.entries(r)
          .filter(([k]) => k.endsWith('Ms'))
          .map(([k, v]) => [k, Number((v / 1000).toFixed(1))]),
      ),
    ),
  )}`,
);
