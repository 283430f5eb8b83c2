// The config phase: locate and validate devcontainer.json (devcontainer-config), and hash what
// decides the container's image so a restart knows when to rebuild.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { formatProblem, readDevcontainer } from '@devcontainer-kit/devcontainer-config';
import { BuilderError } from './errors.js';
import type { PhaseLog } from './phase-log.js';

export interface ConfigStepResult {
  file: string;
  config: Record<string, unknown>;
  /** sha256 over devcontainer.json, its Dockerfile and local features. */
  configHash: string;
  /** Files that went into the hash (relative to the workspace folder). */
  hashedFiles: string[];
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Paths that decide the image: the config, its Dockerfile, local feature folders. Pure apart from fs reads. */
export async function computeConfigHash({
  file,
  config,
  workspaceFolder,
}: {
  file: string;
  config: Record<string, unknown>;
  workspaceFolder: string;
}): Promise<{ hash: string; files: string[] }> {
  const dir = dirname(file);
  const files = [file];
  const build = (config.build ?? {}) as { dockerfile?: string; context?: string };
  const dockerfile = build.dockerfile ?? (config.dockerFile as string | undefined);
  if (typeof dockerfile === 'string') files.push(resolve(dir, dockerfile));
  const features = (config.features ?? {}) as Record<string, unknown>;
  for (const id of Object.keys(features).sort()) {
    if (id.startsWith('./') || id.startsWith('../')) {
      try {
        files.push(...(await filesUnder(resolve(dir, id))));
      } catch {}
    }
  }
  const h = createHash('sha256');
  const listed: string[] = [];
  for (const f of files) {
    const rel = relative(workspaceFolder, f);
    try {
      if (!(await stat(f)).isFile()) continue;
      h.update(`${rel}\0`);
      h.update(await readFile(f));
      h.update('\0');
      listed.push(rel);
    } catch {
      h.update(`${rel}\0missing\0`);
    }
  }
  return { hash: h.digest('hex'), files: listed };
}

export async function runConfigStep({
  workspaceFolder,
  configPath,
  log,
}: {
  workspaceFolder: string;
  configPath: string | undefined;
  log: PhaseLog;
}): Promise<ConfigStepResult> {
  let read: Awaited<ReturnType<typeof readDevcontainer>>;
  try {
    read = await readDevcontainer({ workspaceFolder, ...(configPath ? { configPath } : {}) });
  } catch (error) {
    throw new BuilderError(`no devcontainer.json: ${(error as Error).message}`, { code: 'config-invalid', phase: 'config', cause: error });
  }
  const rel = relative(workspaceFolder, read.file);
  const shown = read.problems.map((p) => ({ ...p, file: relative(workspaceFolder, p.file) || p.file }));
  for (const p of shown) log.write(formatProblem(p), p.severity === 'error' ? 'error' : 'warn');
  const errors = shown.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !read.config) {
    throw new BuilderError(`${rel} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'})`, {
      code: 'config-invalid',
      phase: 'config',
      details: errors.map((p) => formatProblem(p)),
    });
  }
  const config = read.config as Record<string, unknown>;
  const { hash, files } = await computeConfigHash({ file: read.file, config, workspaceFolder });
  log.write(
    `${rel} is valid${shown.length ? ` (${shown.length} warning${shown.length === 1 ? '' : 's'})` : ''}; image inputs ${files.join(', ')} → ${hash.slice(0, 12)}`,
    'info',
  );
  return { file: read.file, config, configHash: hash, hashedFiles: files };
}
