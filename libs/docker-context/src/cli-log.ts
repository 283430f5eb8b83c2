// The devcontainer CLI's `--log-format json` events → leveled lines. The CLI numbers its levels
// 1 trace, 2 debug, 3 info, 4 warning, 5 error (6 critical); its version banner is a level-3 event.
import { stripVTControlCharacters } from 'node:util';

export type CliLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface CliLogLine {
  text: string;
  level: CliLogLevel;
}

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
    .map((t) => ({ text: t, level }));
}
