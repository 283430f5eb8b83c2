export type { BackoffOptions, ResponseAction } from './backoff.js';
export { backoffDelay, classifyStatus, describeErrorBody } from './backoff.js';
export type { HoldReason } from './budget.js';
export { ByteBudget, DEFAULT_BUDGET_BYTES, describeBudgetHold, formatSize, formatSummaryLine, TailBuffer } from './budget.js';
export type { BudgetAccountState } from './budget-account.js';
export { BudgetAccount, budgetAccountAgentKey, formatBudgetAccount, parseBudgetAccount } from './budget-account.js';
export type { CoderLogClient, CoderLogClientOptions } from './client.js';
export { createCoderLogClient, DEFAULT_MAX_QUEUE_BYTES, MIN_RUN_BUDGET_BYTES } from './client.js';
export type { CoderLogClientErrorCode } from './errors.js';
export { CoderLogClientError } from './errors.js';
export type { HttpTransportOptions } from './http-transport.js';
export { createHttpTransport } from './http-transport.js';
export type { ParsedJsonLine } from './json-levels.js';
export { parseDevcontainerJsonLine } from './json-levels.js';
export { collapseCarriageReturns, MAX_LINE_CHARS, normaliseLine, sanitiseLine, splitLine } from './line-normalise.js';
export { LineReader } from './line-reader.js';
export type { LogSourceOptions } from './log-source.js';
export { createLogSource, LOG_SOURCE_NAMESPACE } from './log-source.js';
export type { OverflowVerdict } from './overflow-probe.js';
export { DEFAULT_MAX_OVERFLOW_REJECTIONS, OverflowProbe } from './overflow-probe.js';
export { RepeatCollapser } from './repeat-collapser.js';
export type { TerminalLogStreamOptions } from './terminal-log-stream.js';
export { createTerminalLogStream } from './terminal-log-stream.js';
export { parseRetryAfter } from './transport.js';
export type {
  AgentLogEntry,
  CoderLogWarning,
  LogLevel,
  LogSourceBody,
  LogStream,
  LogStreamStats,
  LogTransport,
  ShippingLogStream,
  TransportResponse,
  WarningCode,
} from './types.js';
export { LOG_LEVELS } from './types.js';
