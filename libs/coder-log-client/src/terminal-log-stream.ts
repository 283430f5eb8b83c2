import { EventEmitter } from 'node:events';
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
}

/** The LogStream interface on a terminal, for when no Coder is configured: `[name] level: line` on stderr. */
export function createTerminalLogStream(options: TerminalLogStreamOptions): LogStream {
  const source = createLogSource({ displayName: options.displayName, ...(options.id ? { id: options.id } : {}) });
  const output = options.output ?? process.stderr;
  const min = LOG_LEVELS.indexOf(options.minLevel ?? 'trace');
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
        output.write(`[${source.display_name}] ${level}: ${l}\n`);
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
