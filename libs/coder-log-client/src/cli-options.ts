import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { LOG_LEVELS, type LogLevel } from './types.js';

/** The CLI's options after flags, environment fallbacks and files are resolved. */
export interface LogstreamOptions {
  agentUrl?: string;
  agentToken?: string;
  sourceName: string;
  sourceId?: string;
  icon?: string;
  flushIntervalMs: number;
  flushTimeoutMs: number;
  budgetBytes?: number;
  logFile: string;
  levelFromJson: boolean;
  stderrLevel: LogLevel;
  /** The command after `--`; empty: stream standard input. */
  command: string[];
}

/** Raw flag values as citty parses them (strings/booleans, undefined when absent). */
export interface LogstreamFlags {
  'agent-url'?: string;
  'agent-token'?: string;
  'agent-token-file'?: string;
  'source-name'?: string;
  'source-id'?: string;
  icon?: string;
  'flush-interval'?: string;
  'flush-timeout'?: string;
  budget?: string;
  'log-file'?: string;
  'level-from-json'?: boolean;
  'stderr-level'?: string;
}

/** Each flag's environment fallback. */
export const ENV_FALLBACKS: Record<keyof LogstreamFlags, string> = {
  'agent-url': 'CODER_AGENT_URL',
  'agent-token': 'CODER_AGENT_TOKEN',
  'agent-token-file': 'CODER_AGENT_TOKEN_FILE',
  'source-name': 'CODER_LOGSTREAM_SOURCE_NAME',
  'source-id': 'CODER_LOGSTREAM_SOURCE_ID',
  icon: 'CODER_LOGSTREAM_ICON',
  'flush-interval': 'CODER_LOGSTREAM_FLUSH_INTERVAL',
  'flush-timeout': 'CODER_LOGSTREAM_FLUSH_TIMEOUT',
  budget: 'CODER_LOGSTREAM_BUDGET',
  'log-file': 'CODER_LOGSTREAM_LOG_FILE',
  'level-from-json': 'CODER_LOGSTREAM_LEVEL_FROM_JSON',
  'stderr-level': 'CODER_LOGSTREAM_STDERR_LEVEL',
};

/** `1500`, `1500ms`, `1.5s`, `2m` → milliseconds; undefined when unparsable. */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 'ms';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

/** `917504`, `896KiB`, `896k`, `1MiB`, `1M` → bytes (binary units); undefined when unparsable. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const factor = unit === 'b' ? 1 : unit.startsWith('k') ? 1024 : 1024 * 1024;
  return Math.floor(n * factor);
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/**
 * Resolve flags + environment (+ the token file) into options. Returns every problem found.
 * Problems never contain the token.
 */
export function resolveLogstreamOptions({
  flags,
  env,
  command,
  readFile,
}: {
  flags: LogstreamFlags;
  env: Record<string, string | undefined>;
  command: string[];
  readFile: (path: string) => string;
}): { options: LogstreamOptions; problems: string[] } {
  const problems: string[] = [];
  const get = (k: Exclude<keyof LogstreamFlags, 'level-from-json'>): string | undefined => {
    const v = flags[k];
    if (typeof v === 'string' && v !== '') return v;
    const e = env[ENV_FALLBACKS[k]];
    return e === undefined || e === '' ? undefined : e;
  };

  let agentToken = typeof flags['agent-token'] === 'string' && flags['agent-token'] !== '' ? flags['agent-token'] : undefined;
  const tokenFile = flags['agent-token-file'] || undefined;
  if (!agentToken && tokenFile) agentToken = readToken(tokenFile, '--agent-token-file', readFile, problems);
  if (!agentToken && env.CODER_AGENT_TOKEN) agentToken = env.CODER_AGENT_TOKEN;
  if (!agentToken && env.CODER_AGENT_TOKEN_FILE) {
    agentToken = readToken(env.CODER_AGENT_TOKEN_FILE, 'CODER_AGENT_TOKEN_FILE', readFile, problems);
  }

  const agentUrl = get('agent-url');
  if (agentUrl !== undefined) {
    try {
      const u = new URL(agentUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`--agent-url must be http(s): ${agentUrl}`);
    } catch {
      problems.push(`--agent-url is not a URL: ${agentUrl}`);
    }
  }

  const duration = (k: 'flush-interval' | 'flush-timeout', fallback: number) => {
    const raw = get(k);
    if (raw === undefined) return fallback;
    const v = parseDuration(raw);
    if (v === undefined || v <= 0) {
      problems.push(`--${k} must be a positive duration like 1000, 500ms or 2s, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return v;
  };
  const flushIntervalMs = duration('flush-interval', 1000);
  const flushTimeoutMs = duration('flush-timeout', 10_000);

  let budgetBytes: number | undefined;
  const budgetRaw = get('budget');
  if (budgetRaw !== undefined) {
    budgetBytes = parseBytes(budgetRaw);
    if (budgetBytes === undefined || budgetBytes <= 0) {
      problems.push(`--budget must be a size like 917504, 896KiB or 1MiB, got ${JSON.stringify(budgetRaw)}`);
      budgetBytes = undefined;
    } else if (budgetBytes > 1024 * 1024) {
      problems.push(`--budget cannot exceed Coder's per-agent limit of 1 MiB, got ${budgetRaw}`);
      budgetBytes = undefined;
    }
  }

  const stderrRaw = get('stderr-level') ?? 'error';
  let stderrLevel: LogLevel = 'error';
  if ((LOG_LEVELS as readonly string[]).includes(stderrRaw)) stderrLevel = stderrRaw as LogLevel;
  else problems.push(`--stderr-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(stderrRaw)}`);

  const sourceId = get('source-id');
  if (sourceId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sourceId)) {
    problems.push(`--source-id must be a UUID, got ${JSON.stringify(sourceId)}`);
  }

  const sourceName = get('source-name') ?? (command[0] ? basename(command[0]) : 'stdin');
  const slug =
    sourceName
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'logs';
  const levelFromJson = flags['level-from-json'] === true || truthy(env[ENV_FALLBACKS['level-from-json']]);
  const icon = get('icon');
  const logFile = get('log-file') ?? join(tmpdir(), `coder-logstream-${slug}.log`);

  const options: LogstreamOptions = {
    sourceName,
    flushIntervalMs,
    flushTimeoutMs,
    logFile,
    levelFromJson,
    stderrLevel,
    command,
  };
  if (agentUrl !== undefined) options.agentUrl = agentUrl;
  if (agentToken !== undefined) options.agentToken = agentToken;
  if (sourceId !== undefined) options.sourceId = sourceId;
  if (icon !== undefined) options.icon = icon;
  if (budgetBytes !== undefined) options.budgetBytes = budgetBytes;
  return { options, problems };
}

function readToken(path: string, what: string, readFile: (p: string) => string, problems: string[]) {
  try {
    const token = readFile(path).trim();
    if (token === '') problems.push(`${what}: ${path} is empty`);
    return token || undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    problems.push(`${what}: cannot read ${path} (${code})`);
    return undefined;
  }
}
