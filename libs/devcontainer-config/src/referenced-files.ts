import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { mkProblem, type ParseResult } from './parse.js';
import type { JsonPath, Problem } from './types.js';

async function kind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/**
 * Files a config points at must exist: the Dockerfile (`build.dockerfile` / `dockerFile`), the build context folder
 * (`build.context` / `context`) and every `dockerComposeFile` — all relative to the config's folder.
 * Values with variables are skipped (they resolve at build time).
 */
export async function checkReferencedFiles(parsed: ParseResult): Promise<Problem[]> {
  const config = parsed.config;
  if (config === undefined) return [];
  const base = dirname(parsed.file);
  const problems: Problem[] = [];
  const check = async (path: JsonPath, value: unknown, want: 'file' | 'dir', what: string) => {
    if (typeof value !== 'string' || value === '' || value.includes('${')) return;
    const abs = resolve(base, value);
    const found = await kind(abs);
    if (found === want) return;
    const loc = parsed.positions.get(path) ?? parsed.positions.nearest(path);
    const message =
      found === undefined
        ? `${what} "${value}" does not exist (${abs})`
        : `${what} "${value}" is a ${found === 'dir' ? 'folder' : 'file'} (${abs})`;
    problems.push(mkProblem(parsed.file, loc, 'error', 'file-not-found', message));
  };
  const build = config.build !== null && typeof config.build === 'object' ? (config.build as Record<string, unknown>) : {};
  await check(['build', 'dockerfile'], build.dockerfile, 'file', 'Dockerfile');
  await check(['build', 'context'], build.context, 'dir', 'build context');
  await check(['dockerFile'], config.dockerFile, 'file', 'Dockerfile');
  await check(['context'], config.context, 'dir', 'build context');
  const compose = config.dockerComposeFile;
  if (typeof compose === 'string') await check(['dockerComposeFile'], compose, 'file', 'compose file');
  else if (Array.isArray(compose))
    for (let i = 0; i < compose.length; i++) await check(['dockerComposeFile', i], compose[i], 'file', 'compose file');
  return problems;
}
