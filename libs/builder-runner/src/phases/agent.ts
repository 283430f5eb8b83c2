// agent: the Coder agent started inside the devcontainer as its remote user (agent.ts does the
// work), with the devcontainer's remoteEnv. Skipped without CODER_AGENT_URL (local mode).
// Supervision calls it again, with its own log, when the agent or the devcontainer died.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type AgentLaunch, agentStartScript, initScriptMarker, startAgent } from '../agent.js';
import { readAgentEnv } from '../agent-env.js';
import type { PhaseOutcome } from '../status.js';
import type { ContainerRef, PhaseContext } from './context.js';

/** remoteEnv for the agent's sessions (names logged, values not). */
async function agentEnvFor(ctx: PhaseContext, c: ContainerRef): Promise<Record<string, string>> {
  const { settings, log } = ctx;
  const inspected = ctx.state.inspected?.id === c.containerId ? ctx.state.inspected : undefined;
  const r = await readAgentEnv(ctx.docker, c.containerId, {
    workspaceFolder: settings.workspaceFolder,
    extra: [...settings.remoteEnv, `DEVCONTAINER_STATUS_FILE=${settings.statusFile}`],
    localEnv: ctx.docker.env,
    inspected,
  });
  if (r.problem) log.write(`remoteEnv not applied to the agent: ${r.problem}`, 'warn');
  if (r.reserved.length) log.write(`remoteEnv cannot set ${r.reserved.join(', ')} for the agent (the builder sets them)`, 'warn');
  const names = Object.keys(r.env);
  if (names.length) log.write(`the agent starts with remoteEnv ${names.join(', ')}`, 'info');
  return r.env;
}

/** Where the last agent start is recorded (per workspace; names the container it was in). */
const launchFile = (ctx: PhaseContext) => join(ctx.settings.stateDir, 'agent-launch.json');

/**
 * The last start's record, when it is still the start this run would make: same container, a mode
 * the settings allow, the same start script, and (binary mode) the binary of the Coder version that
 * answered in preflight. Anything else: undefined, the container is prepared as on a first start.
 */
export async function previousLaunchFor(ctx: PhaseContext, containerId: string): Promise<AgentLaunch | undefined> {
  const { coder, agentMode } = ctx.settings;
  if (!coder) return undefined;
  let recorded: (AgentLaunch & { containerId?: string }) | undefined;
  try {
    recorded = JSON.parse(await readFile(launchFile(ctx), 'utf8'));
  } catch {
    return undefined;
  }
  if (!recorded || recorded.containerId !== containerId) return undefined;
  const mode = recorded.mode;
  if ((mode !== 'script' && mode !== 'binary') || (agentMode !== 'auto' && agentMode !== mode)) return undefined;
  if (mode === 'script' && !coder.initScript) return undefined;
  if (recorded.marker !== initScriptMarker(agentStartScript(coder, mode))) return undefined;
  if (mode === 'binary' && (!ctx.state.coderVersion || !recorded.stamp?.startsWith(`${ctx.state.coderVersion} `))) return undefined;
  return { mode, marker: recorded.marker, ...(recorded.stamp ? { stamp: recorded.stamp } : {}) };
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
    coderVersion: ctx.state.coderVersion,
    prefetched: ctx.state.agentBinary,
    previousLaunch: await previousLaunchFor(ctx, c.containerId),
  });
  ctx.state.agent = handle;
  if (!handle.quick)
    await writeFile(launchFile(ctx), `${JSON.stringify({ containerId: c.containerId, ...handle.launch }, null, 2)}\n`).catch((error) =>
      log.write(`cannot record the agent start (the next start prepares the container again): ${(error as Error).message}`, 'debug'),
    );
  ctx.status.agent = { mode: handle.mode, pid: handle.pid, uid: handle.uid, restarts: ctx.state.agentRestarts };
  return undefined;
}
