// Real: two extra dockerd instances (tests/testbed/fresh-dockerd.sh) — a builder daemon that
// gets only local/debian:bookworm (docker save | load) and an EMPTY consumer daemon —
// Debian's docker-registry 2.8 on 127.0.0.1 (tests/testbed/registry.sh), the real devcontainer
// CLI (build and up) and docker push/pull. Nothing is mocked.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonc } from '@devcontainer-kit/devcontainer-config';
import { createDockerContext, resolveDevcontainerCli } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeImageCacheKey } from '../src/cache-key.js';
import { createPrebuiltOverrideConfig } from '../src/override-config.js';
import { prebuild } from '../src/prebuild.js';
import { findPrebuiltImage, pullCacheSources, registryHasTag } from '../src/registry.js';
import { docker, runTestbed, uniqueName } from './testbed.js';

const fixture = join(import.meta.dirname, 'fixtures/prebuild');
const daemonName = uniqueName('dockerd');
const builderName = uniqueName('builder');
const fresh = join(import.meta.dirname, '../../../tests/testbed/fresh-dockerd.sh');
const repository = `${uniqueName('cache')}/devcontainer`;
let registry: string;
let freshHost: string;
let builderHost: string;
let scratch: string;

const onBuilder = () => createDockerContext({ env: process.env, dockerHost: builderHost });
const onFresh2 = () => createDockerContext({ env: process.env, dockerHost: freshHost });

function workspace(): string {
  const dir = mkdtempSync(join(scratch, 'ws-'));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

beforeAll(() => {
  runTestbed('docker');
  registry = runTestbed('registry');
  const start = (name: string) =>
    execFileSync('bash', [fresh, 'start', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  freshHost = start(daemonName);
  // Builds run on their own daemon, so everything they leave behind goes away with it.
  builderHost = start(builderName);
  execFileSync('sh', ['-c', 'docker save local/debian:bookworm | DOCKER_HOST="$B" docker load -q'], {
    env: { ...process.env, B: builderHost },
    stdio: 'ignore',
  });
  scratch = mkdtempSync(join(tmpdir(), 'dck-builder-ext-prebuild-'));
}, 300_000);

afterAll(() => {
  for (const name of [daemonName, builderName]) execFileSync('bash', [fresh, 'stop', name], { stdio: 'inherit' });
  rmSync(scratch, { recursive: true, force: true });
  // Drop this run's repository and free the blobs nothing refers to any more.
  runTestbed('registry', 'forget', repository.split('/')[0]!);
});

describe('prebuild and findPrebuiltImage with a real registry', () => {
  it('prebuilds once, then a fresh daemon gets the image from the registry and up runs without a build', async () => {
    const ws = workspace();
    const lines: string[] = [];
    const built = await prebuild(onBuilder(), { workspaceFolder: ws, registry, repository, onLog: (l) => lines.push(l) });
    expect(built.status).toBe('built');
    expect(built.image).toBe(`${registry}/${repository}:${built.key}`);
    expect(built.key).toBe((await computeImageCacheKey({ workspaceFolder: ws })).key);
    expect(await registryHasTag({ registry, repository, key: built.key })).toMatchObject({
      exists: true,
      digest: expect.stringMatching(/^sha256:/),
    });
    expect(lines.some((l) => l.startsWith('pushed '))).toBe(true);

    // A second prebuild of the same content is a hit: nothing is built.
    const again = await prebuild(onBuilder(), { workspaceFolder: ws, registry, repository });
    expect(again).toMatchObject({ status: 'hit', key: built.key, image: built.image });
    expect(again.buildMs).toBeUndefined();

    // The fresh daemon has no images at all; the lookup pulls the prebuilt one.
    const onFresh = { ...process.env, DOCKER_HOST: freshHost };
    expect(docker(['images', '-q'], onFresh)).toBe('');
    const since = Math.floor(Date.now() / 1000) - 1;
    const hit = await findPrebuiltImage(onFresh2(), {
      registry,
      repository,
      key: (await computeImageCacheKey({ workspaceFolder: ws })).key,
    });
    expect(hit).toMatchObject({ status: 'hit', image: built.image, pulled: true });
    expect(docker(['image', 'inspect', '--format', '{{index .RepoTags 0}}', built.image], onFresh)).toBe(built.image);

    // `up` with the override config starts the prebuilt image: no build step runs on the fresh daemon.
    const config = parseJsonc(readFileSync(join(ws, '.devcontainer/devcontainer.json'), 'utf8')).config as Record<string, unknown>;
    const override = join(scratch, 'override.json');
    writeFileSync(override, JSON.stringify(createPrebuiltOverrideConfig(config, hit.image, { updateRemoteUserUID: false })));
    const up = execFileSync(
      process.execPath,
      [
        ...resolveDevcontainerCli().args,
        'up',
        '--workspace-folder',
        ws,
        '--override-config',
        override,
        '--id-label',
        `devcontainer-kit.workspace=${daemonName}`,
        '--log-format',
        'json',
      ],
      { encoding: 'utf8', env: onFresh, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const result = JSON.parse(up.trim().split('\n').at(-1)!) as { outcome: string; containerId: string; remoteUser: string };
    expect(result).toMatchObject({ outcome: 'success', remoteUser: 'dev' });
    const until = Math.ceil(Date.now() / 1000) + 1;
    const creates = docker(
      [
        'events',
        '--since',
        String(since),
        '--until',
        String(until),
        '--filter',
        'type=container',
        '--filter',
        'event=create',
        '--format',
        '{{.Actor.Attributes.image}}',
      ],
      onFresh,
    )
      .split('\n')
      .filter(Boolean);
    expect(creates).toEqual([built.image]); // only the devcontainer itself: no build containers
    expect(docker(['images', '--format', '{{.Repository}}:{{.Tag}}'], onFresh).split('\n')).toEqual([built.image]);
    const exec = (cmd: string) => docker(['exec', '-u', 'dev', result.containerId, 'sh', '-c', cmd], onFresh);
    expect(exec('cat /opt/built.txt /opt/feature-marker.txt /opt/tools/tool.sh')).toBe('built\nfrom-feature\necho tool');
    expect(exec('cat /tmp/post-create.log')).toBe('post-create'); // the hook ran once, not once per metadata entry

    // A second lookup (a restart with Docker's data kept) finds the same digest locally: no pull.
    expect(await findPrebuiltImage(onFresh2(), { registry, repository, key: built.key })).toMatchObject({
      status: 'hit',
      pulled: false,
    });

    // DEVCONTAINER_CACHE_FROM without buildx: the sources must be pulled; one that is missing is skipped.
    const pulled = await pullCacheSources(onFresh2(), { images: [built.image, `${registry}/${repository}:missing`] });
    expect(pulled.map((p) => p.pulled)).toEqual([true, false]);
    expect(pulled[1]!.reason).toMatch(/not found|manifest unknown/i);
  }, 300_000);

  it('misses after a one-line Dockerfile change, and a registry that does not answer is a miss with a reason', async () => {
    const ws = workspace();
    const { key } = await computeImageCacheKey({ workspaceFolder: ws });
    const dockerfile = join(ws, '.devcontainer/Dockerfile');
    writeFileSync(dockerfile, `${readFileSync(dockerfile, 'utf8')}ENV CHANGED=1\n`);
    const changed = await computeImageCacheKey({ workspaceFolder: ws });
    expect(changed.key).not.toBe(key);
    expect(await findPrebuiltImage(onFresh2(), { registry, repository, key: changed.key })).toMatchObject({ status: 'miss' });
    const down = await findPrebuiltImage(onFresh2(), { registry: '127.0.0.1:9', repository, key });
    expect(down.status).toBe('miss');
    expect(down.reason).toMatch(/did not answer/);
  }, 60_000);

  it('fails a broken build with the CLI output tail, nothing pushed', async () => {
    const ws = workspace();
    writeFileSync(join(ws, '.devcontainer/Dockerfile'), 'FROM local/debian:bookworm\nRUN exit 3\n');
    const failure = prebuild(onBuilder(), { workspaceFolder: ws, registry, repository });
    await expect(failure).rejects.toMatchObject({ name: 'PrebuildCacheError', code: 'build-failed', exitCode: 1 });
    const { key } = await computeImageCacheKey({ workspaceFolder: ws });
    expect((await registryHasTag({ registry, repository, key })).exists).toBe(false);
  }, 120_000);
});
