// The devcontainer CLI's `--log-format json` events → leveled lines. The CLI numbers its levels
// 1 trace, 2 debug, 3 info, 4 warning, 5 error (6 critical); its version banner is a level-3 event.
import { stripVTControlCharacters } from 'node:util';

export type CliLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface CliLogLine {
  text: string;
  level: CliLogLevel;
  /** Set when the line is a known harmless notice (see CLI_NOTICES): its id. */
  notice?: string;
}

/** A line the CLI prints at a level that overstates it, the level it deserves, and why. */
export interface CliNotice {
  id: string;
  match: RegExp;
  level: CliLogLevel;
  /** One line for people, printed once per CLI run after the first match. */
  why: string;
}

/**
 * Known harmless notices. The control manifest: on every `up` (unless its copy in the CLI's cache
 * folder is under 5 minutes old) the CLI fetches https://containers.dev/static/devcontainer-control-manifest.json,
 * a list of disallowed features and advisories for features from OCI registries, and logs a failed
 * fetch at level 5 (error). Offline it keeps its cached copy or, without one, a built-in empty list,
 * and the build goes on (checked in @devcontainers/cli 0.89.0).
 */
export const CLI_NOTICES: readonly CliNotice[] = [
  {
    id: 'control-manifest',
    match: /^Failed to fetch control manifest\b/,
    level: 'info',
    why: 'harmless: the devcontainer CLI fetches a control manifest from containers.dev (features it disallows, advisories for features from OCI registries); offline it keeps its cached copy or an empty list, and nothing in the build depends on it',
  },
];

const LEVELS: Record<number, CliLogLevel> = { 1: 'trace', 2: 'debug', 3: 'info', 4: 'warn', 5: 'error', 6: 'error' };

/** The CLI's level number as a log level (unknown numbers: info). Pure. */
export function cliLogLevel(level: number | undefined): CliLogLevel {
  return LEVELS[level ?? 3] ?? 'info';
}

/** One stderr line → leveled lines (a JSON event's text may hold several; plain lines are info). Pure. */
export function parseCliLogLine(line: string): CliLogLine[] {
  const trimmed = line.trim();
  if (!trimmed) return [];
  let event: { type?: string; level?: number; text?: string; name?: string; status?: string };
  try {
    event = JSON.parse(trimmed);
  } catch {
    return [{ text: stripVTControlCharacters(trimmed), level: 'info' }];
  }
  if (typeof event !== 'object' || event === null) return [{ text: trimmed, level: 'info' }];
  if (event.type === 'progress') {
    if (!event.name) return [];
    return [{ text: `${event.name}: ${event.status ?? ''}`.trim(), level: event.status === 'failed' ? 'error' : 'debug' }];
  }
  let level = cliLogLevel(event.level);
  // start/stop events frame commands the CLI runs: detail, not news.
  if ((event.type === 'start' || event.type === 'stop') && level === 'info') level = 'debug';
  return stripVTControlCharacters(event.text ?? '')
    .split(/\r?\n|\r/)
    .map((t) => t.trimEnd())
    .filter((t) => t.length > 0)
    .map((t) => {
      const notice = CLI_NOTICES.find((n) => n.match.test(t));
      return notice ? { text: t, level: notice.level, notice: notice.id } : { text: t, level };
    });
}

/**
 * parseCliLogLine for one CLI run: after the first line of each known notice, one info line saying
 * why it is harmless (the CLI may repeat the notice; the reason is said once). No I/O.
 */
export function createCliLogReader(): (line: string) => CliLogLine[] {
  const explained = new Set<string>();
  return (line) =>
    parseCliLogLine(line).flatMap((l) => {
      const notice = l.notice === undefined ? undefined : CLI_NOTICES.find((n) => n.id === l.notice);
      if (!notice || explained.has(notice.id)) return [l];
      explained.add(notice.id);
      return [l, { text: notice.why, level: 'info' as const }];
    });
}
