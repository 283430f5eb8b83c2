export { K8sManifestsError, type K8sManifestsErrorCode } from './errors.js';
export {
  ALWAYS_SET_ENV,
  DEFAULTS,
  defaultWorkspaceFolder,
  isLabelValue,
  isTerraformExpression,
  isUnset,
  labelKeyProblems,
  MANAGED_ENV,
  MAX_NAME_LENGTH,
  parseQuantity,
  validateOptions,
} from './options.js';
export {
  checkPodSecurity,
  isPodSecurityLevel,
  POD_SECURITY_LEVELS,
  type PodSecurityLevel,
  type PodSecurityViolation,
  type PodTemplateInput,
  podSecurityViolations,
  strictestPodSecurityLevel,
} from './pod-security.js';
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
  CaCertOptions,
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
export {
  checkValues,
  type PodSecurityReport,
  parseValuesFile,
  type RenderFormat,
  type RenderValuesOptions,
  renderValues,
  type ValuesFile,
} from './values-file.js';
export {
  CA_CERT_PATH,
  DIND_PRESTOP_SECONDS,
  DOCKER_DATA_PATH,
  dindArgs,
  listManifests,
  MANIFEST_ORDER,
  type ManifestKey,
  REGISTRY_CREDENTIALS_PATH,
  SECRET_KEYS,
  VOLUMES,
  WORKSPACES_PATH,
  type WorkspaceManifests,
  type WorkspaceObject,
  workspaceManifests,
} from './workspace-manifests.js';
export { toYaml } from './yaml.js';
