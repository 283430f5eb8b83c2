// The build cache inside `up`: the prebuilt image of DEVCONTAINER_CACHE_REPO (same key as
// `devcontainer-builder prebuild`) started through `--override-config` so no build step runs,
// and DEVCONTAINER_CACHE_FROM pulled first (the legacy builder takes cache only from local images).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { computeImageCacheKey } from './image-cache/cache-key.js';
import { createPrebuiltOverrideConfig } from './image-cache/override-config.js';
import { findPrebuiltImage, pullCacheSources } from './image-cache/registry.js';
import type { PhaseLog } from './phase-log.js';

export type PrebuiltLookup =
  | { status: 'hit'; image: string; key: string; overrideConfig: string }
  | { status: 'miss'; image?: string; key?: string; reason?: string };

export interface LookupPrebuiltOptions {
  cacheRepo: { registry: string; repository: string };
  workspaceFolder: string;
  /** devcontainer.json (absolute). */
  configFile: string;
  config: Record<string, unknown>;
  /** Where the override configuration is written. */
  stateDir: string;
  dockerHost: string | undefined;
  log: PhaseLog;
}

/** Key → registry lookup (HEAD + pull when not present) → override config file on a hit. Never throws. */
export async function lookupPrebuiltImage(o: LookupPrebuiltOptions): Promise<PrebuiltLookup> {
  let key: string;
  try {
    const k = await computeImageCacheKey({ workspaceFolder: o.workspaceFolder, configPath: o.configFile });
    key = k.key;
    for (const n of k.notes) o.log.write(`cache key: ${n}`, 'debug');
  } catch (error) {
    const reason = `cannot compute the cache key: ${(error as Error).message}`;
    o.log.write(`image cache miss: ${reason}`, 'warn');
    return { status: 'miss', reason };
  }
  const found = await findPrebuiltImage({
    registry: o.cacheRepo.registry,
    repository: o.cacheRepo.repository,
    key,
    ...(o.dockerHost ? { dockerHost: o.dockerHost } : {}),
    onLog: (line, level) => o.log.write(line, level),
  });
  if (found.status !== 'hit') return { status: 'miss', image: found.image, key, ...(found.reason ? { reason: found.reason } : {}) };
  o.log.write(
    `prebuilt image ${found.image} ${found.pulled ? `pulled in ${(found.durationMs / 1000).toFixed(1)} s` : 'already present'}: starting it without a build`,
    'info',
  );
  const override = createPrebuiltOverrideConfig(o.config, found.image, { updateRemoteUserUID: false });
  await mkdir(o.stateDir, { recursive: true });
  const overrideConfig = join(o.stateDir, 'prebuilt-override.json');
  await writeFile(overrideConfig, `${JSON.stringify(override, null, 2)}\n`);
  return { status: 'hit', image: found.image, key, overrideConfig };
}

/** Pulls DEVCONTAINER_CACHE_FROM images (a missing one is logged and skipped). */
export async function pullCacheFrom(o: { images: string[]; dockerHost: string | undefined; log: PhaseLog }): Promise<void> {
  if (o.images.length === 0) return;
  await pullCacheSources({
    images: o.images,
    ...(o.dockerHost ? { dockerHost: o.dockerHost } : {}),
    onLog: (line, level) => o.log.write(line, level),
  });
}
