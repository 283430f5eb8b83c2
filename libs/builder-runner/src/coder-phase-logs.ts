// Phase logs through @devcontainer-kit/coder-log-client: one Coder log source per phase, sharing
// the agent's byte budget; or its terminal stream when no Coder is configured.
import { type CoderLogWarning, createCoderLogClient, createTerminalLogStream } from '@devcontainer-kit/coder-log-client';
import { type LogLevel, PHASE_DISPLAY_NAMES, type PhaseLogFactory } from './phase-log.js';

const ICONS: Record<string, string> = {
  preflight: '/icon/rocket.svg',
  checkout: '/icon/git.svg',
  config: '/icon/code.svg',
  up: '/icon/docker.svg',
  agent: '/icon/coder.svg',
  supervise: '/icon/widgets.svg',
};

export interface CoderPhaseLogsOptions {
  agentUrl: string;
  agentToken: string;
  /** The complete local log (everything, also what the budget kept from Coder). */
  logFile?: string;
  /**
   * Where to keep the account of bytes this agent's builder runs already sent (coder-log-client's
   * `budgetAccountFile`): a restarted builder shares the agent's 1 MiB with its earlier runs.
   */
  budgetAccountFile?: string;
  onWarning?: (warning: CoderLogWarning) => void;
  /** Also echo lines on stderr (default true: `kubectl logs` shows them). */
  echo?: boolean;
}

export function createCoderPhaseLogs(o: CoderPhaseLogsOptions): PhaseLogFactory {
  const client = createCoderLogClient({
    agentUrl: o.agentUrl,
    agentToken: o.agentToken,
    ...(o.logFile ? { logFile: o.logFile } : {}),
    ...(o.budgetAccountFile ? { budgetAccountFile: o.budgetAccountFile } : {}),
    ...(o.onWarning ? { onWarning: o.onWarning } : {}),
    flushIntervalMs: 250,
  });
  const echo = o.echo ?? true;
  return {
    async open(phase) {
      const displayName = PHASE_DISPLAY_NAMES[phase];
      const stream = await client.createLogStream({ displayName, icon: ICONS[phase] ?? '/icon/widgets.svg' });
      const local = echo ? createTerminalLogStream({ displayName, minLevel: 'info' }) : undefined;
      return {
        write(line: string, level: LogLevel) {
          stream.write(line, level);
          local?.write(line, level);
        },
        // A phase's end does not wait for Coder's answer (that would put a round trip per phase on
        // the critical path): the lines are queued in order, and the factory's close() flushes them all.
        async close() {
          void stream.flush({ timeoutMs: 5000 }).catch(() => {});
        },
      };
    },
    async close() {
      await client.close({ timeoutMs: 5000 });
    },
  };
}

/** The terminal form (no Coder): coder-log-client's terminal stream per phase. */
export function createTerminalStreamPhaseLogs({ minLevel = 'info' }: { minLevel?: LogLevel } = {}): PhaseLogFactory {
  return {
    async open(phase) {
      const s = createTerminalLogStream({ displayName: PHASE_DISPLAY_NAMES[phase], minLevel });
      return { write: (line, level) => s.write(line, level), close: () => s.close({ timeoutMs: 1000 }) };
    },
    async close() {},
  };
}
