// Where each phase's lines go: one sink per phase (a Coder log source, or the terminal; see coder-phase-logs.ts).
import type { Redactor } from './redact.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export const PHASES = ['preflight', 'checkout', 'config', 'up', 'hooks', 'fallback', 'extensions', 'agent', 'supervise'] as const;
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
  hooks: 'Builder: lifecycle hooks',
  fallback: 'Builder: fallback workspace',
  extensions: 'Builder: extensions',
  agent: 'Builder: Coder agent',
  supervise: 'Builder: supervise',
};

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
