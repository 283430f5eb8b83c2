// The Coder agent binary (`/bin/coder-linux-ARCH` from the Coder URL), downloaded once per Coder
// version into the builder's cache on the workspace volume; agent.ts copies it into the devcontainer.
// The body streams to a temporary file next to its cache path (never whole in memory), is checked
// against the size and sha1 the server promises (coderd: X-Original-Content-Length and a sha1 ETag),
// and only then renamed into the cache. Progress goes to the phase log every ~2 s and at the end.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  checkDownload,
  type DownloadVerification,
  describeDownloadProgress,
  describeDownloadSummary,
  readDownloadExpectation,
} from './download-progress.js';
import { BuilderError } from './errors.js';
import { coderArch } from './init-script.js';
import type { PhaseLog } from './phase-log.js';
import type { AgentMode, CoderSettings } from './settings.js';

export interface AgentBinary {
  path: string;
  version: string;
  cached: boolean;
  /** Bytes downloaded (absent when cached). */
  bytes?: number;
  /** How long the download took, in ms (absent when cached). */
  durationMs?: number;
  /** What the download was checked against (absent when cached). */
  verification?: DownloadVerification;
}

export interface FetchAgentBinaryOptions {
  agentUrl: string;
  arch: string;
  cacheDir: string;
  log: PhaseLog;
  fetch?: typeof fetch;
  /** The Coder version preflight read (buildinfo); given, the binary's cache entry is found without asking again. */
  coderVersion?: string | undefined;
  /** How often a progress line is written while bytes arrive (default 2000 ms). */
  progressIntervalMs?: number;
  /** Give up when no byte arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
  /** Receives the byte count as it grows (prefetchAgentBinary's live state). */
  onProgress?: (state: { bytes: number; total: number | undefined; startedAt: number }) => void;
}

async function fileExists(p: string): Promise<boolean> {
  return Boolean((await stat(p).catch(() => undefined))?.size);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temporary files a killed builder left next to `name` (their pid is gone): removed. */
async function removeStaleTemporaries(dir: string, name: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries) {
    const m = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`).exec(entry);
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) await rm(join(dir, entry), { force: true });
  }
}

/**
 * Downloads /bin/coder-linux-ARCH from the Coder URL once per Coder version; returns the cached path.
 * A short body or a wrong checksum throws `agent-download-failed` and leaves no file behind.
 */
export async function fetchAgentBinary(o: FetchAgentBinaryOptions): Promise<AgentBinary> {
  const f = o.fetch ?? fetch;
  let version = o.coderVersion ?? 'unknown';
  if (!o.coderVersion) {
    try {
      const r = await f(new URL('api/v2/buildinfo', o.agentUrl), { signal: AbortSignal.timeout(15_000) });
      if (r.ok) version = String(((await r.json()) as { version?: string }).version ?? 'unknown');
    } catch {}
  }
  const name = `coder-linux-${o.arch}`;
  const dir = join(o.cacheDir, 'coder-agent', version.replace(/[^A-Za-z0-9._+-]/g, '_'));
  const path = join(dir, name);
  if (version !== 'unknown' && (await fileExists(path))) return { path, version, cached: true };
  await mkdir(dir, { recursive: true });
  await removeStaleTemporaries(dir, name);
  const url = new URL(`bin/${name}`, o.agentUrl);
  o.log.write(`downloading the agent binary ${url} (Coder ${version})`, 'info');
  const fail = (why: string, next: string, cause?: unknown) =>
    new BuilderError(`agent binary download failed: GET ${url} → ${why}. ${next}`, {
      code: 'agent-download-failed',
      phase: 'agent',
      cause,
    });
  const retry =
    'The next builder start downloads it again; if it keeps failing, check the Coder URL and the proxy between the workspace and Coder.';

  const tmp = join(dir, `${name}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`);
  const abort = new AbortController();
  const idleMs = o.idleTimeoutMs ?? 60_000;
  let idle = setTimeout(() => abort.abort(new Error(`no response in ${idleMs / 1000} s`)), idleMs);
  const startedAt = Date.now();
  let bytes = 0;
  let total: number | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  try {
    let r: Response;
    try {
      r = await f(url, { signal: abort.signal });
    } catch (error) {
      throw fail(abort.signal.aborted ? String((abort.signal.reason as Error)?.message) : (error as Error).message, retry, error);
    }
    if (!r.ok || !r.body) {
      await r.body?.cancel().catch(() => {});
      throw fail(
        `HTTP ${r.status}`,
        r.status === 404
          ? `This Coder has no agent binary for ${o.arch}; use CODER_INIT_SCRIPT (script mode) or a devcontainer of a supported architecture.`
          : retry,
      );
    }
    const expected = readDownloadExpectation(r.headers);
    total = expected.size;
    const hash = createHash('sha1');
    o.onProgress?.({ bytes, total, startedAt });
    const interval = o.progressIntervalMs ?? 2000;
    ticker = setInterval(
      () => o.log.write(describeDownloadProgress({ bytes, total, elapsedMs: Date.now() - startedAt }), 'info'),
      interval,
    );
    ticker.unref?.();
    try {
      await pipeline(
        Readable.fromWeb(r.body as import('node:stream/web').ReadableStream<Uint8Array>),
        async function* count(source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            clearTimeout(idle);
            idle = setTimeout(() => abort.abort(new Error(`no data for ${idleMs / 1000} s`)), idleMs);
            hash.update(chunk);
            bytes += chunk.length;
            o.onProgress?.({ bytes, total, startedAt });
            yield chunk;
          }
        },
        createWriteStream(tmp, { mode: 0o700 }),
      );
    } catch (error) {
      const why = abort.signal.aborted ? String((abort.signal.reason as Error)?.message) : (error as Error).message;
      throw fail(`${why} after ${bytes}${total !== undefined ? ` of ${total}` : ''} bytes`, retry, error);
    }
    clearInterval(ticker);
    const got = { size: bytes, sha1: hash.digest('hex') };
    const check = checkDownload(got, expected);
    if (check.problem !== undefined) throw fail(check.problem, `Nothing was cached. ${retry}`);
    const elapsedMs = Date.now() - startedAt;
    o.log.write(describeDownloadSummary({ bytes, total, elapsedMs }, check.verification), check.verification === 'none' ? 'warn' : 'info');
    await chmod(tmp, 0o755);
    // Nothing unverified enters the cache: such a binary serves this run only, from its own folder.
    const target = check.verification === 'none' ? join(dir, 'unverified', name) : path;
    if (target !== path) await mkdir(join(dir, 'unverified'), { recursive: true });
    await rename(tmp, target);
    return { path: target, version, cached: false, bytes, durationMs: elapsedMs, verification: check.verification };
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {});
    throw error;
  } finally {
    clearTimeout(idle);
    if (ticker) clearInterval(ticker);
  }
}

export interface PrefetchedAgentBinary extends AgentBinary {
  arch: string;
}

/** A prefetch's live state, found from its promise (see followAgentBinaryPrefetch). */
interface PrefetchTracker {
  bytes: number;
  total: number | undefined;
  startedAt: number | undefined;
  done: boolean;
  /** Where its log lines go once someone follows it (dropped before). */
  target: PhaseLog | undefined;
}
const trackers = new WeakMap<Promise<PrefetchedAgentBinary>, PrefetchTracker>();

/**
 * Binary mode is certain before the container exists (DEVCONTAINER_AGENT_MODE=binary, or no
 * CODER_INIT_SCRIPT): fetch the agent for the builder's own architecture while `up` runs — a
 * devcontainer of another architecture fetches its own later. Never rejects into the void: the
 * agent phase awaits it and falls back to a fetch of its own.
 *
 * Its lines stay quiet while `up` runs (that phase's log is the devcontainer CLI's); the agent phase
 * calls followAgentBinaryPrefetch, which prints the summary or, while it is still running, live
 * progress from then on.
 */
export function prefetchAgentBinary(o: {
  coder: CoderSettings;
  mode: AgentMode;
  cacheDir: string;
  fetch?: typeof fetch;
  coderVersion?: string | undefined;
  progressIntervalMs?: number;
}): Promise<PrefetchedAgentBinary> | undefined {
  if (o.mode !== 'binary' && o.coder.initScript) return undefined;
  const machine = ({ x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l' } as Record<string, string>)[process.arch];
  const arch = machine ? coderArch(machine) : undefined;
  if (!arch) return undefined;
  const tracker: PrefetchTracker = { bytes: 0, total: undefined, startedAt: undefined, done: false, target: undefined };
  const relay: PhaseLog = { write: (line, level) => tracker.target?.write(line, level), async close() {} };
  const p = fetchAgentBinary({
    agentUrl: o.coder.agentUrl,
    arch,
    cacheDir: o.cacheDir,
    log: relay,
    coderVersion: o.coderVersion,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.progressIntervalMs ? { progressIntervalMs: o.progressIntervalMs } : {}),
    onProgress: (s) => Object.assign(tracker, s),
  })
    .then((b) => ({ ...b, arch }))
    .finally(() => {
      tracker.done = true;
    });
  trackers.set(p, tracker);
  p.catch(() => {});
  return p;
}

/**
 * The agent phase's side of a prefetch: waits for it, writing to `log` what the user needs — the
 * summary (size, time, rate) when it already finished, else where it stands and live progress until
 * it ends; a failed prefetch is a warning and resolves undefined (the caller downloads again).
 */
export async function followAgentBinaryPrefetch(
  prefetched: Promise<PrefetchedAgentBinary>,
  log: PhaseLog,
): Promise<PrefetchedAgentBinary | undefined> {
  const tracker = trackers.get(prefetched);
  const wasRunning = tracker !== undefined && !tracker.done;
  if (tracker && wasRunning) {
    const state =
      tracker.startedAt === undefined
        ? 'not started yet'
        : describeDownloadProgress({ bytes: tracker.bytes, total: tracker.total, elapsedMs: Date.now() - tracker.startedAt }, 'so far');
    log.write(`waiting for the agent binary download started while devcontainer up ran (${state})`, 'info');
    tracker.target = log;
  }
  try {
    const bin = await prefetched;
    if (!wasRunning && !bin.cached && bin.bytes !== undefined && bin.durationMs !== undefined && bin.verification)
      log.write(
        `${describeDownloadSummary({ bytes: bin.bytes, elapsedMs: bin.durationMs }, bin.verification)} (downloaded while devcontainer up ran)`,
        bin.verification === 'none' ? 'warn' : 'info',
      );
    return bin;
  } catch (error) {
    log.write(`the early agent binary download failed (${(error as Error).message.split('\n')[0]}); downloading again`, 'warn');
    return undefined;
  } finally {
    if (tracker) tracker.target = undefined;
  }
}
