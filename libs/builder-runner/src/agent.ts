// The Coder agent inside the devcontainer, as its remote user. The token travels only in the
// environment of the one `docker exec` that starts the agent (`-e CODER_AGENT_TOKEN`: by name, the
// value copied from that docker's own environment; never on a command line, never in another child).
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { LineReader } from '@devcontainer-kit/coder-log-client';
import { type DockerContext, runDocker } from '@devcontainer-kit/docker-context';
import { execa, type ResultPromise } from 'execa';
import { fetchAgentBinary, followAgentBinaryPrefetch } from './agent-binary.js';
import { BuilderError } from './errors.js';
import { binaryStartScript, coderArch, initScriptAuthType, rewriteInitScript } from './init-script.js';
import type { PhaseLog } from './phase-log.js';
import type { Redactor } from './redact.js';
import type { AgentMode, CoderSettings } from './settings.js';

/** Where the builder keeps its files inside the devcontainer. */
export const CONTAINER_DIR = '/tmp/.devcontainer-builder';

export interface AgentOptions {
  docker: DockerContext;
  containerId: string;
  remoteUser: string;
  workdir: string | undefined;
  coder: CoderSettings;
  mode: AgentMode;
  /** Agent binaries are cached here by version (on the workspace volume). */
  cacheDir: string;
  log: PhaseLog;
  redactor: Redactor;
  /** `docker exec -d`: the agent outlives the builder (no supervision; its output stays in the container). */
  detach?: boolean;
  /** The devcontainer's remoteEnv (see resolveAgentEnv): the agent and its sessions start with it. */
  agentEnv?: Record<string, string> | Promise<Record<string, string>>;
  /** The agent binary fetched early (prefetchAgentBinary), used when its arch matches the container's. */
  prefetched?: Promise<{ path: string; version: string; cached: boolean; arch: string }> | undefined;
  /** How long to wait for the agent process (default 120 s). */
  verifyTimeoutMs?: number;
  /**
   * A warm restart: what the last successful start left in this container (init.sh's marker line and,
   * in binary mode, the binary's version stamp). The agent starts with one `docker exec` that checks
   * both and runs init.sh as it is; anything different and it falls back to preparing the container.
   */
  previousLaunch?: AgentLaunch | undefined;
  fetch?: typeof fetch;
  /** The Coder version preflight read: the binary download asks no buildinfo again. */
  coderVersion?: string | undefined;
}

/** What a start left in the container, enough to start the agent again without preparing it. */
export interface AgentLaunch {
  mode: 'script' | 'binary';
  /** init.sh's first line (initScriptMarker). */
  marker: string;
  /** Binary mode: coder.version's content (`<Coder version> <arch>`). */
  stamp?: string;
}

export interface AgentHandle {
  mode: 'script' | 'binary';
  /** How it was started: recorded so the next start of this container can skip the preparation. */
  launch: AgentLaunch;
  /** True when it started without preparing the container (a warm restart's one `docker exec`). */
  quick: boolean;
  /** The agent's pid inside the container. */
  pid: number;
  /** uid the agent runs as (from /proc). */
  uid: number;
  /** Resolves when the `docker exec` carrying the agent ends. */
  exited: Promise<{ exitCode: number | undefined }>;
  stop(timeoutMs?: number): Promise<void>;
}

const agentFailed = (message: string, extra: { exitCode?: number | undefined; outputTail?: string; details?: string[] } = {}) =>
  new BuilderError(message, { code: 'agent-failed', phase: 'agent', ...extra });

async function rootExec(o: AgentOptions, script: string, input?: string) {
  return await runDocker(o.docker, ['exec', ...(input === undefined ? [] : ['-i']), '-u', 'root', o.containerId, 'sh', '-c', script], {
    ...(input === undefined ? {} : { input }),
  });
}

/**
 * Shell test: the pid in $p is a running `… agent` (its command line ends in ` agent`) and not this
 * shell. After a container restart pids start again from 1, so the pid an earlier start recorded is
 * often this very script — whose own command line mentions agent.pid.
 */
const RUNNING_AGENT_TEST = `[ -n "$p" ] && [ "$p" != "$$" ] && [ -r /proc/$p/cmdline ] && case "$(tr '\\0' ' ' </proc/$p/cmdline)" in *' agent ') true ;; *) false ;; esac`;

/** One root exec: stop a stale agent, prepare the builder's dir, report the download tool and arch. */
function probeScript(remoteUser: string): string {
  const d = CONTAINER_DIR;
  const user = remoteUser.replace(/[^A-Za-z0-9_.-]/g, '');
  return [
    `p=$(cat ${d}/agent.pid 2>/dev/null) && ${RUNNING_AGENT_TEST} && {`,
    `  kill -TERM "$p"; i=0; while [ -d /proc/$p ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; [ -d /proc/$p ] && kill -KILL "$p"; echo stale=1; }`,
    `mkdir -p ${d} && chmod 0755 ${d} && rm -f ${d}/agent.pid ${d}/agent.launch && touch ${d}/agent.pid ${d}/agent.launch ${d}/agent.log && chown '${user}' ${d}/agent.pid ${d}/agent.launch ${d}/agent.log || exit 3`,
    'echo "tool=$(command -v curl || command -v wget || command -v busybox || echo none)"',
    'echo "arch=$(uname -m)"',
    `[ -x ${d}/coder ] && echo "copied=$(cat ${d}/coder.version 2>/dev/null)"`,
    'exit 0',
  ].join('\n');
}

/** Binary mode: the agent binary from the cache (or Coder), copied in when the container lacks that version. */
async function prepareBinary(
  o: AgentOptions,
  facts: Record<string, string>,
  tool: string | undefined,
): Promise<{ script: string; prepare: string; stamp: string }> {
  const { coder, log } = o;
  const arch = coderArch(facts.arch ?? '');
  if (!arch) throw agentFailed(`unsupported container architecture '${facts.arch ?? ''}'`);
  log.write(
    `binary mode: ${coder.initScript ? (tool ? 'DEVCONTAINER_AGENT_MODE=binary' : 'the devcontainer has no curl, wget or busybox') : 'no CODER_INIT_SCRIPT'}; the builder provides coder-linux-${arch}`,
    'info',
  );
  // The builder may have fetched it while `up` ran (same arch); else (or when that failed) now.
  const early = o.prefetched && (await followAgentBinaryPrefetch(o.prefetched, log));
  const bin =
    early && early.arch === arch
      ? early
      : await fetchAgentBinary({
          agentUrl: coder.agentUrl,
          arch,
          cacheDir: o.cacheDir,
          log,
          coderVersion: o.coderVersion,
          ...(o.fetch ? { fetch: o.fetch } : {}),
        });
  if (bin.cached) log.write(`agent binary for Coder ${bin.version} from the cache`, 'info');
  // The devcontainer keeps /tmp across restarts: copy only when its binary is another version.
  const stamp = `${bin.version} ${arch}`;
  let prepare = '';
  if (facts.copied !== stamp || bin.version === 'unknown') {
    const cp = await runDocker(o.docker, ['cp', bin.path, `${o.containerId}:${CONTAINER_DIR}/coder`]);
    if (cp.exitCode !== 0) throw agentFailed(`docker cp of the agent binary failed: ${cp.stderr}`, { exitCode: cp.exitCode });
    prepare += ` && printf '%s\\n' '${stamp.replace(/'/g, '')}' > ${CONTAINER_DIR}/coder.version`;
  } else log.write(`the devcontainer already has the agent binary for Coder ${bin.version}`, 'info');
  prepare += ` && chmod 0755 ${CONTAINER_DIR}/coder`;
  const script = binaryStartScript({
    agentUrl: coder.agentUrlInContainer,
    authType: initScriptAuthType(coder.initScript),
    binaryPath: `${CONTAINER_DIR}/coder`,
  });
  return { script, prepare, stamp };
}

/** init.sh's first line: names the script it holds, so a restart can tell it is still the one to run. Pure. */
export function initScriptMarker(script: string): string {
  return `# devcontainer-kit init ${createHash('sha256').update(script).digest('hex').slice(0, 16)}`;
}

/** The script a start writes into init.sh for a mode (binary mode: the builder's own). Pure. */
export function agentStartScript(coder: CoderSettings, mode: 'script' | 'binary'): string {
  return mode === 'script'
    ? rewriteInitScript(coder.initScript as string, { from: coder.agentUrl, to: coder.agentUrlInContainer })
    : binaryStartScript({
        agentUrl: coder.agentUrlInContainer,
        authType: initScriptAuthType(coder.initScript),
        binaryPath: `${CONTAINER_DIR}/coder`,
      });
}

/** Probes the container, picks the mode and writes the start script into it. */
async function prepareAgent(o: AgentOptions): Promise<AgentLaunch> {
  const { log, coder } = o;
  const probe = await rootExec(o, probeScript(o.remoteUser));
  if (probe.exitCode !== 0)
    throw agentFailed(`cannot prepare ${CONTAINER_DIR} in the devcontainer: ${probe.stderr}`, { exitCode: probe.exitCode });
  const facts = Object.fromEntries(
    probe.stdout
      .split('\n')
      .map((l) => l.split('='))
      .filter((kv) => kv.length === 2),
  ) as Record<string, string>;
  if (facts.stale) log.write('stopped the agent a previous builder run left running', 'info');
  const tool = facts.tool && facts.tool !== 'none' ? facts.tool : undefined;
  const mode = o.mode === 'binary' || !coder.initScript ? 'binary' : o.mode === 'script' ? 'script' : tool ? 'script' : 'binary';
  let prepare = `cat > ${CONTAINER_DIR}/init.sh && chmod 0755 ${CONTAINER_DIR}/init.sh`;
  let stamp: string | undefined;
  if (mode === 'script') {
    const rewritten = coder.agentUrlInContainer !== coder.agentUrl ? `, access URL rewritten to ${coder.agentUrlInContainer}` : '';
    log.write(`starting the agent with CODER_INIT_SCRIPT (sh) as ${o.remoteUser}${rewritten}`, 'info');
  } else {
    const b = await prepareBinary(o, facts, tool);
    prepare += b.prepare;
    stamp = b.stamp;
  }
  const script = agentStartScript(coder, mode);
  const marker = initScriptMarker(script);
  const w = await rootExec(o, prepare, `${marker}\n${script}`);
  if (w.exitCode !== 0) throw agentFailed(`cannot write the start script into the devcontainer: ${w.stderr}`, { exitCode: w.exitCode });
  return { mode, marker, ...(stamp ? { stamp } : {}) };
}

/** Exit codes of the quick start's checks (before anything runs): the full preparation follows. */
const QUICK_REFUSED = { changed: 97, stale: 98 } as const;

/**
 * A warm restart's start, as the remote user: init.sh and the binary are still what the last start
 * wrote (its marker line, the version stamp) and no earlier agent runs — else it exits 97/98 before
 * doing anything; then the pid, and init.sh runs as it is. Shell builtins only. Pure.
 */
export function quickLaunchScript(launch: AgentLaunch, nonce: string): string {
  const d = CONTAINER_DIR;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    `m=; read -r m 2>/dev/null < ${d}/init.sh; [ "$m" = ${q(launch.marker)} ] || exit ${QUICK_REFUSED.changed}`,
    ...(launch.stamp
      ? [
          `v=; read -r v 2>/dev/null < ${d}/coder.version; [ "$v" = ${q(launch.stamp)} ] && [ -x ${d}/coder ] || exit ${QUICK_REFUSED.changed}`,
        ]
      : []),
    `[ -w ${d}/agent.pid ] && [ -w ${d}/agent.launch ] || exit ${QUICK_REFUSED.changed}`,
    `p=; read -r p 2>/dev/null < ${d}/agent.pid; ${RUNNING_AGENT_TEST} && exit ${QUICK_REFUSED.stale}`,
    `echo $$ > ${d}/agent.pid && echo "$$ ${nonce}" > ${d}/agent.launch && exec sh ${d}/init.sh`,
  ].join('\n');
}

/** The full start's command (the container was just prepared: the pid files are empty). */
function fullLaunchScript(nonce: string): string {
  const d = CONTAINER_DIR;
  return `echo $$ > ${d}/agent.pid && echo "$$ ${nonce}" > ${d}/agent.launch && exec sh ${d}/init.sh`;
}

/** What the pid file's process is now: gone, still the init script, the agent, or something else. */
export type AgentProbe =
  | { state: 'no-pid' }
  | { state: 'gone'; pid: number }
  | { state: 'script' | 'other'; pid: number; cmd: string }
  | { state: 'agent'; pid: number; uid: number; cmd: string };

/** Classifies `/proc/<pid>/cmdline` (NULs as spaces) of the init script's process. Pure. */
export function classifyAgentCommand(cmd: string): 'agent' | 'script' | 'other' {
  const c = cmd.trim();
  if (/init\.sh/.test(c)) return 'script';
  if (/(^|\/|\s)(coder|[\w.-]+)\s+agent\s*$/.test(c)) return 'agent';
  // Before `exec sh init.sh` the process is still the launch's `sh -c` wrapper.
  if (/^sh -c /.test(c)) return 'script';
  return 'other';
}

/**
 * One `docker exec` that watches the started process inside the container for up to ~2 s (every
 * 20 ms) and reports as soon as it is no longer the init script (the agent, something else, or gone)
 * — instead of one `docker exec` per look, each costing more than the look itself. It reads the pid
 * from agent.launch once that holds this start's nonce: never a pid an earlier start left behind.
 */
function watchScript(d: string, nonce: string): string {
  return [
    // Every 20 ms for ~2 s; where sleep takes whole seconds only (a minimal busybox), every 1 s for ~2 s.
    'i=0; p=; n=100; w=0.02',
    'while [ $i -lt $n ]; do',
    `  l=; read -r l 2>/dev/null < ${d}/agent.launch`,
    `  case "$l" in *' ${nonce}') p=\${l%% *} ;; *) p= ;; esac`,
    '  if [ -n "$p" ]; then',
    '    [ -r /proc/$p/cmdline ] || { echo "$p"; echo gone; exit 0; }',
    `    c=$(tr '\\0' ' ' </proc/$p/cmdline)`,
    `    case "$c" in *init.sh*|'sh -c '*) ;; *) break ;; esac`,
    '  fi',
    '  i=$((i+1)); sleep $w 2>/dev/null || { n=2; w=1; sleep 1; }',
    'done',
    '[ -n "$p" ] || { echo none; exit 0; }',
    `echo "$p"; echo run; tr '\\0' ' ' </proc/$p/cmdline; echo; sed -n 's/^Uid:[[:space:]]*\\([0-9]*\\).*/\\1/p' /proc/$p/status`,
  ].join('\n');
}

async function probeAgentProcess(o: AgentOptions, nonce: string): Promise<AgentProbe> {
  const r = await rootExec(o, watchScript(CONTAINER_DIR, nonce));
  if (r.exitCode !== 0) return { state: 'no-pid' };
  const [p, what, cmd = '', u] = r.stdout.split('\n');
  if (p === 'none' || !p) return { state: 'no-pid' };
  const pid = Number(p);
  if (what !== 'run') return { state: 'gone', pid };
  const kind = classifyAgentCommand(cmd);
  if (kind === 'agent') return { state: 'agent', pid, uid: Number(u), cmd: cmd.trim() };
  return { state: kind, pid, cmd: cmd.trim() };
}

/** `docker exec` of a start command as the remote user; the token by name only. */
function launch(
  o: Omit<AgentOptions, 'agentEnv'> & { agentEnv: Record<string, string> },
  command: string,
  onLine: (line: string) => void,
): ResultPromise {
  const { coder } = o;
  const args = [
    'exec',
    ...(o.detach ? ['-d'] : []),
    '-u',
    o.remoteUser,
    ...(o.workdir ? ['-w', o.workdir] : []),
    // Names only: docker copies the values from its own environment (never on a command line).
    ...Object.keys(o.agentEnv ?? {}).flatMap((name) => ['-e', name]),
    ...['-e', 'CODER_AGENT_TOKEN', '-e', `CODER_AGENT_URL=${coder.agentUrlInContainer}`, '-e', 'CODER_AGENT_DEVCONTAINERS_ENABLE=false'],
    o.containerId,
    'sh',
    '-c',
    `${command}${o.detach ? ` >${CONTAINER_DIR}/agent.log 2>&1` : ''}`,
  ];
  // The one child whose environment holds the token: the docker CLI that hands it to the agent.
  const child = execa('docker', args, {
    env: { ...o.docker.env, ...o.agentEnv, CODER_AGENT_TOKEN: coder.agentToken },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
  });
  const reader = new LineReader((l) => onLine(stripVTControlCharacters(l)));
  child.all?.on('data', (d: Buffer) => reader.push(d));
  child.all?.on('end', () => reader.end());
  return child;
}

type Prepared = Omit<AgentOptions, 'agentEnv'> & { agentEnv: Record<string, string> };

/** One launch, watched until its process is the agent. `refused`: the quick start's checks said no. */
async function launchAndVerify(o: Prepared, launchInfo: AgentLaunch, quick: boolean): Promise<AgentHandle | { refused: string }> {
  const nonce = randomUUID().slice(0, 8);
  let verified = false;
  const tail: string[] = [];
  const child = launch(o, quick ? quickLaunchScript(launchInfo, nonce) : fullLaunchScript(nonce), (line) => {
    const clean = o.redactor(line);
    tail.push(clean);
    if (tail.length > 15) tail.shift();
    o.log.write(clean, verified ? 'debug' : 'info');
  });
  let exitInfo: { exitCode: number | undefined } | undefined;
  const execDone = child.then((r) => {
    if (!o.detach) exitInfo = { exitCode: r.exitCode };
    return { exitCode: r.exitCode };
  });
  // Detached: `docker exec -d` returns at once; the agent's end is not observed.
  const exited: Promise<{ exitCode: number | undefined }> = o.detach ? new Promise(() => {}) : execDone;
  const started = Date.now();
  const deadline = started + (o.verifyTimeoutMs ?? 120_000);
  let found: { pid: number; uid: number } | undefined;
  let problem: string | undefined;
  let otherSince: number | undefined;
  let saidWaiting = 0;
  while (!found && !problem && !exitInfo && Date.now() < deadline) {
    // The launch's end cuts a look short: a quick start's checks refuse within milliseconds.
    const p = await Promise.race([probeAgentProcess(o, nonce), exited.then(() => undefined)]);
    if (!p) break;
    if (p.state === 'agent') found = { pid: p.pid, uid: p.uid };
    else if (p.state === 'gone') {
      problem = `the init script's process (pid ${p.pid}) exited before it became \`coder agent\``;
      // Its exit code comes with the end of the `docker exec` that carries it (not when detached).
      if (!o.detach) await Promise.race([exited, sleep(2000)]);
    } else if (p.state === 'other') {
      // An exec chain (env, su-exec…) may pass through other commands briefly; 3 s of it is not an agent.
      otherSince ??= Date.now();
      if (Date.now() - otherSince >= 3000)
        problem = `the init script's process (pid ${p.pid}) runs \`${o.redactor(p.cmd).slice(0, 200)}\`, which does not look like \`coder agent\``;
    } else {
      otherSince = undefined;
      if (Date.now() - started >= 10_000 * (saidWaiting + 1)) {
        saidWaiting++;
        const last = tail.slice(-3).join(' | ');
        o.log.write(
          `still waiting for the agent after ${Math.round((Date.now() - started) / 1000)} s: the init script is running (downloading the agent?)${last ? `; last output: ${last}` : ''}`,
          'warn',
        );
      }
    }
    if (!found && !problem && p.state === 'other') await sleep(100);
  }
  const ended = exitInfo as { exitCode: number | undefined } | undefined;
  if (!found && quick && ended && (ended.exitCode === QUICK_REFUSED.changed || ended.exitCode === QUICK_REFUSED.stale))
    return {
      refused:
        ended.exitCode === QUICK_REFUSED.stale
          ? 'an earlier agent still runs in the container'
          : 'the container no longer has the start script or agent binary the last start left',
    };
  if (!found) {
    // Decided before the kill below, whose own exit is not the agent's.
    const why = ended
      ? `the agent exited (code ${ended.exitCode}) before it was running`
      : (problem ?? `the agent process did not start within ${Math.round((o.verifyTimeoutMs ?? 120_000) / 1000)} s`);
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3000)]);
    const details = [...(tail.length ? ['last output of the init script:', ...tail.slice(-5)] : ['the init script printed nothing'])];
    throw agentFailed(why, { exitCode: ended?.exitCode, outputTail: tail.join('\n'), details });
  }
  verified = true;
  const { pid, uid } = found;
  o.log.write(
    `agent running (pid ${pid} in the devcontainer, uid ${uid}, ${launchInfo.mode} mode${quick ? '; started as the last start left it, no preparation needed' : ''})`,
    'info',
  );
  return {
    mode: launchInfo.mode,
    launch: launchInfo,
    quick,
    pid,
    uid,
    exited,
    async stop(timeoutMs = 5000) {
      if (exitInfo) return;
      await rootExec(o, `kill -TERM ${pid} 2>/dev/null; exit 0`);
      if (o.detach) return;
      const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!done) {
        await rootExec(o, `kill -KILL ${pid} 2>/dev/null; exit 0`);
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(2000)]);
      }
    },
  };
}

export async function startAgent(options: AgentOptions): Promise<AgentHandle> {
  const agentEnv = Promise.resolve(options.agentEnv ?? {});
  // A warm restart of a container this builder started the agent in: one `docker exec`, no preparation.
  if (options.previousLaunch && !options.detach) {
    const r = await launchAndVerify({ ...options, agentEnv: await agentEnv }, options.previousLaunch, true);
    if (!('refused' in r)) return r;
    options.log.write(`preparing the container for the agent: ${r.refused}`, 'info');
  }
  // The remoteEnv is read while the container is prepared.
  const [launchInfo, env] = await Promise.all([prepareAgent(options), agentEnv]);
  const r = await launchAndVerify({ ...options, agentEnv: env }, launchInfo, false);
  if ('refused' in r) throw agentFailed(r.refused);
  return r;
}
