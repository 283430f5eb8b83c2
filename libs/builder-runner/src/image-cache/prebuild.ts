// `prebuild`: build the devcontainer image with the real devcontainer CLI, tag it with the cache
// key, push it to the registry.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { computeImageCacheKey } from './cache-key.js';
import { ImageCacheError } from './errors.js';
import { type CacheStatus, prebuiltImageName, registryHasTag } from './registry.js';

/** The devcontainer CLI's entry point (`@devcontainers/cli`, a dependency of this package). */
export function devcontainerCliPath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@devcontainers/cli/package.json')), 'devcontainer.js');
}

export interface PrebuildOptions {
  workspaceFolder: string;
  configPath?: string;
  registry: string;
  repository: string;
  /** Build even when the registry already has the tag. Default false. */
  force?: boolean;
  /** `DEVCONTAINER_CACHE_FROM`: image(s) handed to `devcontainer build --cache-from` (see the docs for what works without buildx). */
  cacheFrom?: string[];
  /** DOCKER_HOST for the build and push (default: the environment's). */
  dockerHost?: string;
  /** One line per devcontainer CLI log event / step, for the Coder log. */
  onLog?: (line: string, level: 'debug' | 'info' | 'warn' | 'error') => void;
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

const LEVELS = ['debug', 'debug', 'info', 'warn', 'error', 'error'] as const;

/** Turns the CLI's `--log-format json` stderr into lines (best effort: plain lines pass through). */
function forwardCliLog(chunk: string, onLog: PrebuildOptions['onLog']): void {
  if (!onLog) return;
  for (const line of chunk.split('\n')) {
    if (!line.trim()) continue;
    try {
      const event = JSON.parse(line) as { text?: string; level?: number };
      if (typeof event.text === 'string' && event.text.trim()) onLog(event.text.trimEnd(), LEVELS[event.level ?? 2] ?? 'info');
    } catch {
      onLog(line, 'info');
    }
  }
}

/** Builds, tags and pushes `registry/repository:<cache key>`; skips the build when the tag exists. */
export async function prebuild(options: PrebuildOptions): Promise<PrebuildResult> {
  const started = performance.now();
  const { key } = await computeImageCacheKey(options);
  const image = prebuiltImageName({ ...options, key });
  const env = options.dockerHost ? { DOCKER_HOST: options.dockerHost } : {};
  const elapsed = () => Math.round(performance.now() - started);

  if (!options.force && (await registryHasTag({ ...options, key })).exists) {
    options.onLog?.(`image cache hit: ${image} is already in the registry, nothing to build`, 'info');
    return { status: 'hit', key, image, alsoPushed: [], durationMs: elapsed() };
  }

  const args = [
    devcontainerCliPath(),
    'build',
    '--workspace-folder',
    options.workspaceFolder,
    '--image-name',
    image,
    '--log-format',
    'json',
  ];
  if (options.configPath) args.push('--config', options.configPath);
  for (const from of options.cacheFrom ?? []) args.push('--cache-from', from);
  options.onLog?.(`building ${image}`, 'info');
  const buildStarted = performance.now();
  const child = execa(process.execPath, args, { reject: false, stdin: 'ignore', env, all: true });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => forwardCliLog(c, options.onLog));
  const build = await child;
  const buildMs = Math.round(performance.now() - buildStarted);
  const tail = String(build.all ?? '')
    .split('\n')
    .slice(-20)
    .join('\n');
  let outcome: { outcome?: string } = {};
  try {
    outcome = JSON.parse(String(build.stdout).trim().split('\n').at(-1) ?? '{}');
  } catch {
    // no result line: the exit code decides
  }
  if (build.exitCode !== 0 || outcome.outcome !== 'success') {
    throw new ImageCacheError('BUILD_FAILED', `devcontainer build failed (exit ${build.exitCode})`, {
      subject: image,
      command: 'devcontainer build',
      ...(build.exitCode !== undefined ? { exitCode: build.exitCode } : {}),
      outputTail: tail,
    });
  }

  const push = async (ref: string) => {
    const r = await execa('docker', ['push', ref], { reject: false, stdin: 'ignore', env, all: true });
    if (r.exitCode !== 0) {
      throw new ImageCacheError('PUSH_FAILED', `docker push ${ref} failed (exit ${r.exitCode})`, {
        subject: ref,
        command: `docker push ${ref}`,
        ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        outputTail: String(r.all).split('\n').slice(-10).join('\n'),
      });
    }
  };
  const pushStarted = performance.now();
  await push(image);
  // `devcontainer build` writes devcontainer-lock.json when the config has features; when that
  // changes the key, `up` will look for the new key: push that tag too.
  const alsoPushed: string[] = [];
  const after = await computeImageCacheKey(options);
  if (after.key !== key) {
    const second = prebuiltImageName({ ...options, key: after.key });
    const tag = await execa('docker', ['tag', image, second], { reject: false, stdin: 'ignore', env });
    if (tag.exitCode === 0) {
      await push(second);
      alsoPushed.push(second);
    }
  }
  const pushMs = Math.round(performance.now() - pushStarted);
  options.onLog?.(`pushed ${[image, ...alsoPushed].join(', ')} (build ${buildMs} ms, push ${pushMs} ms)`, 'info');
  return { status: 'built', key, image, alsoPushed, durationMs: elapsed(), buildMs, pushMs };
}
