export type { CacheKeyInput, ComputeImageCacheKeyOptions, ImageCacheKey } from './cache-key.js';
export { CACHE_KEY_VERSION, canonicalJson, computeImageCacheKey, hashCacheKeyInputs } from './cache-key.js';
export type { DockerfileSources } from './dockerfile-sources.js';
export { parseDockerfileSources, splitInstructions } from './dockerfile-sources.js';
export type { ImageCacheErrorCode } from './errors.js';
export { ImageCacheError } from './errors.js';
export type { PrebuiltOverrideOptions } from './override-config.js';
export { createPrebuiltOverrideConfig, METADATA_COLLECTED_PROPERTIES } from './override-config.js';
export { isIgnored, parseDockerignore, patternToRegExp } from './patterns.js';
export type { PrebuildOptions, PrebuildResult } from './prebuild.js';
export { devcontainerCliPath, prebuild } from './prebuild.js';
export type {
  CacheStatus,
  FindPrebuiltImageOptions,
  FindPrebuiltImageResult,
  PullCacheSourcesOptions,
  RegistryImageOptions,
} from './registry.js';
export { findPrebuiltImage, prebuiltImageName, pullCacheSources, registryBaseUrl, registryHasTag } from './registry.js';
