// What DEVCONTAINER_CACHE_FROM / DEVCONTAINER_CACHE_TO do on this machine (docker 28 client without
// buildx, so the devcontainer CLI uses the legacy builder): real builds on fresh daemons, counting
// the steps the builder took from cache. Facts only; the README section quotes this output.
// Run: node bench/cache-from.facts.mjs (from libs/builder-runner).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageDir, sh, testbed } from './support.mjs';

const ic = await import('@devcontainer-kit/prebuild-cache');
const { resolveDevcontainerCli } = await import('@devcontainer-kit/docker-context');
testbed('docker');
const registry = testbed('registry');
const suffix = Math.random().toString(16).slice(2, 10);
const repository = `dck-builder-ext-cf-${suffix}/devcontainer`;
// One fresh daemon per case, so no case sees another's local build cache.
const names = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((k) => [k, `dck-builder-ext-cf${k}-${suffix}`]));
const scratch = mkdtempSync(join(tmpdir(), 'dck-builder-ext-cf-'));

function build(host, ws, image, extra) {
  const started = performance.now();
  const r = spawnSync(
    process.execPath,
    [resolveDevcontainerCli().args[0], 'build', '--workspace-folder', ws, '--image-name', image, '--log-format', 'json', ...extra],
    {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: host },
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  // stderr: one JSON event per line; the docker build output is in their `text`.
  const out = r.stderr
    .split('\n')
    .map((l) => {
      try {
        return JSON.parse(l).text ?? '';
      } catch {
        return l;
      }
    })
    .join('\n');
  return {
    ok: r.status === 0,
    ms: Math.round(performance.now() - started),
    steps: (out.match(/^Step \d+\/\d+ :/gm) ?? []).length,
    cached: (out.match(/Using cache/g) ?? []).length,
    notes: out
      .split('\n')
      .filter((l) => /cache-to|cache_to|buildx|cache-from|DEPRECATED/i.test(l))
      .map((l) => l.trim().slice(0, 160))
      .slice(0, 3),
  };
}
const line = (what, b) =>
  console.log(`${what}: ${b.ok ? 'ok' : 'FAILED'}, ${b.cached} of ${b.steps} steps from cache, ${(b.ms / 1000).toFixed(1)} s`);

try {
  const h = Object.fromEntries(Object.entries(names).map(([k, n]) => [k, testbed('fresh-dockerd', 'start', n)]));
  for (const host of Object.values(h)) sh('docker save local/debian:bookworm | DOCKER_HOST="$H" docker load -q >/dev/null', { H: host });
  const ws = join(scratch, 'ws');
  cpSync(join(packageDir, 'test/image-cache/fixtures/prebuild'), ws, { recursive: true });
  const ref = `${registry}/${repository}:cache-source`;

  console.log(
    'Each case on its own fresh daemon holding only local/debian:bookworm; REF = an image built by `devcontainer build` and pushed to the registry.',
  );
  line('1. plain build of REF (then docker push)', build(h.a, ws, ref, []));
  sh(`docker push ${ref} >/dev/null`, { DOCKER_HOST: h.a });
  line('2. --cache-from REF, REF not pulled', build(h.b, ws, `${registry}/${repository}:b`, ['--cache-from', ref]));
  sh(`docker pull -q ${ref} >/dev/null`, { DOCKER_HOST: h.c });
  line('3. REF pulled, no --cache-from', build(h.c, ws, `${registry}/${repository}:c`, []));
  sh(`docker pull -q ${ref} >/dev/null`, { DOCKER_HOST: h.d });
  line('4. REF pulled, --cache-from REF', build(h.d, ws, `${registry}/${repository}:d`, ['--cache-from', ref]));
  const to = build(h.e, ws, `${registry}/${repository}:e`, ['--cache-to', `type=registry,ref=${registry}/${repository}:cache-to`]);
  line('5. --cache-to type=registry,ref=REG/REPO:cache-to', to);
  const pushed = await ic.registryHasTag({ registry, repository, key: 'cache-to' });
  console.log(`   registry has :cache-to afterwards: ${pushed.exists}; CLI lines mentioning it: ${JSON.stringify(to.notes)}`);
  const bk = spawnSync('docker', ['build', '-q', '-'], {
    input: 'FROM local/debian:bookworm\n',
    encoding: 'utf8',
    env: { ...process.env, DOCKER_HOST: h.e, DOCKER_BUILDKIT: '1' },
  });
  console.log(
    `6. DOCKER_BUILDKIT=1 with the docker ${execFileSync('docker', ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' }).trim()} client: exit ${bk.status}: ${(bk.stderr || bk.stdout).trim().split('\n')[0]}`,
  );
} finally {
  for (const n of Object.values(names)) testbed('fresh-dockerd', 'stop', n);
  rmSync(scratch, { recursive: true, force: true });
  testbed('registry', 'forget', repository.split('/')[0]);
}
