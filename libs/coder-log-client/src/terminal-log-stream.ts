import { EventEmitter } from 'node:events';
import { createStyle, useColour } from '@devcontainer-kit/cli-kit';
import { normaliseLine } from './line-normalise.js';
import { createLogSource } from './log-source.js';
import { LOG_LEVELS, type LogLevel, type LogStream, type LogStreamStats } from './types.js';

export interface TerminalLogStreamOptions {
  displayName: string;
  id?: string;
  /** Where lines go. Default process.stderr. */
  output?: NodeJS.WritableStream;
  /** Lines below this level are not written. Default 'trace' (all). */
  minLevel?: LogLevel;
  /** Colour the level: default when `output` is a terminal that has colours (see terminalHasColour). */
  colour?: boolean;
  /** The environment colour is decided by (NO_COLOR, FORCE_COLOR, TERM). Default process.env. */
  env?: Record<string, string | undefined>;
}

/** The part of a tty.WriteStream colour depends on. */
export interface ColourTarget {
  isTTY?: boolean;
  hasColors?: (env?: Record<string, string | undefined>) => boolean;
}

/**
 * Whether to colour: only on a terminal, never with a non-empty NO_COLOR (even with FORCE_COLOR) nor
 * TERM=dumb (cli-kit's rule, shared by the CLIs); on a terminal the rest is Node's
 * `tty.WriteStream#hasColors()` (FORCE_COLOR=0, NODE_DISABLE_COLORS and an unnamed CI turn colour off). Pure.
 */
export function terminalHasColour(output: ColourTarget, env: Record<string, string | undefined>): boolean {
  if (!useColour({ write: () => true, isTTY: output.isTTY === true }, env)) return false;
  return typeof output.hasColors === 'function' ? output.hasColors(env) : true;
}

/** The level word as it is printed: red error, yellow warn, dim debug/trace, info plain. Pure. */
export function formatTerminalLevel(level: LogLevel, colour: boolean): string {
  const style = createStyle(colour);
  if (level === 'error') return style.bold(style.red(level));
  if (level === 'warn') return style.yellow(level);
  if (level === 'debug' || level === 'trace') return style.dim(level);
  return level;
}

/**
 * The LogStream interface on a terminal, for when no Coder is configured: `[name] level: line` on
 * stderr, the level coloured when the output is a terminal with colours (never piped, never NO_COLOR).
 */
export function createTerminalLogStream(options: TerminalLogStreamOptions): LogStream {
  const source = createLogSource({ displayName: options.displayName, ...(options.id ? { id: options.id } : {}) });
  const output = options.output ?? process.stderr;
  const min = LOG_LEVELS.indexOf(options.minLevel ?? 'trace');
  const colour = options.colour ?? terminalHasColour(output as ColourTarget, options.env ?? process.env);
  const stats: LogStreamStats = { sent: 0, dropped: 0, retried: 0, bytesUsed: 0, overflowed: false };
  let closed = false;
  const emitter = new EventEmitter();
  const stream: LogStream = {
    id: source.id,
    displayName: source.display_name,
    write(line, level = 'info') {
      if (closed || LOG_LEVELS.indexOf(level) < min) {
        stats.dropped++;
        return;
      }
      for (const l of normaliseLine(line)) {
        output.write(`[${source.display_name}] ${formatTerminalLevel(level, colour)}: ${l}\n`);
        stats.sent++;
        stats.bytesUsed += Buffer.byteLength(l);
      }
    },
    async flush() {},
    async close() {
      closed = true;
    },
    get stats() {
      return { ...stats };
    },
    on(event, listener) {
      emitter.on(event, listener);
      return stream;
    },
  };
  return stream;
}
