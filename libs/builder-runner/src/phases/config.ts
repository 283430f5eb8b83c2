// config: locate and validate devcontainer.json (devcontainer-config; every problem as
// file:line:col), and hash what decides the container's image so a restart knows when to rebuild.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { formatProblem, readDevcontainer } from '@devcontainer-kit/devcontainer-config';
import { composeFilePaths } from '../compose.js';
import { BuilderError } from '../errors.js';
import { describeLocalEnv, localEnvFor } from '../local-env.js';
import type { ConfigResult, PhaseContext } from './context.js';

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** sha256 over the config, its Dockerfile and local feature folders (paths relative to the workspace). */
export async function computeConfigHash(o: { file: string; config: Record<string, unknown>; workspaceFolder: string }): Promise<{
  hash: string;
  files: string[];
}> {
  const dir = dirname(o.file);
  const files = [o.file];
  const build = (o.config.build ?? {}) as { dockerfile?: string };
  const dockerfile = build.dockerfile ?? (o.config.dockerFile as string | undefined);
  if (typeof dockerfile === 'string') files.push(resolve(dir, dockerfile));
  // Compose configs: the compose files decide the containers (a changed one rebuilds).
  files.push(...composeFilePaths(o.config, o.file));
  for (const id of Object.keys((o.config.features ?? {}) as Record<string, unknown>).sort()) {
    if (id.startsWith('./') || id.startsWith('../')) files.push(...(await filesUnder(resolve(dir, id)).catch(() => [])));
  }
  const h = createHash('sha256');
  const listed: string[] = [];
  for (const f of files) {
    const rel = relative(o.workspaceFolder, f);
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

export async function runConfigPhase(ctx: PhaseContext): Promise<void> {
  const { workspaceFolder, configPath } = ctx.settings;
  let read: Awaited<ReturnType<typeof readDevcontainer>>;
  try {
    read = await readDevcontainer({ workspaceFolder, ...(configPath ? { configPath } : {}) });
  } catch (error) {
    throw new BuilderError(`no devcontainer.json: ${(error as Error).message}`, { code: 'config-invalid', phase: 'config', cause: error });
  }
  const rel = relative(workspaceFolder, read.file);
  const shown = read.problems.map((p) => ({ ...p, file: relative(workspaceFolder, p.file) || p.file }));
  for (const p of shown) ctx.log.write(formatProblem(p), p.severity === 'error' ? 'error' : 'warn');
  const errors = shown.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !read.config)
    throw new BuilderError(`${rel} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'})`, {
      code: 'config-invalid',
      phase: 'config',
      details: errors.map((p) => formatProblem(p)),
    });
  const config = read.config as Record<string, unknown>;
  const { hash, files } = await computeConfigHash({ file: read.file, config, workspaceFolder });
  ctx.log.write(
    `${rel} is valid${shown.length ? ` (${shown.length} warning${shown.length === 1 ? '' : 's'})` : ''}; image inputs ${files.join(', ')} → ${hash.slice(0, 12)}`,
    'info',
  );
  const result: ConfigResult = { file: read.file, config, configHash: hash, hashedFiles: files };
  ctx.state.config = result;
  const localEnv = localEnvFor({ config, env: ctx.localEnv });
  for (const { text, level } of describeLocalEnv(localEnv)) ctx.log.write(text, level);
  ctx.state.localEnv = localEnv.vars;
}
