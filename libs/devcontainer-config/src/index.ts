export type { ComplianceEntry, ComplianceReport, ComplianceRule, ComplianceStatus } from './compliance.js';
export { COMPLIANCE_TABLE, complianceReport } from './compliance.js';
export { computeDevcontainerId, devcontainerIdLabels } from './devcontainer-id.js';
export type { DevcontainerConfigErrorCode, DevcontainerConfigErrorOptions } from './errors.js';
export { DevcontainerConfigError } from './errors.js';
export type { FeatureManifest, FeatureManifestResult, LocalFeature, ReadLocalFeaturesResult } from './feature-manifest.js';
export { readLocalFeatures, validateFeatureManifest } from './feature-manifest.js';
export type {
  FeatureOrderIssue,
  FeatureOrderManifest,
  FeatureOrderResult,
  OrderedFeature,
  ResolveFeatureOrderOptions,
} from './feature-order.js';
export { resolveFeatureOrder } from './feature-order.js';
export type { FeatureReference, FeatureReferenceResult } from './feature-reference.js';
export { featureResource, LEGACY_FEATURE_IDS, parseFeatureReference } from './feature-reference.js';
export type { ImageReferenceResult } from './image-reference.js';
export { parseImageReference } from './image-reference.js';
export type { ReadOptions, ReadResult } from './locate.js';
export { checkDevcontainer, findDevcontainerConfigs, readDevcontainer } from './locate.js';
export type { ImageMetadataEntry, MergedConfig, MergeOptions } from './metadata.js';
export { mergeWithImageMetadata, parseImageMetadata, parseSize } from './metadata.js';
export type { MountSpec, ParseMountResult } from './mounts.js';
export { parseMountString } from './mounts.js';
export { findExcessiveNesting, MAX_NESTING_DEPTH } from './nesting.js';
export type { CommandStep, NormalizedLifecycleCommand } from './normalize.js';
export {
  getCoderCustomizations,
  getCustomizations,
  getExtensions,
  getLifecycleCommands,
  getVscodeSettings,
  migrateDeprecatedProperties,
  normalizeLifecycleCommand,
} from './normalize.js';
export type { ParseOptions, ParseResult, SourcePositions } from './parse.js';
export { parseDevcontainer, parseJsonc } from './parse.js';
export type { HiddenProblems } from './problem.js';
export { formatProblem, hasErrors, limitProblems, PROBLEM_LIMIT, sortProblems } from './problem.js';
export { checkReferencedFiles } from './referenced-files.js';
export type {
  DevcontainerConfig,
  JsonPath,
  LifecycleCommand,
  LifecycleHook,
  Problem,
  ProblemCode,
  Severity,
  SourceLocation,
} from './types.js';
export { LIFECYCLE_HOOKS } from './types.js';
export { validateDevcontainer } from './validate.js';
export type { SubstituteOptions, VariableReference } from './variables.js';
export {
  findVariables,
  KNOWN_VARIABLES,
  listLocalEnvNames,
  resolveContainerWorkspaceFolder,
  substituteVariables,
} from './variables.js';
