export type { BackoffOptions, ResponseAction } from './backoff.js';
export { backoffDelay, classifyStatus, describeErrorBody } from './backoff.js';
export { ByteBudget, DEFAULT_BUDGET_BYTES, formatSummaryLine, TailBuffer } from './budget.js';
export type { CoderLogClient, CoderLogClientOptions } from './client.js';
export { createCoderLogClient } from './client.js';
export type { CoderLogClientErrorCode } from './errors.js';
export { CoderLogClientError } from './errors.js';
export type { ParsedJsonLine } from './json-levels.js';
export { parseDevcontainerJsonLine } from './json-levels.js';
export { collapseCarriageReturns, MAX_LINE_CHARS, normaliseLine, sanitiseLine, splitLine } from './line-normalise.js';
export { LineReader } from './line-reader.js';
export type { LogSourceOptions } from './log-source.js';
export { createLogSource, LOG_SOURCE_NAMESPACE } from './log-source.js';
export { RepeatCollapser } from './repeat-collapser.js';
export type { TerminalLogStreamOptions } from './terminal-log-stream.js';
export { createTerminalLogStream } from './terminal-log-stream.js';
export type { UndiciTransportOptions } from './transport.js';
export { createUndiciTransport } from './transport.js';
export type {
  AgentLogEntry,
  CoderLogWarning,
  LogLevel,
  LogSourceBody,
  LogStream,
  LogStreamStats,
  LogTransport,
  TransportResponse,
  WarningCode,
} from './types.js';
export { LOG_LEVELS } from './types.js';
