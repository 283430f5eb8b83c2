export type { CoderOutsideOptions } from './coder-outside.js';
export { checkCoderWorkspace, evaluateCoderWorkspace } from './coder-outside.js';
export type { CommandResult, CommandRunner, RunCommandOptions } from './command.js';
export { runCommand } from './command.js';
export type { WorkspaceTestErrorCode, WorkspaceTestErrorOptions } from './errors.js';
export { WorkspaceTestError } from './errors.js';
export { describeResult, parseGossResults } from './goss-results.js';
export type { GossfileOptions } from './gossfile.js';
export {
  CODE_SERVER,
  DEFAULT_STATUS_FILE,
  extensionsOf,
  gossfileFor,
  LIFECYCLE_HOOKS,
  mergeGossfiles,
  OPENVSCODE_SERVER,
  parseGossfile,
  renderGossfile,
  shellQuote,
} from './gossfile.js';
export { dockerRemoteEnv, remoteEnvFromMetadata } from './remote-env.js';
export type { ReportFormat } from './report-format.js';
export { formatJson, formatJunit, formatResult, formatTap, REPORT_FORMATS } from './report-format.js';
export type { RunGossOptions } from './run.js';
export { findGoss, runGoss } from './run.js';
export type { Target } from './target.js';
export { formatTarget, parseTarget } from './target.js';
export type { ExecOptions, Transport, TransportOptions } from './transport.js';
export { createTransport, DEFAULT_DIND_HOST, kubectlDindRemoteEnv } from './transport.js';
export type {
  CheckKind,
  CheckResult,
  DevcontainerConfig,
  GossCommand,
  GossFileResource,
  Gossfile,
  GossMatcher,
  GossMount,
  GossProcess,
  GossUser,
  IdeServer,
  ValidateResult,
} from './types.js';
export type { LoadedWorkspaceConfig, LoadWorkspaceConfigOptions } from './workspace-config.js';
export { loadWorkspaceConfig } from './workspace-config.js';
