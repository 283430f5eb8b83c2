// Where each phase's lines go: one Coder log source per phase, or the terminal.
import { styleText } from 'node:util';
import type { Redactor } from './redact.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const PHASES = ['preflight', 'checkout', 'config', 'up', 'fallback', 'extensions', 'agent', 'supervise'] as const;
export type PhaseName = (typeof PHASES)[number];

/** One phase's log sink (a Coder log source, or a terminal prefix). */
export interface PhaseLog {
  write(line: string, level: LogLevel): void;
  close(): Promise<void>;
}

/** Opens a sink per phase; `close` flushes and closes all of them. */
export interface PhaseLogFactory {
  open(phase: PhaseName): Promise<PhaseLog>;
  close(): Promise<void>;
}

/** Display names of the phases' log sources in Coder (stable: the source id derives from them). */
export const PHASE_DISPLAY_NAMES: Record<PhaseName, string> = {
  preflight: 'Builder: preflight',
  checkout: 'Builder: checkout',
  config: 'Builder: devcontainer.json',
  up: 'Builder: devcontainer up',
  fallback: 'Builder: fallback workspace',
  extensions: 'Builder: extensions',
  agent: 'Builder: Coder agent',
  supervise: 'Builder: supervise',
};

const LEVEL_STYLE: Record<LogLevel, Parameters<typeof styleText>[0]> = {
  trace: 'gray',
  debug: 'gray',
  info: 'reset',
  warn: 'yellow',
  error: 'red',
};

export interface TerminalPhaseLogsOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Lines below this level are not shown. Default 'info'. */
  minLevel?: LogLevel;
  /** Colours (default: when the stream is a TTY and NO_COLOR is unset). */
  color?: boolean;
}

const ORDER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Leveled, phase-prefixed lines on stderr: what you see when no Coder is configured. */
export function createTerminalPhaseLogs(options: TerminalPhaseLogsOptions = {}): PhaseLogFactory {
  const stream = options.stream ?? process.stderr;
  const min = ORDER.indexOf(options.minLevel ?? 'info');
  const color = options.color ?? (Boolean((stream as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR);
  return {
    async open(phase) {
      const started = Date.now();
      return {
        write(line, level) {
          if (ORDER.indexOf(level) < min) return;
          const secs = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
          const tag = level === 'info' ? '' : `${level}: `;
          const text = `[${phase.padEnd(9)} ${secs}s] ${tag}${line}`;
          stream.write(`${color ? styleText(LEVEL_STYLE[level], text) : text}\n`);
        },
        async close() {},
      };
    },
    async close() {},
  };
}

/** Every line through the redactor, then to each of the sinks. */
export function createRedactingPhaseLogs(inner: PhaseLogFactory, redactor: Redactor): PhaseLogFactory {
  return {
    async open(phase) {
      const log = await inner.open(phase);
      return { write: (line, level) => log.write(redactor(line), level), close: () => log.close() };
    },
    close: () => inner.close(),
  };
}

/** Fans lines out to several factories (e.g. Coder and the terminal). */
export function combinePhaseLogs(factories: PhaseLogFactory[]): PhaseLogFactory {
  return {
    async open(phase) {
      const logs = await Promise.all(factories.map((f) => f.open(phase)));
      return {
        write: (line, level) => {
          for (const l of logs) l.write(line, level);
        },
        close: async () => {
          await Promise.all(logs.map((l) => l.close()));
        },
      };
    },
    close: async () => {
      await Promise.all(factories.map((f) => f.close()));
    },
  };
}

/** Splits output chunks into lines for a sink (keeps a partial last line until more arrives). */
export function createLineSplitter(onLine: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split(/\r?\n|\r/);
      rest = parts.pop() ?? '';
      for (const p of parts) onLine(p);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}
