// The content hash of everything that determines a devcontainer image: the prebuild tag.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { findDevcontainerConfigs, formatProblem, parseJsonc } from '@devcontainer-kit/devcontainer-config';
import { parseDockerfileSources } from './dockerfile-sources.js';
import { PrebuildCacheError } from './errors.js';
import { cleanPath, hasGlob, type IgnoreRule, isIgnored, parseDockerignore, patternToRegExp } from './patterns.js';

/** Bumped whenever what goes into the key changes, so old tags are never mistaken for new ones. */
export const CACHE_KEY_VERSION = 'devcontainer-kit/image-cache/v1';

export interface ComputeImageCacheKeyOptions {
  workspaceFolder: string;
  /** devcontainer.json, absolute or relative to the workspace; default `.devcontainer/devcontainer.json`, then `.devcontainer.json`. */
  configPath?: string;
}

export interface CacheKeyInput {
  /** What it is: the config, the Dockerfile, a context file, a local feature file, the lockfile, a remote ADD source, a compose file. */
  kind: 'config' | 'dockerfile' | 'context' | 'feature' | 'lockfile' | 'remote' | 'compose';
  /** Path relative to the workspace folder (or the URL for `remote`). */
  path: string;
  /** sha256 of the (normalised) content. */
  sha256: string;
}

export interface ImageCacheKey {
  /** 64 hex characters: usable as an image tag. */
  key: string;
  /** Every input, sorted; the key is the hash of these lines. */
  inputs: CacheKeyInput[];
  /** What the key cannot see (e.g. docker compose build contexts), for the log. */
  notes: string[];
  configFile: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Pure: JSON with object keys sorted (so formatting, comments and key order do not change the key). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Pure: the key from its inputs. */
export function hashCacheKeyInputs(inputs: readonly CacheKeyInput[]): string {
  const lines = inputs.map((i) => `${i.kind}\t${i.path}\t${i.sha256}`).sort();
  return sha256(`${CACHE_KEY_VERSION}\n${lines.join('\n')}\n`);
}

/** JSONC through devcontainer-config's parser; every syntax error is reported. */
function readJsonc(text: string, file: string): unknown {
  const parsed = parseJsonc(text, { file });
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0)
    throw new PrebuildCacheError(`${file} is not valid JSON with comments: ${errors.map((p) => formatProblem(p)).join('; ')}`, {
      code: 'config-invalid',
      subject: file,
    });
  return parsed.config;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function resolveConfigFile(workspaceFolder: string, configPath?: string): Promise<string> {
  if (configPath) {
    const file = isAbsolute(configPath) ? configPath : join(workspaceFolder, configPath);
    if (await exists(file)) return file;
    throw new PrebuildCacheError(`no devcontainer.json at ${file}`, { code: 'config-not-found', subject: file });
  }
  // The spec's locations, in devcontainer-config's order of precedence.
  const [first] = await findDevcontainerConfigs(workspaceFolder);
  if (first) return first;
  const where = join(workspaceFolder, '.devcontainer/devcontainer.json');
  throw new PrebuildCacheError(`no devcontainer.json at ${where} or ${join(workspaceFolder, '.devcontainer.json')}`, {
    code: 'config-not-found',
    subject: where,
  });
}

/** Hash of one file's content and executable bit (COPY keeps modes); a symlink hashes its target path. */
async function hashFile(path: string): Promise<string> {
  try {
    const info = await lstat(path);
    if (info.isSymbolicLink()) return sha256(`symlink:${await readlink(path)}`);
    return sha256(Buffer.concat([Buffer.from(info.mode & 0o111 ? 'x:' : '-:'), await readFile(path)]));
  } catch (cause) {
    throw new PrebuildCacheError(`cannot read ${path}: ${(cause as Error).message}`, { code: 'input-unreadable', subject: path, cause });
  }
}

/** Every file below `dir` (relative to `root`), skipping what the ignore rules exclude. */
async function walk(root: string, dir: string, rules: readonly IgnoreRule[]): Promise<string[]> {
  const out: string[] = [];
  const visit = async (abs: string) => {
    const rel = relative(root, abs).split('\\').join('/');
    if (rel && rules.length > 0 && isIgnored(rules, rel) && !rules.some((r) => r.negate)) return;
    let info: Awaited<ReturnType<typeof lstat>>;
    try {
      info = await lstat(abs);
    } catch {
      return;
    }
    if (info.isDirectory()) {
      for (const name of (await readdir(abs)).sort()) await visit(join(abs, name));
    } else if (!rel || !isIgnored(rules, rel)) out.push(rel);
  };
  await visit(dir);
  return out;
}

/** The context files a list of COPY/ADD sources reads (globs, directories, files), .dockerignore applied. */
async function contextFilesFor(context: string, sources: readonly string[], rules: readonly IgnoreRule[]): Promise<Set<string>> {
  const files = new Set<string>();
  let all: string[] | undefined;
  for (const source of sources) {
    const clean = cleanPath(source);
    if (hasGlob(clean)) {
      all ??= await walk(context, context, rules);
      const re = patternToRegExp(clean, { doubleStar: false });
      // A glob may name files or directories: a file matches itself or one of its parents.
      for (const f of all) {
        const parts = f.split('/');
        if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))) files.add(f);
      }
    } else {
      const abs = clean === '.' ? context : join(context, clean);
      for (const f of await walk(context, abs, rules)) files.add(f);
    }
  }
  return files;
}

/**
 * Computes the prebuild cache key of a devcontainer: sha256 over the parsed and normalised
 * devcontainer.json, the Dockerfile, the build-context files its COPY/ADD instructions read
 * (directories and globs expanded, .dockerignore respected; the whole context when a source uses
 * a variable), remote ADD sources by URL, local features' folders, and devcontainer-lock.json
 * (normalised; a lockfile without entries counts as none, since `devcontainer build` writes one).
 */
export async function computeImageCacheKey({ workspaceFolder, configPath }: ComputeImageCacheKeyOptions): Promise<ImageCacheKey> {
  const workspace = resolve(workspaceFolder);
  const configFile = await resolveConfigFile(workspace, configPath);
  const configDir = dirname(configFile);
  const rel = (abs: string) => relative(workspace, abs).split('\\').join('/') || '.';
  const inputs: CacheKeyInput[] = [];
  const notes: string[] = [];

  const config = readJsonc(await readFile(configFile, 'utf8'), configFile) as Record<string, unknown> | null;
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new PrebuildCacheError(`${configFile} is not a JSON object`, { code: 'config-invalid', subject: configFile });
  }
  inputs.push({ kind: 'config', path: rel(configFile), sha256: sha256(canonicalJson(config)) });

  // Dockerfile and its build context.
  const build = (config.build && typeof config.build === 'object' ? config.build : {}) as Record<string, unknown>;
  const dockerfileName = (build.dockerfile ?? config.dockerFile ?? config.dockerfile) as string | undefined;
  if (typeof dockerfileName === 'string') {
    const dockerfile = resolve(configDir, dockerfileName);
    const context = resolve(
      configDir,
      typeof (build.context ?? config.context) === 'string' ? ((build.context ?? config.context) as string) : '.',
    );
    let text: string;
    try {
      text = await readFile(dockerfile, 'utf8');
    } catch (cause) {
      throw new PrebuildCacheError(`cannot read the Dockerfile ${dockerfile}: ${(cause as Error).message}`, {
        code: 'input-unreadable',
        subject: dockerfile,
        cause,
      });
    }
    inputs.push({ kind: 'dockerfile', path: rel(dockerfile), sha256: sha256(text) });
    const ignoreFile = join(context, '.dockerignore');
    const rules = (await exists(ignoreFile)) ? parseDockerignore(await readFile(ignoreFile, 'utf8')) : [];
    const sources = parseDockerfileSources(text);
    for (const url of sources.remote) {
      inputs.push({ kind: 'remote', path: url, sha256: sha256(url) });
      notes.push(`ADD ${url}: hashed by URL, not by content`);
    }
    if (sources.wholeContextReason) notes.push(`${sources.wholeContextReason}: the whole build context is hashed`);
    const files = await contextFilesFor(context, sources.wholeContextReason ? ['.'] : sources.paths, rules);
    for (const f of [...files].sort()) {
      const abs = join(context, f);
      inputs.push({ kind: 'context', path: rel(abs), sha256: await hashFile(abs) });
    }
  }

  // docker compose: the compose files themselves (their build contexts are not followed).
  const compose = config.dockerComposeFile;
  for (const file of typeof compose === 'string' ? [compose] : Array.isArray(compose) ? compose : []) {
    if (typeof file !== 'string') continue;
    const abs = resolve(configDir, file);
    inputs.push({ kind: 'compose', path: rel(abs), sha256: await hashFile(abs) });
    notes.push(`${file}: the compose file is hashed, the build contexts it names are not`);
  }

  // Local features: every file of their folders.
  const features = config.features && typeof config.features === 'object' ? Object.keys(config.features) : [];
  for (const id of features.filter((f) => f.startsWith('./') || f.startsWith('../')).sort()) {
    const folder = resolve(configDir, id);
    const files = await walk(folder, folder, []);
    if (files.length === 0)
      throw new PrebuildCacheError(`local feature ${id} has no files at ${folder}`, { code: 'input-unreadable', subject: folder });
    for (const f of files) inputs.push({ kind: 'feature', path: rel(join(folder, f)), sha256: await hashFile(join(folder, f)) });
  }

  // The feature lockfile, next to the config.
  const lockfile = join(configDir, basename(configFile).startsWith('.') ? '.devcontainer-lock.json' : 'devcontainer-lock.json');
  if (await exists(lockfile)) {
    const lock = readJsonc(await readFile(lockfile, 'utf8'), lockfile) as { features?: Record<string, unknown> } | null;
    if (lock && typeof lock === 'object' && lock.features && Object.keys(lock.features).length > 0) {
      inputs.push({ kind: 'lockfile', path: rel(lockfile), sha256: sha256(canonicalJson(lock)) });
    }
  }

  inputs.sort((a, b) => (a.kind + a.path < b.kind + b.path ? -1 : 1));
  return { key: hashCacheKeyInputs(inputs), inputs, notes, configFile };
}
