export { K8sManifestsError, type K8sManifestsErrorCode } from './errors.js';
export { DEFAULTS, defaultWorkspaceFolder, isTerraformExpression, MAX_NAME_LENGTH, validateOptions } from './options.js';
export {
  fromTerraformJson,
  type KubernetesObjectJson,
  TERRAFORM_RESOURCE_NAMES,
  TERRAFORM_RESOURCE_TYPES,
  toTerraformJson,
} from './terraform-json.js';
export type {
  AccessMode,
  BuilderOptions,
  CoderIdentityOptions,
  DindIsolation,
  DindOptions,
  EgressPeer,
  NetworkPolicyOptions,
  OptionsProblem,
  PolicyRule,
  ResourceOptions,
  SchedulingOptions,
  SecretOptions,
  ServiceAccountOptions,
  StorageOptions,
  TerraformRenderOptions,
  Toleration,
  VolumeOptions,
  WorkspaceManifestOptions,
} from './types.js';
export { type SchemaProblem, validateManifests } from './validate.js';
export { parseValuesFile, type RenderFormat, renderValues, type ValuesFile } from './values-file.js';
export {
  DIND_PRESTOP_SECONDS,
  DOCKER_DATA_PATH,
  listManifests,
  MANIFEST_ORDER,
  type ManifestKey,
  SECRET_KEYS,
  VOLUMES,
  WORKSPACES_PATH,
  type WorkspaceManifests,
  type WorkspaceObject,
  workspaceManifests,
} from './workspace-manifests.js';
export { toYaml } from './yaml.js';
