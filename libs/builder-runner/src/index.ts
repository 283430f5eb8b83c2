export type { PrepareCaCertOptions, PreparedCaCert } from './ca-cert.js';
export { prepareCaCert, withCaCert } from './ca-cert.js';
export type { CoderPhaseLogsOptions } from './coder-phase-logs.js';
export { createCoderPhaseLogs, createTerminalStreamPhaseLogs } from './coder-phase-logs.js';
export type { PreparedDockerConfig } from './docker-config.js';
export { prepareDockerConfig, withDockerConfig } from './docker-config.js';
export type { BuilderErrorCode } from './errors.js';
export { BuilderError } from './errors.js';
export { checkoutRepository } from './git-checkout.js';
export type { HostKeyCheck, PreparedGitSsh } from './git-ssh.js';
export { prepareGitSsh, withGitSsh } from './git-ssh.js';
export type { RunInitializeCommandOptions } from './initialize-command.js';
export { runInitializeCommand } from './initialize-command.js';
export type { LocalEnvForResult } from './local-env.js';
export { describeLocalEnv, localEnvFor, WITHHELD_ENV_NAMES, withLocalEnv } from './local-env.js';
export type { LogLevel, PhaseLog, PhaseLogFactory, PhaseName } from './phase-log.js';
export { PHASE_DISPLAY_NAMES, PHASES } from './phase-log.js';
export { workspaceIdLabels } from './phases/up.js';
export type { RunBuilderOptions, RunBuilderResult } from './pipeline.js';
export { runBuilder } from './pipeline.js';
export type { Redactor } from './redact.js';
export { createRedactor } from './redact.js';
export type { BuilderSettings, ParseSettingsOptions, ParseSettingsResult, SettingDefinition } from './settings.js';
export {
  BUILDER_ENV_NAMES,
  checkoutSettings,
  DEFAULT_STATUS_FILE,
  defaultStatusFile,
  parseSettings,
  settingDefinitions,
} from './settings.js';
export type { BuilderStatus } from './status.js';
export { formatStatus, readStatusFile } from './status.js';
