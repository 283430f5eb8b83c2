export type { AgentHandle, AgentOptions } from './agent.js';
export { CONTAINER_DIR, fetchAgentBinary, startAgent, stopStaleAgent } from './agent.js';
export {
  AGENT_RESERVED_ENV,
  type AgentEnv,
  parseContainerEnv,
  type ResolveAgentEnvOptions,
  readAgentEnv,
  resolveAgentEnv,
} from './agent-env.js';
export type { LookupPrebuiltOptions, PrebuiltLookup } from './cache-phase.js';
export { lookupPrebuiltImage, pullCacheFrom } from './cache-phase.js';
export type { CoderPhaseLogsOptions } from './coder-phase-logs.js';
export { createCoderPhaseLogs, createTerminalStreamPhaseLogs } from './coder-phase-logs.js';
export type { ConfigStepResult } from './config-step.js';
export { computeConfigHash, runConfigStep } from './config-step.js';
export type { ParsedLogLine, RunUpOptions, UpArgsOptions, UpResult } from './devcontainer-cli.js';
export {
  buildUpArgs,
  failedLifecycleHook,
  parseCliLogLine,
  parseUpResult,
  resolveDevcontainerCli,
  runDevcontainerUp,
} from './devcontainer-cli.js';
export type { BuilderErrorCode, BuilderErrorOptions } from './errors.js';
export { BuilderError } from './errors.js';
export type {
  CollectExtensionsOptions,
  CollectExtensionsResult,
  DetectIdeServersOptions,
  ExtensionLogLevel,
  ExtensionOutcome,
  ExtensionRef,
  ExtensionResult,
  ExtensionsReport,
  IdeServer,
  IdeServerKind,
  IgnoredExtensionEntry,
  InstallExtensionsOptions,
  VsixDirectoryScan,
  VsixFile,
} from './extensions/index.js';
export {
  classifyInstallFailure,
  collectExtensions,
  compareVersions,
  DETECT_SERVERS_SCRIPT,
  detectIdeServers,
  formatExtensionResult,
  installExtensions,
  matchVsix,
  parseDetectedServers,
  parseExtensionSpec,
  parseListedExtensions,
  readVsixManifest,
  scanVsixDirectory,
  summarizeExtensionsReport,
} from './extensions/index.js';
export type { ExtensionsPlan, ExtensionsStatus, RunExtensionsPhaseOptions } from './extensions-phase.js';
export { parseMetadataLabel, planExtensions, runExtensionsPhase, toExtensionsStatus } from './extensions-phase.js';
export type {
  FailureReason,
  FallbackErrorCode,
  FallbackWorkspace,
  RenderFailureExplanationOptions,
  StartFallbackWorkspaceOptions,
} from './fallback/index.js';
export {
  clearFallbackExplanation,
  FALLBACK_EXPLANATION_FILE,
  FALLBACK_LABEL,
  FallbackError,
  renderFailureExplanation,
  scrubSecrets,
  startFallbackWorkspace,
} from './fallback/index.js';
export type { FallbackPhaseOptions, FallbackUp } from './fallback-phase.js';
export { failureDetails, runFallbackPhase } from './fallback-phase.js';
export type { CheckoutAction, CheckoutOptions, CheckoutResult, RefSpec } from './git-checkout.js';
export { checkoutRepository, classifyRef, displayUrl } from './git-checkout.js';
export type {
  CacheKeyInput,
  CacheStatus,
  ComputeImageCacheKeyOptions,
  DockerfileSources,
  FindPrebuiltImageOptions,
  FindPrebuiltImageResult,
  ImageCacheErrorCode,
  ImageCacheKey,
  PrebuildOptions,
  PrebuildResult,
  PrebuiltOverrideOptions,
  PullCacheSourcesOptions,
  RegistryImageOptions,
} from './image-cache/index.js';
export {
  CACHE_KEY_VERSION,
  canonicalJson,
  computeImageCacheKey,
  createPrebuiltOverrideConfig,
  devcontainerCliPath,
  findPrebuiltImage,
  hashCacheKeyInputs,
  ImageCacheError,
  isIgnored,
  METADATA_COLLECTED_PROPERTIES,
  parseDockerfileSources,
  parseDockerignore,
  prebuild,
  prebuiltImageName,
  pullCacheSources,
  registryBaseUrl,
  registryHasTag,
} from './image-cache/index.js';
export { binaryStartScript, coderArch, initScriptAuthType, rewriteInitScript } from './init-script.js';
export type { LogLevel, PhaseLog, PhaseLogFactory, PhaseName, TerminalPhaseLogsOptions } from './phase-log.js';
export {
  combinePhaseLogs,
  createLineSplitter,
  createRedactingPhaseLogs,
  createTerminalPhaseLogs,
  PHASE_DISPLAY_NAMES,
  PHASES,
} from './phase-log.js';
export type { RunBuilderOptions, RunBuilderResult } from './pipeline.js';
export { childEnv, runBuilder, SECRET_ENV_NAMES } from './pipeline.js';
export type { Redactor } from './redact.js';
export { createRedactor, redact } from './redact.js';
export type {
  AgentMode,
  BuilderSettings,
  CoderSettings,
  HookFailure,
  ParseSettingsOptions,
  ParseSettingsResult,
  SettingDefinition,
} from './settings.js';
export {
  checkoutSettings,
  checkRefName,
  isCommitSha,
  parseCacheRepo,
  parseSettings,
  repositoryName,
  settingDefinitions,
} from './settings.js';
export type { BuilderStatus, CacheState, PhaseOutcome, PhaseStatus } from './status.js';
export { createStatus, formatStatus, readStatusFile, writeStatusFile } from './status.js';
