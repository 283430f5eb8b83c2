// BuildKit benchmark, each build on a FRESH Docker daemon (second dockerd, only the base image
// loaded), with the real devcontainer CLI, buildx v0.38 (docker driver: the daemon's built-in
// BuildKit) and Debian's docker-registry on 127.0.0.1:
//   legacy cold    `devcontainer up --buildkit never`: the legacy builder
//   BuildKit cold  `devcontainer up --cache-to type=inline` through buildx, then the image pushed to
//                  the registry (what the builder does for DEVCONTAINER_CACHE_TO=type=registry,ref=…)
//   BuildKit warm  `devcontainer up --cache-from REF` on another empty daemon: steps from the registry
// The devcontainer: bench/fixtures/cache without its local feature (apt packages, a copied folder,
// a non-root user). Run: node bench/buildkit.bench.mjs (from libs/builder-runner).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir, seconds, sh, table, testbed, timed } from './support.mjs';

const { resolveDevcontainerCli } = await import('@devcontainer-kit/docker-context');
testbed('docker');
const registry = testbed('registry');
const plugins = testbed('buildx');
const suffix = Math.random().toString(16).slice(2, 10);
const repository = `dck-builder-bk-bench-${suffix}/cache`;
const ref = `${registry}/${repository}:buildcache`;
const daemons = { legacy: `dck-builder-bkl-${suffix}`, buildkit: `dck-builder-bkb-${suffix}`, warm: `dck-builder-bkw-${suffix}` };
const scratch = mkdtempSync(join(tmpdir(), 'dck-builder-bk-bench-'));
const cli = resolveDevcontainerCli().args[0];
const dockerConfig = join(scratch, 'docker-config');
mkdirSync(join(dockerConfig, 'cli-plugins'), { recursive: true });
symlinkSync(join(plugins, 'docker-buildx'), join(dockerConfig, 'cli-plugins', 'docker-buildx'));

const ws = join(scratch, 'ws');
cpSync(join(packageDir, 'bench/fixtures/cache'), ws, { recursive: true });
const dc = join(ws, '.devcontainer/devcontainer.json');
// No local feature: with features, engines before 23 need docker/dockerfile:1.4 from Docker Hub for BuildKit.
// remoteUser root: the CLI's -uid image build has no --network flag, and BuildKit finds no bridge on this test bed's daemons.
writeFileSync(
  dc,
  readFileSync(dc, 'utf8').replace('"features": { "./tools-feature": {} },', '').replace('"remoteUser": "dev",', '"remoteUser": "root",'),
);
sh('git init -q && git add -A && git -c user.name=b -c user.email=b@example.invalid commit -qm bench', {
  GIT_DIR: join(ws, '.git'),
  GIT_WORK_TREE: ws,
});

function up(host, extra, env = {}) {
  const out = execFileSync(
    process.execPath,
    [
      cli,
      'up',
      '--workspace-folder',
      ws,
      '--log-format',
      'json',
      '--id-label',
      `devcontainer-kit.workspace=dck-builder-bk-bench-${suffix}`,
      ...extra,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: dockerConfig, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1));
  if (result.outcome !== 'success') throw new Error(`up failed: ${out.slice(-500)}`);
  return result;
}

/** Dockerfile steps of the main build (not the -uid layer) that BuildKit took from cache: CACHED lines in the CLI's log. */
function cachedSteps(stderr) {
  return (stderr.match(/#\d+ CACHED/g) ?? []).length;
}

function upLogged(host, extra) {
  try {
    const r = execFileSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${cli}" up --workspace-folder "${ws}" --log-format json --id-label devcontainer-kit.workspace=dck-builder-bk-bench-${suffix} ${extra.join(' ')} 2>"${scratch}/up.err"`,
      ],
      { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: dockerConfig }, maxBuffer: 256 * 1024 * 1024 },
    );
    const result = JSON.parse(r.trim().split('\n').at(-1));
    if (result.outcome !== 'success') throw new Error(`up failed: ${r.slice(-500)}`);
    return { result, stderr: readFileSync(join(scratch, 'up.err'), 'utf8') };
  } catch (error) {
    throw new Error(`up failed: ${error.message}\n${readFileSync(join(scratch, 'up.err'), 'utf8').slice(-1500)}`);
  }
}

try {
  const hosts = Object.fromEntries(Object.entries(daemons).map(([k, name]) => [k, testbed('fresh-dockerd', 'start', name)]));
  for (const host of Object.values(hosts))
    sh('docker save local/debian:bookworm | DOCKER_HOST="$H" docker load -q >/dev/null', { H: host });

  const legacy = await timed(() => up(hosts.legacy, ['--buildkit', 'never'], { DOCKER_BUILDKIT: '0' }));
  const buildkit = await timed(() => upLogged(hosts.buildkit, ['--cache-to', 'type=inline']));
  const image = sh('DOCKER_HOST="$H" docker images --format "{{.Repository}}" | grep "^vsc-" | grep -v -- "-uid$" | head -1', {
    H: hosts.buildkit,
  });
  const push = await timed(() =>
    sh('DOCKER_HOST="$H" docker tag "$I" "$R" && DOCKER_HOST="$H" docker push -q "$R" >/dev/null', { H: hosts.buildkit, I: image, R: ref }),
  );
  const warm = await timed(() => upLogged(hosts.warm, ['--cache-from', ref]));
  const cached = cachedSteps(warm.value.stderr);
  const totalSteps = (readFileSync(join(ws, '.devcontainer/Dockerfile'), 'utf8').match(/^(RUN|COPY|ADD) /gm) ?? []).length;

  console.log(
    `BuildKit bench (fresh dockerd 20.10.24 per build, base image preloaded; buildx ${sh(`DOCKER_CONFIG=${dockerConfig} docker buildx version`).split(' ')[1]}, docker driver)`,
  );
  table([
    ['case', 'time', 'ratio'],
    ['legacy builder, cold', seconds(legacy.ms), '1.00'],
    ['BuildKit, cold (+ inline cache)', seconds(buildkit.ms), (buildkit.ms / legacy.ms).toFixed(2)],
    ['  push of the image to the registry (cache export)', seconds(push.ms), ''],
    [
      `BuildKit, empty daemon, --cache-from registry (${cached} of ${totalSteps} Dockerfile steps cached)`,
      seconds(warm.ms),
      `${(warm.ms / buildkit.ms).toFixed(2)} of BuildKit cold`,
    ],
  ]);
} finally {
  for (const name of Object.values(daemons)) {
    try {
      testbed('fresh-dockerd', 'stop', name);
    } catch {}
  }
  try {
    sh(`docker rmi -f "${ref}" >/dev/null 2>&1; true`);
    testbed('registry', 'forget', repository.split('/')[0]);
  } catch {}
  rmSync(scratch, { recursive: true, force: true });
}
