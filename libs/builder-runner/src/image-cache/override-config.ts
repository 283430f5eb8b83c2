// Pure: the devcontainer.json that `devcontainer up --override-config` gets on a cache hit, so
// the CLI starts the prebuilt image instead of building.

const BUILD_PROPERTIES = ['build', 'dockerFile', 'dockerfile', 'context', 'features', 'overrideFeatureInstallOrder'];

/**
 * The configuration with its build replaced by the prebuilt image: `image` set, `build` (and the
 * legacy `dockerFile`/`context`) and `features` removed — the prebuilt image already holds the
 * features and carries the configuration in its `devcontainer.metadata` label. Everything else
 * (runArgs, mounts, workspaceMount, remoteUser, lifecycle hooks, ...) stays as written.
 */
export function createPrebuiltOverrideConfig(config: Record<string, unknown>, image: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (!BUILD_PROPERTIES.includes(k)) out[k] = v;
  out.image = image;
  return out;
}
