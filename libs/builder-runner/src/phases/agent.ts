// agent: the Coder agent started inside the devcontainer as its remote user (agent.ts does the
// work), with the devcontainer's remoteEnv. Skipped without CODER_AGENT_URL (local mode).
// Supervision calls it again, with its own log, when the agent or the devcontainer died.
import { dirname, join } from 'node:path';
import { startAgent } from '../agent.js';
import { readAgentEnv } from '../agent-env.js';
import type { PhaseOutcome } from '../status.js';
import type { ContainerRef, PhaseContext } from './context.js';

/** remoteEnv for the agent's sessions (names logged, values not). */
async function agentEnvFor(ctx: PhaseContext, c: ContainerRef): Promise<Record<string, string>> {
  const { settings, log } = ctx;
  const r = await readAgentEnv(ctx.docker, c.containerId, {
    workspaceFolder: settings.workspaceFolder,
    extra: [...settings.remoteEnv, `DEVCONTAINER_STATUS_FILE=${settings.statusFile}`],
    localEnv: ctx.docker.env,
  });
  if (r.problem) log.write(`remoteEnv not applied to the agent: ${r.problem}`, 'warn');
  if (r.reserved.length) log.write(`remoteEnv cannot set ${r.reserved.join(', ')} for the agent (the builder sets them)`, 'warn');
  const names = Object.keys(r.env);
  if (names.length) log.write(`the agent starts with remoteEnv ${names.join(', ')}`, 'info');
  return r.env;
}

export async function runAgentPhase(ctx: PhaseContext): Promise<PhaseOutcome | undefined> {
  const { settings, log } = ctx;
  if (!settings.coder) {
    log.write('no CODER_AGENT_URL: no agent started (local mode)', 'info');
    return 'skipped';
  }
  const c = ctx.state.container as ContainerRef;
  const handle = await startAgent({
    docker: ctx.docker,
    containerId: c.containerId,
    remoteUser: c.remoteUser,
    workdir: c.remoteWorkspaceFolder,
    coder: settings.coder,
    mode: settings.agentMode,
    cacheDir: join(dirname(settings.statusFile), 'cache'),
    log,
    redactor: ctx.redactor,
    detach: !settings.supervise,
    agentEnv: agentEnvFor(ctx, c),
    fetch: ctx.fetch,
    prefetched: ctx.state.agentBinary,
  });
  ctx.state.agent = handle;
  ctx.status.agent = { mode: handle.mode, pid: handle.pid, uid: handle.uid, restarts: ctx.state.agentRestarts };
  return undefined;
}
