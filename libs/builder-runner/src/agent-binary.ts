// The Coder agent binary (`/bin/coder-linux-ARCH` from the Coder URL), downloaded once per Coder
// version into the builder's cache on the workspace volume; agent.ts copies it into the devcontainer.
import { chmod, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BuilderError } from './errors.js';
import { coderArch } from './init-script.js';
import type { PhaseLog } from './phase-log.js';
import type { AgentMode, CoderSettings } from './settings.js';

async function fileExists(p: string): Promise<boolean> {
  return Boolean((await stat(p).catch(() => undefined))?.size);
}

/** Downloads /bin/coder-linux-ARCH from the Coder URL once per Coder version; returns the cached path. */
export async function fetchAgentBinary(o: {
  agentUrl: string;
  arch: string;
  cacheDir: string;
  log: PhaseLog;
  fetch?: typeof fetch;
}): Promise<{
  path: string;
  version: string;
  cached: boolean;
}> {
  const f = o.fetch ?? fetch;
  let version = 'unknown';
  try {
    const r = await f(new URL('api/v2/buildinfo', o.agentUrl), { signal: AbortSignal.timeout(15_000) });
    if (r.ok) version = String(((await r.json()) as { version?: string }).version ?? 'unknown');
  } catch {}
  const dir = join(o.cacheDir, 'coder-agent', version.replace(/[^A-Za-z0-9._+-]/g, '_'));
  const path = join(dir, `coder-linux-${o.arch}`);
  if (version !== 'unknown' && (await fileExists(path))) return { path, version, cached: true };
  await mkdir(dir, { recursive: true });
  const url = new URL(`bin/coder-linux-${o.arch}`, o.agentUrl);
  o.log.write(`downloading the agent binary ${url} (Coder ${version})`, 'info');
  const fail = (why: string, cause?: unknown) =>
    new BuilderError(`agent binary download failed: GET ${url} → ${why}`, { code: 'agent-download-failed', phase: 'agent', cause });
  let body: ArrayBuffer;
  try {
    const r = await f(url, { signal: AbortSignal.timeout(300_000) });
    if (!r.ok) throw fail(String(r.status));
    body = await r.arrayBuffer();
  } catch (error) {
    throw error instanceof BuilderError ? error : fail((error as Error).message, error);
  }
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, Buffer.from(body));
  await chmod(tmp, 0o755);
  await rename(tmp, path);
  return { path, version, cached: false };
}

/**
 * Binary mode is certain before the container exists (DEVCONTAINER_AGENT_MODE=binary, or no
 * CODER_INIT_SCRIPT): fetch the agent for the builder's own architecture while `up` runs — a
 * devcontainer of another architecture fetches its own later. Never rejects into the void: the
 * agent phase awaits it and falls back to a fetch of its own.
 */
export function prefetchAgentBinary(o: {
  coder: CoderSettings;
  mode: AgentMode;
  cacheDir: string;
  fetch?: typeof fetch;
}): Promise<{ path: string; version: string; cached: boolean; arch: string }> | undefined {
  if (o.mode !== 'binary' && o.coder.initScript) return undefined;
  const machine = ({ x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l' } as Record<string, string>)[process.arch];
  const arch = machine ? coderArch(machine) : undefined;
  if (!arch) return undefined;
  const quiet = { write() {}, async close() {} };
  const p = fetchAgentBinary({
    agentUrl: o.coder.agentUrl,
    arch,
    cacheDir: o.cacheDir,
    log: quiet,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  }).then((b) => ({ ...b, arch }));
  p.catch(() => {});
  return p;
}
