export { BuilderError } from './errors.js';
export type { BuilderErrorCode, BuilderErrorOptions } from './errors.js';
export { checkRefName, isCommitSha, parseSettings, repositoryName, settingDefinitions } from './settings.js';
export type { AgentMode, BuilderSettings, CoderSettings, HookFailure, ParseSettingsOptions, ParseSettingsResult, SettingDefinition } from './settings.js';
export { PHASES, PHASE_DISPLAY_NAMES, combinePhaseLogs, createLineSplitter, createRedactingPhaseLogs, createTerminalPhaseLogs } from './phase-log.js';
export type { LogLevel, PhaseLog, PhaseLogFactory, PhaseName, TerminalPhaseLogsOptions } from './phase-log.js';
export { createCoderPhaseLogs, createTerminalStreamPhaseLogs } from './coder-phase-logs.js';
export type { CoderPhaseLogsOptions } from './coder-phase-logs.js';
export { createRedactor, redact } from './redact.js';
export type { Redactor } from './redact.js';
export { checkoutRepository, classifyRef, displayUrl } from './git-checkout.js';
export type { CheckoutAction, CheckoutOptions, CheckoutResult, RefSpec } from './git-checkout.js';
export { buildUpArgs, failedLifecycleHook, parseCliLogLine, parseUpResult, resolveDevcontainerCli, runDevcontainerUp } from './devcontainer-cli.js';
export type { ParsedLogLine, RunUpOptions, UpArgsOptions, UpResult } from './devcontainer-cli.js';
export { binaryStartScript, coderArch, initScriptAuthType, rewriteInitScript } from './init-script.js';
export { CONTAINER_DIR, fetchAgentBinary, startAgent, stopStaleAgent } from './agent.js';
export type { AgentHandle, AgentOptions } from './agent.js';
export { computeConfigHash, runConfigStep } from './config-step.js';
export type { ConfigStepResult } from './config-step.js';
export { createStatus, formatStatus, readStatusFile, writeStatusFile } from './status.js';
export type { BuilderStatus, CacheState, PhaseOutcome, PhaseStatus } from './status.js';
export { SECRET_ENV_NAMES, childEnv, runBuilder } from './pipeline.js';
export type { RunBuilderOptions, RunBuilderResult } from './pipeline.js';
export {
  DETECT_SERVERS_SCRIPT,
  classifyInstallFailure,
  collectExtensions,
  compareVersions,
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
  CACHE_KEY_VERSION,
  ImageCacheError,
  METADATA_COLLECTED_PROPERTIES,
  canonicalJson,
  computeImageCacheKey,
  createPrebuiltOverrideConfig,
  devcontainerCliPath,
  findPrebuiltImage,
  hashCacheKeyInputs,
  isIgnored,
  parseDockerfileSources,
  parseDockerignore,
  prebuild,
  prebuiltImageName,
  pullCacheSources,
  registryBaseUrl,
  registryHasTag,
} from './image-cache/index.js';
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
  FALLBACK_EXPLANATION_FILE,
  FALLBACK_LABEL,
  FallbackError,
  clearFallbackExplanation,
  renderFailureExplanation,
  scrubSecrets,
  startFallbackWorkspace,
} from './fallback/index.js';
export type { FailureReason, FallbackErrorCode, FallbackWorkspace, RenderFailureExplanationOptions, StartFallbackWorkspaceOptions } from './fallback/index.js';
