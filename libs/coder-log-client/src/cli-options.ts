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
  /** The persisted budget account (what earlier runs on this agent sent). */
  budgetAccountFile?: string;
  logFile: string;
  levelFromJson: boolean;
  stderrLevel: LogLevel;
  /** The command after `--`; empty: stream standard input. */
  command: string[];
  /** The send-queue bound (client `maxQueueBytes`); no flag: for embedding and tests. */
  maxQueueBytes?: number;
}

/** Raw flag values as citty parses them (strings/booleans, undefined when absent). */
export interface LogstreamFlags {
  'agent-url'?: string;
  'agent-token-file'?: string;
  'source-name'?: string;
  'source-id'?: string;
  icon?: string;
  'flush-interval'?: string;
  'flush-timeout'?: string;
  budget?: string;
  'budget-account-file'?: string;
  'log-file'?: string;
  'level-from-json'?: boolean;
  'stderr-level'?: string;
}

/** Each flag's environment fallback. */
export const ENV_FALLBACKS: Record<keyof LogstreamFlags, string> = {
  'agent-url': 'CODER_AGENT_URL',
  'agent-token-file': 'CODER_AGENT_TOKEN_FILE',
  'source-name': 'CODER_LOGSTREAM_SOURCE_NAME',
  'source-id': 'CODER_LOGSTREAM_SOURCE_ID',
  icon: 'CODER_LOGSTREAM_ICON',
  'flush-interval': 'CODER_LOGSTREAM_FLUSH_INTERVAL',
  'flush-timeout': 'CODER_LOGSTREAM_FLUSH_TIMEOUT',
  budget: 'CODER_LOGSTREAM_BUDGET',
  'budget-account-file': 'CODER_LOGSTREAM_BUDGET_ACCOUNT_FILE',
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

/**
 * Hide credentials in anything URL-like: `ftp://admin:hunter2@host` → `ftp://***@host`,
 * `admin:hunter2@host` → `***@host`. Used on every message that may echo a URL.
 */
export function redactCredentials(text: string): string {
  return text.replace(
    /([a-z][a-z0-9+.-]*:\/\/)?[^\s/@"']+@(?=[^\s@]*[a-z0-9\]])/gi,
    (_m, scheme: string | undefined) => `${scheme ?? ''}***@`,
  );
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
  type Key = Exclude<keyof LogstreamFlags, 'level-from-json'>;
  /** Where each value came from, for messages: the flag, or the environment variable. */
  const from: Partial<Record<Key, string>> = {};
  const get = (k: Key): string | undefined => {
    const v = flags[k];
    if (typeof v === 'string' && v !== '') {
      from[k] = `--${k}`;
      return v;
    }
    const e = env[ENV_FALLBACKS[k]];
    if (e === undefined || e === '') return undefined;
    from[k] = ENV_FALLBACKS[k];
    return e;
  };

  // The token never comes from argv (every process can read /proc/*/cmdline): the environment or a file.
  // Precedence: --agent-token-file, CODER_AGENT_TOKEN, CODER_AGENT_TOKEN_FILE.
  let agentToken: string | undefined;
  const tokenFileFlag = flags['agent-token-file'];
  if (typeof tokenFileFlag === 'string' && tokenFileFlag !== '') {
    agentToken = readToken(tokenFileFlag, '--agent-token-file', readFile, problems);
  } else if (env.CODER_AGENT_TOKEN) {
    agentToken = env.CODER_AGENT_TOKEN;
  } else if (env.CODER_AGENT_TOKEN_FILE) {
    agentToken = readToken(env.CODER_AGENT_TOKEN_FILE, 'CODER_AGENT_TOKEN_FILE', readFile, problems);
  }

  const agentUrl = get('agent-url');
  if (agentUrl !== undefined) {
    const shown = redactCredentials(agentUrl);
    try {
      const u = new URL(agentUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') problems.push(`${from['agent-url']} must be an http(s) URL, got ${shown}`);
    } catch {
      problems.push(`${from['agent-url']} is not a URL: ${shown}`);
    }
  }

  const duration = (k: 'flush-interval' | 'flush-timeout', fallback: number) => {
    const raw = get(k);
    if (raw === undefined) return fallback;
    const v = parseDuration(raw);
    if (v === undefined || v <= 0) {
      problems.push(`${from[k]} must be a positive duration like 1000, 500ms or 2s, got ${JSON.stringify(raw)}`);
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
      problems.push(`${from.budget} must be a size like 917504, 896KiB or 1MiB, got ${JSON.stringify(budgetRaw)}`);
      budgetBytes = undefined;
    } else if (budgetBytes > 1024 * 1024) {
      problems.push(`${from.budget} cannot exceed Coder's per-agent limit of 1 MiB, got ${budgetRaw}`);
      budgetBytes = undefined;
    }
  }

  const stderrRaw = get('stderr-level') ?? 'error';
  let stderrLevel: LogLevel = 'error';
  if ((LOG_LEVELS as readonly string[]).includes(stderrRaw)) stderrLevel = stderrRaw as LogLevel;
  else problems.push(`${from['stderr-level']} must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(stderrRaw)}`);

  const sourceId = get('source-id');
  if (sourceId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sourceId)) {
    problems.push(`${from['source-id']} must be a UUID, got ${JSON.stringify(sourceId)}`);
  }
  const budgetAccountFile = get('budget-account-file');

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
  if (budgetAccountFile !== undefined) options.budgetAccountFile = budgetAccountFile;
  return { options, problems: problems.map(redactCredentials) };
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
