import { LIFECYCLE_HOOKS } from '@devcontainer-kit/devcontainer-config';

// Pure: the devcontainer.json that `devcontainer up --override-config` gets on a cache hit, so
// the CLI starts the prebuilt image instead of building.

const BUILD_PROPERTIES = ['build', 'dockerFile', 'dockerfile', 'context', 'features', 'overrideFeatureInstallOrder'];

/**
 * Properties `devcontainer build` records in the image's `devcontainer.metadata` label that `up`
 * COLLECTS from every metadata entry instead of letting the last one win: repeated in the override
 * they would apply twice (a postCreateCommand ran twice in our test). A hit means the config is
 * unchanged since the prebuild (the whole config is in the key), so the label has them as written.
 */
export const METADATA_COLLECTED_PROPERTIES: readonly string[] = [
  // The hooks `up` runs inside the container (initializeCommand runs on the host, from the config).
  ...LIFECYCLE_HOOKS.filter((h) => h !== 'initializeCommand'),
  'customizations',
  'mounts',
  'forwardPorts',
  'capAdd',
  'securityOpt',
  'entrypoint',
];

export interface PrebuiltOverrideOptions {
  /**
   * Written into the override when given. The devcontainer CLI on Linux builds a `-uid` image
   * (a Dockerfile build step) to match the remote user's UID to the host user's — even when the
   * host user is root and nothing changes. `false` makes a cache hit build nothing at all (what
   * the builder wants when it runs as root next to its Docker daemon); leave it undefined to keep
   * the configuration's own setting.
   */
  updateRemoteUserUID?: boolean;
}

/**
 * The configuration with its build replaced by the prebuilt image: `image` set, `build` (and the
 * legacy `dockerFile`/`context`) and `features` removed — the prebuilt image already holds the
 * features and carries the configuration in its `devcontainer.metadata` label, so the properties
 * `up` collects from that label (lifecycle hooks, mounts, customizations, ...; see
 * METADATA_COLLECTED_PROPERTIES) are removed too. The rest (runArgs, workspaceMount,
 * workspaceFolder, remoteUser, containerEnv, remoteEnv, ...) stays as written.
 */
export function createPrebuiltOverrideConfig(
  config: Record<string, unknown>,
  image: string,
  options: PrebuiltOverrideOptions = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!BUILD_PROPERTIES.includes(k) && !METADATA_COLLECTED_PROPERTIES.includes(k)) out[k] = v;
  out.image = image;
  if (options.updateRemoteUserUID !== undefined) out.updateRemoteUserUID = options.updateRemoteUserUID;
  return out;
}
