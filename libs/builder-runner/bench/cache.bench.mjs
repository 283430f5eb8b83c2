// Image cache benchmark: cold build vs cache hit, each on a FRESH Docker daemon (second dockerd,
// empty data dir), with the real devcontainer CLI and Debian's docker-registry on 127.0.0.1.
//   cold: on an EMPTY daemon, pull the base image from the registry (as a fresh node pulls its FROM
//         image) and `devcontainer up` (builds everything); also shown without the base pull
//   hit:  findPrebuiltImage (registry HEAD + docker pull) + `devcontainer up --override-config`
//         on an EMPTY daemon (no build step)
// Target: hit <= 25% of cold. Run: node bench/cache.bench.mjs [small|typical] (from libs/builder-runner):
//   small   (default) Debian + git, curl, python3, make
//   typical           Debian + build-essential, python3-dev, libssl-dev, ... (a usual development image)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir, seconds, sh, table, testbed, timed } from './support.mjs';

const fixture = process.argv[2] === 'typical' ? 'cache-typical' : 'cache';
const ic = await import('@devcontainer-kit/prebuild-cache');
const { createDockerContext, resolveDevcontainerCli } = await import('@devcontainer-kit/docker-context');
const on = (host) => createDockerContext({ env: process.env, dockerHost: host });
testbed('docker');
const registry = testbed('registry');
const suffix = Math.random().toString(16).slice(2, 10);
const repository = `dck-builder-ext-bench-${suffix}/devcontainer`;
const daemons = {
  cold: `dck-builder-ext-bcold-${suffix}`,
  prebuild: `dck-builder-ext-bpre-${suffix}`,
  hit: `dck-builder-ext-bhit-${suffix}`,
};
const scratch = mkdtempSync(join(tmpdir(), 'dck-builder-ext-bench-'));
const cli = resolveDevcontainerCli().args[0];

function up(ws, host, extra = []) {
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
      `devcontainer-kit.workspace=dck-builder-ext-bench-${suffix}`,
      ...extra,
    ],
    {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: host },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1));
  if (result.outcome !== 'success') throw new Error(`up failed: ${out.slice(-500)}`);
  return result;
}

try {
  const hosts = Object.fromEntries(Object.entries(daemons).map(([k, name]) => [k, testbed('fresh-dockerd', 'start', name)]));
  sh('docker save local/debian:bookworm | DOCKER_HOST="$H" docker load -q >/dev/null', { H: hosts.prebuild });
  // The base image in the registry, so the cold daemon pulls its FROM image like a fresh node would.
  const baseRef = `${registry}/${repository.split('/')[0]}/debian:bookworm`;
  sh(`docker tag local/debian:bookworm ${baseRef} && docker push -q ${baseRef} >/dev/null; docker rmi ${baseRef} >/dev/null`);
  const ws = join(scratch, 'ws');
  cpSync(join(packageDir, 'bench/fixtures', fixture), ws, { recursive: true });

  const base = await timed(() =>
    sh(`docker pull -q ${baseRef} >/dev/null && docker tag ${baseRef} local/debian:bookworm`, { DOCKER_HOST: hosts.cold }),
  );
  const coldUp = await timed(() => up(ws, hosts.cold));
  const cold = { ms: base.ms + coldUp.ms };
  const pre = await timed(() => ic.prebuild(on(hosts.prebuild), { workspaceFolder: ws, registry, repository }));
  if (pre.value.status !== 'built') throw new Error(`prebuild: ${pre.value.status}`);

  const hit = await timed(async () => {
    const { key } = await ic.computeImageCacheKey({ workspaceFolder: ws });
    const found = await ic.findPrebuiltImage(on(hosts.hit), { registry, repository, key });
    if (found.status !== 'hit') throw new Error(`expected a hit: ${JSON.stringify(found)}`);
    const config = JSON.parse(readFileSync(join(ws, '.devcontainer/devcontainer.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
    const override = join(scratch, 'override.json');
    writeFileSync(override, JSON.stringify(ic.createPrebuiltOverrideConfig(config, found.image, { updateRemoteUserUID: false })));
    const lookupMs = found.durationMs;
    return { lookupMs, result: up(ws, hosts.hit, ['--override-config', override]) };
  });
  const keyOnly = await timed(() => ic.computeImageCacheKey({ workspaceFolder: ws }));
  const size = sh(`docker image inspect --format '{{.Size}}' ${pre.value.image}`, { DOCKER_HOST: hosts.hit });

  console.log(
    `image cache benchmark, fixture bench/fixtures/${fixture} (image ${Math.round(Number(size) / 1e6)} MB, registry ${registry}, fresh daemons, load average ${(await import('node:os')).loadavg()[0].toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`,
  );
  table([
    ['step', 'time', 'of cold'],
    ['cold: pull the base image + devcontainer up (build + start)', seconds(cold.ms), '100%'],
    ['  of which devcontainer up with the base image present', seconds(coldUp.ms), `${Math.round((100 * coldUp.ms) / cold.ms)}%`],
    ['prebuild: build + push (not on the workspace path)', seconds(pre.ms), `${Math.round((100 * pre.ms) / cold.ms)}%`],
    [
      'hit: key + registry lookup + pull',
      seconds(hit.value.lookupMs + keyOnly.ms),
      `${Math.round((100 * (hit.value.lookupMs + keyOnly.ms)) / cold.ms)}%`,
    ],
    ['hit: total to a running devcontainer (lookup + pull + up)', seconds(hit.ms), `${Math.round((100 * hit.ms) / cold.ms)}%`],
    ['computeImageCacheKey alone', `${keyOnly.ms} ms`, ''],
  ]);
  const ratio = hit.ms / cold.ms;
  console.log(
    `target hit <= 25% of cold: ${(ratio * 100).toFixed(0)}% — ${ratio <= 0.25 ? 'met' : 'NOT met'} (${((100 * hit.ms) / coldUp.ms).toFixed(0)}% of the cold up without the base pull)`,
  );
} finally {
  for (const name of Object.values(daemons)) testbed('fresh-dockerd', 'stop', name);
  rmSync(scratch, { recursive: true, force: true });
  testbed('registry', 'forget', repository.split('/')[0]);
}
