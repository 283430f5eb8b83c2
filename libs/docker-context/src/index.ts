export type { Backoff } from './backoff.js';
export { createBackoff } from './backoff.js';
export type { CliLogLevel, CliLogLine, CliNotice } from './cli-log.js';
export { CLI_NOTICES, cliLogLevel, createCliLogReader, parseCliLogLine } from './cli-log.js';
export type { CreateDockerContextOptions, DockerContext } from './context.js';
export { createDockerContext, DOCKER_ENV_ALLOW_LIST } from './context.js';
export type { DevcontainerCliResult, ProcessResult, RunDockerOptions } from './run.js';
export { resolveDevcontainerCli, runDevcontainerCli, runDocker } from './run.js';
