export type { CacheKeyInput, ComputeImageCacheKeyOptions, ImageCacheKey } from './cache-key.js';
export { CACHE_KEY_VERSION, computeImageCacheKey } from './cache-key.js';
export type { PrebuildCacheErrorCode, PrebuildCacheErrorOptions } from './errors.js';
export { PrebuildCacheError } from './errors.js';
export type { PrebuiltOverrideOptions } from './override-config.js';
export { createPrebuiltOverrideConfig } from './override-config.js';
export type { PrebuildOptions, PrebuildResult } from './prebuild.js';
export { prebuild } from './prebuild.js';
export type {
  CacheStatus,
  FindPrebuiltImageOptions,
  FindPrebuiltImageResult,
  PullCacheSourcesOptions,
  RegistryHasTagOptions,
  RegistryImageOptions,
} from './registry.js';
export { findPrebuiltImage, prebuiltImageName, pullCacheSources, registryBaseUrls, registryHasTag } from './registry.js';
export type { AuthChallenge, ParsedDockerConfig, RegistryCredentials, RegistryRequestOptions } from './registry-auth.js';
export {
  DOCKER_HUB_AUTH_KEY,
  dockerConfigDir,
  normalizeRegistryHost,
  parseAuthChallenge,
  parseDockerConfig,
  readRegistryCredentials,
  registryRequest,
} from './registry-auth.js';
