// The Coder agent inside the devcontainer, as its remote user. The token travels only in the
// environment: `docker exec -e CODER_AGENT_TOKEN` copies it from the builder's child environment.
import { chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { type DockerContext, docker } from './docker.js';
import { BuilderError } from './errors.js';
import { binaryStartScript, coderArch, initScriptAuthType, rewriteInitScript } from './init-script.js';
import { createLineSplitter, type PhaseLog } from './phase-log.js';
import type { Redactor } from './redact.js';
import type { AgentMode, CoderSettings } from './settings.js';

/** Where the builder keeps its files inside the devcontainer. */
export const CONTAINER_DIR = '/tmp/.devcontainer-builder';

export interface AgentOptions extends DockerContext {
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
  agentEnv?: Record<string, string>;
  /** How long to wait for the agent process (default 120 s). */
  verifyTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface AgentHandle {
  mode: 'script' | 'binary';
  /** The agent's pid inside the container. */
  pid: number;
  /** uid the agent runs as (from /proc). */
  uid: number;
  /** Resolves when the `docker exec` carrying the agent ends. */
  exited: Promise<{ exitCode: number | undefined }>;
  stop(timeoutMs?: number): Promise<void>;
}

async function rootExec(o: DockerContext & { containerId: string }, script: string, input?: string) {
  return await docker(o, ['exec', ...(input === undefined ? [] : ['-i']), '-u', 'root', o.containerId, 'sh', '-c', script], { input });
}

/** Stops an agent a previous builder run left behind (pid file + cmdline check). */
export async function stopStaleAgent(o: DockerContext & { containerId: string }): Promise<boolean> {
  const r = await rootExec(
    o,
    `p=$(cat ${CONTAINER_DIR}/agent.pid 2>/dev/null) || exit 1; [ -r /proc/$p/cmdline ] || exit 1; tr '\\0' ' ' </proc/$p/cmdline | grep -q 'agent' || exit 1; kill -TERM "$p"; i=0; while [ -d /proc/$p ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; [ -d /proc/$p ] && kill -KILL "$p"; exit 0`,
  );
  return r.exitCode === 0;
}

async function fileExists(p: string): Promise<boolean> {
  try {
    return (await stat(p)).size > 0;
  } catch {
    return false;
  }
}

/** Downloads /bin/coder-linux-ARCH from the Coder URL once per Coder version; returns the cached path. */
export async function fetchAgentBinary(o: {
  agentUrl: string;
  arch: string;
  cacheDir: string;
  log: PhaseLog;
  fetch?: typeof fetch;
}): Promise<{ path: string; version: string; cached: boolean }> {
  const f = o.fetch ?? fetch;
  let version = 'unknown';
  try {
    const r = await f(new URL('api/v2/buildinfo', o.agentUrl), { signal: AbortSignal.timeout(15_000) });
    if (r.ok) version = String(((await r.json()) as { version?: string }).version ?? 'unknown');
  } catch {}
  const safe = version.replace(/[^A-Za-z0-9._+-]/g, '_');
  const dir = join(o.cacheDir, 'coder-agent', safe);
  const path = join(dir, `coder-linux-${o.arch}`);
  if (version !== 'unknown' && (await fileExists(path))) return { path, version, cached: true };
  await mkdir(dir, { recursive: true });
  const url = new URL(`bin/coder-linux-${o.arch}`, o.agentUrl);
  o.log.write(`downloading the agent binary ${url} (Coder ${version})`, 'info');
  const r = await f(url, { signal: AbortSignal.timeout(300_000) });
  if (!r.ok) throw new BuilderError(`agent binary download failed: GET ${url} → ${r.status}`, { code: 'agent-failed', phase: 'agent' });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(await r.arrayBuffer()));
  await chmod(tmp, 0o755);
  await rename(tmp, path);
  return { path, version, cached: false };
}

/** One root exec: stop a stale agent, prepare the builder's dir, report the download tool and arch. */
function probeScript(remoteUser: string): string {
  const d = CONTAINER_DIR;
  const user = remoteUser.replace(/[^A-Za-z0-9_.-]/g, '');
  return [
    `p=$(cat ${d}/agent.pid 2>/dev/null) && [ -n "$p" ] && [ -r /proc/$p/cmdline ] && tr '\\0' ' ' </proc/$p/cmdline | grep -q agent && {`,
    `  kill -TERM "$p"; i=0; while [ -d /proc/$p ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; [ -d /proc/$p ] && kill -KILL "$p"; echo stale=1; }`,
    `mkdir -p ${d} && chmod 0755 ${d} && rm -f ${d}/agent.pid && touch ${d}/agent.pid ${d}/agent.log && chown '${user}' ${d}/agent.pid ${d}/agent.log || exit 3`,
    'echo "tool=$(command -v curl || command -v wget || command -v busybox || echo none)"',
    'echo "arch=$(uname -m)"',
    `[ -x ${d}/coder ] && echo "copied=$(cat ${d}/coder.version 2>/dev/null)"`,
    'exit 0',
  ].join('\n');
}

export async function startAgent(o: AgentOptions): Promise<AgentHandle> {
  const { log, coder } = o;
  const ctx = { env: o.env, containerId: o.containerId };
  const probe = await rootExec(ctx, probeScript(o.remoteUser));
  if (probe.exitCode !== 0)
    throw new BuilderError(`cannot prepare ${CONTAINER_DIR} in the devcontainer: ${probe.stderr}`, {
      code: 'agent-failed',
      phase: 'agent',
    });
  const facts = Object.fromEntries(
    probe.stdout
      .split('\n')
      .map((l) => l.split('='))
      .filter((kv) => kv.length === 2),
  ) as Record<string, string>;
  if (facts.stale) log.write('stopped the agent a previous builder run left running', 'info');
  const tool = facts.tool && facts.tool !== 'none' ? facts.tool : undefined;

  let mode: 'script' | 'binary';
  if (o.mode === 'binary' || !coder.initScript) mode = 'binary';
  else if (o.mode === 'script') mode = 'script';
  else mode = tool ? 'script' : 'binary';

  let script: string;
  let prepare = `cat > ${CONTAINER_DIR}/init.sh && chmod 0755 ${CONTAINER_DIR}/init.sh`;
  if (mode === 'script') {
    script = rewriteInitScript(coder.initScript as string, { from: coder.agentUrl, to: coder.agentUrlInContainer });
    log.write(
      `starting the agent with CODER_INIT_SCRIPT (sh) as ${o.remoteUser}${coder.agentUrlInContainer !== coder.agentUrl ? `, access URL rewritten to ${coder.agentUrlInContainer}` : ''}`,
      'info',
    );
  } else {
    const arch = coderArch(facts.arch ?? '');
    if (!arch) throw new BuilderError(`unsupported container architecture '${facts.arch ?? ''}'`, { code: 'agent-failed', phase: 'agent' });
    log.write(
      `binary mode: ${coder.initScript ? (tool ? 'DEVCONTAINER_AGENT_MODE=binary' : 'the devcontainer has no curl, wget or busybox') : 'no CODER_INIT_SCRIPT'}; the builder provides coder-linux-${arch}`,
      'info',
    );
    const bin = await fetchAgentBinary({
      agentUrl: coder.agentUrl,
      arch,
      cacheDir: o.cacheDir,
      log,
      ...(o.fetch ? { fetch: o.fetch } : {}),
    });
    if (bin.cached) log.write(`agent binary for Coder ${bin.version} from the cache`, 'info');
    // The devcontainer keeps /tmp across restarts: copy only when its binary is another version.
    const stamp = `${bin.version} ${arch}`;
    if (facts.copied !== stamp || bin.version === 'unknown') {
      const cp = await docker(o, ['cp', bin.path, `${o.containerId}:${CONTAINER_DIR}/coder`]);
      if (cp.exitCode !== 0)
        throw new BuilderError(`docker cp of the agent binary failed: ${cp.stderr}`, { code: 'agent-failed', phase: 'agent' });
      prepare += ` && printf '%s\\n' '${stamp.replace(/'/g, '')}' > ${CONTAINER_DIR}/coder.version`;
    } else log.write(`the devcontainer already has the agent binary for Coder ${bin.version}`, 'info');
    prepare += ` && chmod 0755 ${CONTAINER_DIR}/coder`;
    script = binaryStartScript({
      agentUrl: coder.agentUrlInContainer,
      authType: initScriptAuthType(coder.initScript),
      binaryPath: `${CONTAINER_DIR}/coder`,
    });
  }
  const w = await rootExec(ctx, prepare, script);
  if (w.exitCode !== 0)
    throw new BuilderError(`cannot write the start script into the devcontainer: ${w.stderr}`, { code: 'agent-failed', phase: 'agent' });

  const args = [
    'exec',
    ...(o.detach ? ['-d'] : []),
    '-u',
    o.remoteUser,
    ...(o.workdir ? ['-w', o.workdir] : []),
    // Names only: docker copies the values from its own environment (never on a command line).
    ...Object.keys(o.agentEnv ?? {}).flatMap((name) => ['-e', name]),
    '-e',
    'CODER_AGENT_TOKEN',
    '-e',
    `CODER_AGENT_URL=${coder.agentUrlInContainer}`,
    '-e',
    'CODER_AGENT_DEVCONTAINERS_ENABLE=false',
    o.containerId,
    'sh',
    '-c',
    `echo $$ > ${CONTAINER_DIR}/agent.pid && exec sh ${CONTAINER_DIR}/init.sh${o.detach ? ` >${CONTAINER_DIR}/agent.log 2>&1` : ''}`,
  ];
  let verified = false;
  const tail: string[] = [];
  const splitter = createLineSplitter((line) => {
    const clean = o.redactor(line);
    tail.push(clean);
    if (tail.length > 15) tail.shift();
    log.write(clean, verified ? 'debug' : 'info');
  });
  const child: ResultPromise = execa('docker', args, {
    env: { ...o.env, ...o.agentEnv, CODER_AGENT_TOKEN: coder.agentToken },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
  });
  child.all?.setEncoding('utf8');
  child.all?.on('data', (d: string) => splitter.push(d));
  let exitInfo: { exitCode: number | undefined } | undefined;
  const execDone = child.then((r) => {
    splitter.end();
    if (!o.detach) exitInfo = { exitCode: r.exitCode };
    return { exitCode: r.exitCode };
  });
  // Detached: `docker exec -d` returns at once; the agent's end is not observed.
  const exited: Promise<{ exitCode: number | undefined }> = o.detach ? new Promise(() => {}) : execDone;

  // Verify: the pid file's process has become `… agent` (the script exec'd it).
  const deadline = Date.now() + (o.verifyTimeoutMs ?? 120_000);
  let pid = 0;
  let uid = -1;
  while (Date.now() < deadline) {
    if (exitInfo) break;
    const r = await rootExec(
      ctx,
      `p=$(cat ${CONTAINER_DIR}/agent.pid 2>/dev/null) && [ -n "$p" ] && [ -r /proc/$p/cmdline ] && echo "$p" && tr '\\0' ' ' </proc/$p/cmdline && echo && sed -n 's/^Uid:[[:space:]]*\\([0-9]*\\).*/\\1/p' /proc/$p/status`,
    );
    if (r.exitCode === 0) {
      const [p, cmd, u] = r.stdout.split('\n');
      if (cmd && /(^|\/|\s)(coder|[\w.-]+)\s+agent\s*$/.test(cmd.trim()) && !/init\.sh/.test(cmd)) {
        pid = Number(p);
        uid = Number(u);
        break;
      }
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  if (!pid) {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((res) => setTimeout(res, 3000))]);
    throw new BuilderError(
      exitInfo ? `the agent exited (code ${exitInfo.exitCode}) before it was running` : 'the agent process did not start in time',
      {
        code: 'agent-failed',
        phase: 'agent',
        exitCode: exitInfo?.exitCode,
        stderrTail: tail.join('\n'),
        details: tail.slice(-5),
      },
    );
  }
  verified = true;
  log.write(`agent running (pid ${pid} in the devcontainer, uid ${uid}, ${mode} mode)`, 'info');

  return {
    mode,
    pid,
    uid,
    exited,
    async stop(timeoutMs = 5000) {
      if (exitInfo) return;
      await rootExec(ctx, `kill -TERM ${pid} 2>/dev/null; exit 0`);
      if (o.detach) return;
      const done = await Promise.race([exited.then(() => true), new Promise<boolean>((res) => setTimeout(() => res(false), timeoutMs))]);
      if (!done) {
        await rootExec(ctx, `kill -KILL ${pid} 2>/dev/null; exit 0`);
        child.kill('SIGKILL');
        await Promise.race([exited, new Promise((res) => setTimeout(res, 2000))]);
      }
    },
  };
}
