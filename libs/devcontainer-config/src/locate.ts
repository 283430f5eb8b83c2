import { readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { DevcontainerConfigError } from './errors.js';
import { readLocalFeatures } from './feature-manifest.js';
import { resolveFeatureOrder } from './feature-order.js';
import { mkProblem, type ParseResult, parseDevcontainer } from './parse.js';
import { limitProblems } from './problem.js';
import { checkReferencedFiles } from './referenced-files.js';
import type { DevcontainerConfig, Problem } from './types.js';
import { validateDevcontainer } from './validate.js';

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Every devcontainer.json of a workspace, in the spec's order of precedence:
 * `.devcontainer/devcontainer.json`, `.devcontainer.json`, then `.devcontainer/<folder>/devcontainer.json` (folders sorted).
 * Absolute paths.
 */
export async function findDevcontainerConfigs(workspaceFolder: string): Promise<string[]> {
  const ws = resolve(workspaceFolder);
  const found: string[] = [];
  for (const candidate of [join(ws, '.devcontainer', 'devcontainer.json'), join(ws, '.devcontainer.json')]) {
    if (await isFile(candidate)) found.push(candidate);
  }
  let entries: string[] = [];
  try {
    entries = (await readdir(join(ws, '.devcontainer'), { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    // no .devcontainer folder
  }
  for (const dir of entries) {
    const candidate = join(ws, '.devcontainer', dir, 'devcontainer.json');
    if (await isFile(candidate)) found.push(candidate);
  }
  return found;
}

export interface ReadOptions {
  workspaceFolder: string;
  /** A config file (absolute, or relative to the workspace folder). Default: the first one findDevcontainerConfigs lists. */
  configPath?: string;
}

export interface ReadResult {
  /** Absolute path of the config file. */
  file: string;
  text: string;
  /** The config as written (no substitution); undefined when it cannot be parsed into an object. */
  config: DevcontainerConfig | undefined;
  /** Syntax and rule problems, sorted by position. */
  problems: Problem[];
}

/** Locate, read, parse and validate a workspace's devcontainer.json. Throws DevcontainerConfigError (CONFIG_NOT_FOUND, READ_FAILED). */
export async function readDevcontainer({ workspaceFolder, configPath }: ReadOptions): Promise<ReadResult> {
  let file: string;
  if (configPath !== undefined) {
    file = isAbsolute(configPath) ? configPath : resolve(workspaceFolder, configPath);
  } else {
    const all = await findDevcontainerConfigs(workspaceFolder);
    if (all.length === 0) {
      throw new DevcontainerConfigError(
        'CONFIG_NOT_FOUND',
        `no devcontainer.json in ${resolve(workspaceFolder)} (looked for .devcontainer/devcontainer.json, .devcontainer.json, .devcontainer/*/devcontainer.json)`,
        { path: resolve(workspaceFolder) },
      );
    }
    file = all[0] as string;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'CONFIG_NOT_FOUND' : 'READ_FAILED';
    throw new DevcontainerConfigError(code, `cannot read ${file}: ${(cause as Error).message}`, { cause, path: file });
  }
  const parsed = parseDevcontainer(text, { file });
  return { file, text, config: parsed.config, problems: await checkDevcontainer(parsed) };
}

/**
 * validateDevcontainer plus the checks that read files next to the config: the Dockerfile, build context and compose
 * files exist; local features (manifest, install.sh, options); feature dependency cycles. Sorted by file and position.
 */
export async function checkDevcontainer(parsed: ParseResult): Promise<Problem[]> {
  const problems = validateDevcontainer(parsed);
  const config = parsed.config;
  if (config === undefined) return problems;
  problems.push(...(await checkReferencedFiles(parsed)));
  const local = await readLocalFeatures({ configFile: parsed.file, config, parsed });
  problems.push(...local.problems);
  const features = config.features;
  if (features !== null && typeof features === 'object' && !Array.isArray(features)) {
    const manifests = new Map(local.features.map((f) => [f.id, f.manifest]));
    const { issues } = resolveFeatureOrder({ features: features as Record<string, unknown>, getManifest: (id) => manifests.get(id) });
    for (const i of issues) {
      if (i.code !== 'feature-dependency-cycle') continue;
      const loc = parsed.positions.key(['features', i.features[0] as string]) ?? parsed.positions.nearest(['features']);
      problems.push(mkProblem(parsed.file, loc, 'error', i.code, i.message));
    }
  }
  return limitProblems(
    problems.sort(
      (a, b) =>
        (a.file === b.file ? 0 : a.file === parsed.file ? -1 : b.file === parsed.file ? 1 : a.file.localeCompare(b.file)) ||
        a.line - b.line ||
        a.column - b.column,
    ),
  );
}
