import type { LogLevel } from './types.js';

const LEVELS: Record<number, LogLevel> = { 1: 'trace', 2: 'debug', 3: 'info', 4: 'warn', 5: 'error' };

export interface ParsedJsonLine {
  level: LogLevel;
  /** The event's text, split on newlines (a text may hold several). */
  lines: string[];
}

/**
 * Map one devcontainer CLI `--log-format json` event to a level and text: level 1 → trace,
 * 2 → debug, 3 → info, 4 → warn, 5 → error; `text` is the output. Returns undefined for a line
 * that is not such an event (the caller ships it as is).
 */
export function parseDevcontainerJsonLine(line: string): ParsedJsonLine | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('{')) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof event !== 'object' || event === null) return undefined;
  const { level, text } = event as { level?: unknown; text?: unknown };
  if (typeof level !== 'number' || typeof text !== 'string') return undefined;
  const mapped = LEVELS[Math.min(5, Math.max(1, Math.round(level)))] ?? 'info';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return { level: mapped, lines: body.split('\n') };
}
