// The status file: phase, per-phase timings, container, image, cache, last error. Written
// atomically (temp file + rename) so readers never see half a file. Never holds a secret.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PhaseName } from './phase-log.js';
import type { ExtensionsStatus } from './phases/extensions.js';

export type PhaseOutcome = 'running' | 'success' | 'failed' | 'skipped' | 'warning';
export type CacheState = 'hit' | 'miss' | 'built' | 'unknown';

export interface PhaseStatus {
  startedAt: string;
  durationMs?: number;
  outcome: PhaseOutcome;
}

export interface HooksStatus {
  waitFor: string;
  pending: string[];
  running: string[];
  done: string[];
  failed: string[];
  /** Not run because a hook before them failed (the CLI stops there). */
  skipped: string[];
}

export interface BuilderStatus {
  /** The phase running now, or how the run ended. */
  phase: PhaseName | 'starting' | 'failed' | 'stopped' | 'done';
  phases: Partial<Record<PhaseName, PhaseStatus>>;
  workspace: string;
  workspaceFolder: string;
  commit?: string;
  containerId?: string;
  image?: string;
  cache: CacheState;
  /** From the devcontainer CLI's result. */
  remoteUser?: string;
  remoteWorkspaceFolder?: string;
  /** Whether this run reused an existing container. */
  reused?: boolean;
  agent?: { mode: 'script' | 'binary'; pid: number; uid: number; restarts: number };
  lastError?: { code: string; phase?: string; message: string; at: string };
  /** The extensions phase's summary (see phases/extensions.ts). */
  extensions?: ExtensionsStatus;
  /** Set when checkout, config or up failed and DEVCONTAINER_FALLBACK_IMAGE runs instead. */
  fallback?: { phase: string; message: string; image: string; explanationFile: string };
  /** The prebuilt image looked up in DEVCONTAINER_CACHE_REPO (key and outcome). */
  prebuilt?: {
    image: string;
    status: 'hit' | 'miss';
    reason?: string /** A hit: the lookup and pull took this long. */;
    durationMs?: number;
  };
  /**
   * Lifecycle hooks inside the container: `waitFor` (the agent starts once it has run), and where
   * each hook is — those after `waitFor` run in the background while the workspace is in use.
   */
  hooks?: HooksStatus;
  /** The builder process (for `status` to tell a live run from a dead one). */
  pid: number;
  updatedAt: string;
}

export function createStatus({ workspace, workspaceFolder }: { workspace: string; workspaceFolder: string }): BuilderStatus {
  return {
    phase: 'starting',
    phases: {},
    workspace,
    workspaceFolder,
    cache: 'unknown',
    pid: process.pid,
    updatedAt: new Date().toISOString(),
  };
}

export async function writeStatusFile(path: string, status: BuilderStatus): Promise<void> {
  status.updatedAt = new Date().toISOString();
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 });
  await rename(tmp, path);
}

export async function readStatusFile(path: string): Promise<BuilderStatus> {
  return JSON.parse(await readFile(path, 'utf8')) as BuilderStatus;
}

/** Human form of the status, one fact per line. Pure. */
export function formatStatus(s: BuilderStatus): string {
  const lines = [`workspace ${s.workspace} (${s.workspaceFolder})`, `phase     ${s.phase}`];
  for (const [name, p] of Object.entries(s.phases)) {
    if (!p) continue;
    const d = p.durationMs === undefined ? '' : ` ${(p.durationMs / 1000).toFixed(1)} s`;
    lines.push(`  ${name.padEnd(10)} ${p.outcome}${d}`);
  }
  if (s.containerId) lines.push(`container ${s.containerId.slice(0, 12)}${s.reused ? ' (reused)' : ''}`);
  if (s.image) lines.push(`image     ${s.image}`);
  lines.push(`cache     ${s.cache}`);
  if (s.agent)
    lines.push(
      `agent     pid ${s.agent.pid} uid ${s.agent.uid} (${s.agent.mode} mode, ${s.agent.restarts} restart${s.agent.restarts === 1 ? '' : 's'})`,
    );
  if (s.hooks) {
    const h = s.hooks;
    const parts = [
      `waitFor ${h.waitFor}`,
      ...(['running', 'failed', 'skipped', 'pending', 'done'] as const).filter((k) => h[k].length).map((k) => `${k} ${h[k].join(', ')}`),
    ];
    lines.push(`hooks     ${parts.join('; ')}`);
  }
  if (s.extensions) lines.push(`ext       ${s.extensions.summary}`);
  if (s.fallback) lines.push(`fallback  ${s.fallback.image} (the ${s.fallback.phase} phase failed; see ${s.fallback.explanationFile})`);
  if (s.lastError)
    lines.push(`error     [${s.lastError.code}${s.lastError.phase ? ` in ${s.lastError.phase}` : ''}] ${s.lastError.message}`);
  lines.push(`updated   ${s.updatedAt}`);
  return lines.join('\n');
}
