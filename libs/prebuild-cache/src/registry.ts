// The prebuilt-image lookup: the registry's HTTP API v2 (a HEAD on the tag's manifest), then `docker pull`.
import { type DockerContext, runDocker } from '@devcontainer-kit/docker-context';
import { PrebuildCacheError } from './errors.js';
import { dockerConfigDir, type RegistryCredentials, readRegistryCredentials, registryRequest } from './registry-auth.js';

export type CacheStatus = 'hit' | 'miss' | 'built';

export interface RegistryImageOptions {
  /** `host:port` of the registry, e.g. `127.0.0.1:5000`. */
  registry: string;
  /** Repository inside the registry, e.g. `acme/api-devcontainer`. */
  repository: string;
}

/** Pure: `registry/repository:key`. */
export function prebuiltImageName({ registry, repository, key }: RegistryImageOptions & { key: string }): string {
  return `${registry}/${repository}:${key}`;
}

/** Pure: plain http for loopback registries (Docker's default insecure range), https otherwise. */
export function registryBaseUrl(registry: string): string {
  return registryBaseUrls(registry).at(-1) as string;
}

/**
 * Pure: the base URLs to try, in order. Loopback registries (Docker's default insecure range):
 * https, then plain http when https gets no TLS answer — as the docker daemon does; others: https.
 * Docker Hub (`docker.io`) is served by registry-1.docker.io.
 */
export function registryBaseUrls(registry: string): string[] {
  const host = registry.replace(/:\d+$/, '');
  if (host === 'docker.io' || host === 'index.docker.io') return ['https://registry-1.docker.io'];
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '[::1]';
  return loopback ? [`https://${registry}`, `http://${registry}`] : [`https://${registry}`];
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export interface RegistryHasTagOptions extends RegistryImageOptions {
  key: string;
  timeoutMs?: number;
  /** Credentials for the registry; default: read from `<dockerConfig>/config.json`. */
  credentials?: RegistryCredentials | undefined;
  /** The docker client's config directory (a Docker context's DOCKER_CONFIG); its config.json `auths` are used. */
  dockerConfig?: string | undefined;
}

/**
 * Whether the registry has the tag (HEAD /v2/<repository>/manifests/<tag>), with the credentials
 * docker would use (Basic, or the Bearer token flow). Throws `registry-unreachable` (no answer,
 * untrusted certificate, neither 200 nor 404) or `registry-auth` (401 that cannot be answered).
 */
export async function registryHasTag({
  registry,
  repository,
  key,
  timeoutMs = 10_000,
  credentials,
  dockerConfig,
}: RegistryHasTagOptions): Promise<{ exists: boolean; digest?: string }> {
  const creds = credentials ?? (await readRegistryCredentials(dockerConfig, registry));
  const bases = registryBaseUrls(registry);
  let response: Response | undefined;
  let url = '';
  for (const [i, base] of bases.entries()) {
    url = `${base}/v2/${repository}/manifests/${key}`;
    try {
      response = await registryRequest({
        url,
        method: 'HEAD',
        headers: { accept: MANIFEST_TYPES },
        registry,
        credentials: creds,
        scope: `repository:${repository}:pull`,
        timeoutMs,
      });
      break;
    } catch (error) {
      // https to a plain-http loopback registry: no TLS answer (not an untrusted certificate) → try http.
      const last = i === bases.length - 1;
      const tlsMismatch =
        error instanceof PrebuildCacheError && error.code === 'registry-unreachable' && !/not trusted/.test(error.message);
      if (last || !tlsMismatch) throw error;
    }
  }
  if (!response) throw new PrebuildCacheError(`registry ${registry} did not answer`, { code: 'registry-unreachable', subject: url });
  if (response.status === 200) {
    const digest = response.headers.get('docker-content-digest');
    return digest ? { exists: true, digest } : { exists: true };
  }
  if (response.status === 404) return { exists: false };
  throw new PrebuildCacheError(`registry ${registry} answered HEAD ${url} with ${response.status}`, {
    code: 'registry-unreachable',
    subject: url,
  });
}

export interface FindPrebuiltImageOptions extends RegistryImageOptions {
  key: string;
  /** Pull the image when the tag exists (default true). */
  pull?: boolean;
  onLog?: (line: string, level: 'debug' | 'info' | 'warn') => void;
}

export interface FindPrebuiltImageResult {
  status: 'hit' | 'miss';
  image: string;
  /** The manifest digest the registry reported, on a hit. */
  digest?: string;
  /** On a hit: whether it was pulled (false when the same digest was already present locally). */
  pulled?: boolean;
  /** Why a lookup counted as a miss although it could not be made (registry down, pull failed). */
  reason?: string;
  durationMs: number;
}

/**
 * Looks for `registry/repository:key` and pulls it on a hit. Never throws: a registry that does
 * not answer or a failed pull is a miss with a reason (the caller builds as usual).
 */
export async function findPrebuiltImage(ctx: DockerContext, options: FindPrebuiltImageOptions): Promise<FindPrebuiltImageResult> {
  const started = performance.now();
  const image = prebuiltImageName(options);
  const done = (r: Omit<FindPrebuiltImageResult, 'durationMs' | 'image'>): FindPrebuiltImageResult => {
    const result = { image, ...r, durationMs: Math.round(performance.now() - started) };
    options.onLog?.(`image cache ${result.status}: ${image}${result.reason ? ` (${result.reason})` : ''}`, result.reason ? 'warn' : 'info');
    return result;
  };
  let found: { exists: boolean; digest?: string };
  try {
    found = await registryHasTag({ ...options, dockerConfig: dockerConfigDir(ctx.env) });
  } catch (cause) {
    return done({ status: 'miss', reason: (cause as Error).message });
  }
  if (!found.exists) return done({ status: 'miss' });
  // Already here with the registry's digest (a restart with Docker's data kept): no pull.
  const local = await runDocker(ctx, ['image', 'inspect', '--format', '{{json .RepoDigests}}', image]);
  const present = local.exitCode === 0 && found.digest !== undefined && String(local.stdout).includes(`@${found.digest}`);
  if (options.pull !== false && !present) {
    const r = await runDocker(ctx, ['pull', '--quiet', image]);
    if (r.exitCode !== 0) return done({ status: 'miss', reason: `docker pull failed: ${r.all.trim().split('\n').at(-1)}` });
  }
  return done({ status: 'hit', ...(found.digest ? { digest: found.digest } : {}), pulled: options.pull !== false && !present });
}

export interface PullCacheSourcesOptions {
  /** `DEVCONTAINER_CACHE_FROM` images. */
  images: readonly string[];
  onLog?: (line: string, level: 'debug' | 'info' | 'warn') => void;
}

/**
 * Pulls the `--cache-from` images before a build. Without buildx the devcontainer CLI uses the
 * legacy builder, which takes cache only from images present locally: `--cache-from` alone does
 * nothing on a fresh daemon (measured: 0 of 22 steps cached; pulled first: 12 of 22). Never throws:
 * an image that cannot be pulled is reported and skipped (the build just runs uncached).
 */
export async function pullCacheSources(
  ctx: DockerContext,
  { images, onLog }: PullCacheSourcesOptions,
): Promise<{ image: string; pulled: boolean; reason?: string }[]> {
  const results: { image: string; pulled: boolean; reason?: string }[] = [];
  for (const image of images) {
    const r = await runDocker(ctx, ['pull', '--quiet', image]);
    if (r.exitCode === 0) {
      results.push({ image, pulled: true });
      onLog?.(`cache source ${image} pulled`, 'info');
    } else {
      const reason = r.all.trim().split('\n').at(-1) || `exit ${r.exitCode}`;
      results.push({ image, pulled: false, reason });
      onLog?.(`cache source ${image} not pulled (${reason}): building without it`, 'warn');
    }
  }
  return results;
}
