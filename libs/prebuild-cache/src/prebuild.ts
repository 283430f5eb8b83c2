// `prebuild`: build the devcontainer image with the real devcontainer CLI, tag it with the cache
// key, push it to the registry. Every child runs with the Docker context's environment only, so a
// `${localEnv:GH_TOKEN}` build arg stays empty instead of baking the caller's token into the image.
import { type CliLogLevel, type DockerContext, runDevcontainerCli, runDocker } from '@devcontainer-kit/docker-context';
import { computeImageCacheKey } from './cache-key.js';
import { PrebuildCacheError } from './errors.js';
import { type CacheStatus, prebuiltImageName, registryHasTag } from './registry.js';
import { dockerConfigDir } from './registry-auth.js';

export interface PrebuildOptions {
  workspaceFolder: string;
  configPath?: string | undefined;
  registry: string;
  repository: string;
  /** Build even when the registry already has the tag. Default false. */
  force?: boolean;
  /** `DEVCONTAINER_CACHE_FROM`: image(s) handed to `devcontainer build --cache-from`. */
  cacheFrom?: readonly string[];
  /** One line per devcontainer CLI log event, at the CLI's own level. */
  onLog?: (line: string, level: CliLogLevel) => void;
}

export interface PrebuildResult {
  /** `hit` when the registry already had the tag (nothing built), `built` when built and pushed. */
  status: Extract<CacheStatus, 'hit' | 'built'>;
  key: string;
  image: string;
  /** Extra tags pushed (when the build wrote a feature lockfile and so changed the key). */
  alsoPushed: string[];
  durationMs: number;
  buildMs?: number;
  pushMs?: number;
}

/** `devcontainer build` arguments. Pure. */
export function buildArgs(o: Pick<PrebuildOptions, 'workspaceFolder' | 'configPath' | 'cacheFrom'> & { image: string }): string[] {
  const args = ['build', '--workspace-folder', o.workspaceFolder, '--image-name', o.image, '--log-format', 'json'];
  if (o.configPath) args.push('--config', o.configPath);
  for (const from of o.cacheFrom ?? []) args.push('--cache-from', from);
  return args;
}

async function push(ctx: DockerContext, ref: string): Promise<void> {
  const r = await runDocker(ctx, ['push', ref]);
  if (r.exitCode !== 0)
    throw new PrebuildCacheError(`docker push ${ref} failed (exit ${r.exitCode})`, {
      code: 'push-failed',
      subject: ref,
      command: `docker push ${ref}`,
      exitCode: r.exitCode,
      outputTail: r.all.split('\n').slice(-10).join('\n'),
    });
}

/** Builds, tags and pushes `registry/repository:<cache key>`; skips the build when the tag exists. */
export async function prebuild(ctx: DockerContext, options: PrebuildOptions): Promise<PrebuildResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { key } = await computeImageCacheKey(options);
  const image = prebuiltImageName({ ...options, key });
  if (!options.force && (await registryHasTag({ ...options, key, dockerConfig: dockerConfigDir(ctx.env) })).exists) {
    options.onLog?.(`image cache hit: ${image} is already in the registry, nothing to build`, 'info');
    return { status: 'hit', key, image, alsoPushed: [], durationMs: elapsed() };
  }

  options.onLog?.(`building ${image}`, 'info');
  const build = await runDevcontainerCli(ctx, buildArgs({ ...options, image }), {
    onLine: (l) => options.onLog?.(l.text, l.level),
  });
  if (build.exitCode !== 0 || build.result?.outcome !== 'success')
    throw new PrebuildCacheError(`devcontainer build failed (exit ${build.exitCode})`, {
      code: 'build-failed',
      subject: image,
      command: 'devcontainer build',
      exitCode: build.exitCode,
      outputTail: build.outputTail,
    });

  const pushStarted = performance.now();
  await push(ctx, image);
  // `devcontainer build` writes devcontainer-lock.json when the config has features; when that
  // changes the key, `up` will look for the new key: push that tag too.
  const alsoPushed: string[] = [];
  const after = await computeImageCacheKey(options);
  if (after.key !== key) {
    const second = prebuiltImageName({ ...options, key: after.key });
    if ((await runDocker(ctx, ['tag', image, second])).exitCode === 0) {
      await push(ctx, second);
      alsoPushed.push(second);
    }
  }
  const pushMs = Math.round(performance.now() - pushStarted);
  options.onLog?.(`pushed ${[image, ...alsoPushed].join(', ')} (build ${build.durationMs} ms, push ${pushMs} ms)`, 'info');
  return { status: 'built', key, image, alsoPushed, durationMs: elapsed(), buildMs: build.durationMs, pushMs };
}
