export { WorkspaceTestError } from './errors.js';
export type { WorkspaceTestErrorCode, WorkspaceTestErrorOptions } from './errors.js';
export {
  CODE_SERVER,
  DEFAULT_STATUS_FILE,
  LIFECYCLE_HOOKS,
  OPENVSCODE_SERVER,
  extensionsOf,
  gossfileFor,
  mergeGossfiles,
  parseGossfile,
  renderGossfile,
  shellQuote,
} from './gossfile.js';
export type { GossfileOptions } from './gossfile.js';
export { describeResult, parseGossResults } from './goss-results.js';
export { REPORT_FORMATS, formatJson, formatJunit, formatResult, formatTap } from './report-format.js';
export type { ReportFormat } from './report-format.js';
export { runCommand } from './command.js';
export type { CommandResult, CommandRunner, RunCommandOptions } from './command.js';
export { formatTarget, parseTarget } from './target.js';
export type { Target } from './target.js';
export { createTransport } from './transport.js';
export type { ExecOptions, Transport, TransportOptions } from './transport.js';
export { findGoss, runGoss } from './run.js';
export type { RunGossOptions } from './run.js';
export { dockerRemoteEnv, remoteEnvFromMetadata } from './remote-env.js';
export type {
  CheckKind,
  CheckResult,
  DevcontainerConfig,
  GossCommand,
  GossFileResource,
  GossMatcher,
  GossMount,
  GossProcess,
  GossUser,
  Gossfile,
  IdeServer,
  ValidateResult,
} from './types.js';
export { checkCoderWorkspace, evaluateCoderWorkspace } from './coder-outside.js';
export type { CoderOutsideOptions } from './coder-outside.js';
export { loadWorkspaceConfig } from './workspace-config.js';
export type { LoadWorkspaceConfigOptions, LoadedWorkspaceConfig } from './workspace-config.js';
