import { readFile, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { defineCommand } from 'citty';
import { complianceReport } from './compliance.js';
import { computeDevcontainerId, devcontainerIdLabels } from './devcontainer-id.js';
import { DevcontainerConfigError } from './errors.js';
import { readLocalFeatures } from './feature-manifest.js';
import { resolveFeatureOrder } from './feature-order.js';
import { checkDevcontainer, findDevcontainerConfigs } from './locate.js';
import { mergeWithImageMetadata } from './metadata.js';
import { migrateDeprecatedProperties } from './normalize.js';
import { type ParseResult, parseDevcontainer } from './parse.js';
import { formatProblem, hasErrors } from './problem.js';
import type { DevcontainerConfig, Problem } from './types.js';
import { validateDevcontainer } from './validate.js';
import { substituteVariables } from './variables.js';

/** The CLI's I/O, injectable for in-process tests. */
export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (colour in help) and its width (help wrapping). */
  isTTY?: boolean;
  columns?: number;
}

interface Target {
  /** Absolute config file. */
  file: string;
  /** Absolute workspace folder. */
  workspace: string;
}

/** A path that is a config file, or a workspace folder (→ its configs; `all` → every one, else the first). */
async function resolveTargets(
  path: string | undefined,
  { all, configPath, cwd }: { all: boolean; configPath?: string | undefined; cwd: string },
): Promise<Target[]> {
  const abs = resolve(cwd, path ?? '.');
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(abs);
  } catch (cause) {
    throw new DevcontainerConfigError('CONFIG_NOT_FOUND', `no such file or folder: ${abs}`, { cause, path: abs });
  }
  if (st.isFile()) return [{ file: abs, workspace: workspaceOf(abs) }];
  if (configPath !== undefined) return [{ file: resolve(abs, configPath), workspace: abs }];
  const found = await findDevcontainerConfigs(abs);
  if (found.length === 0) {
    throw new DevcontainerConfigError(
      'CONFIG_NOT_FOUND',
      `no devcontainer.json in ${abs} (looked for .devcontainer/devcontainer.json, .devcontainer.json, .devcontainer/*/devcontainer.json)`,
      { path: abs },
    );
  }
  return (all ? found : found.slice(0, 1)).map((file) => ({ file, workspace: abs }));
}

/** The workspace of a config file: the folder holding `.devcontainer/` (or `.devcontainer.json`). */
function workspaceOf(file: string): string {
  const parts = file.split('/');
  const i = parts.lastIndexOf('.devcontainer');
  if (i > 0) return parts.slice(0, i).join('/') || '/';
  return dirname(file);
}

async function load(target: Target): Promise<ParseResult> {
  let text: string;
  try {
    text = await readFile(target.file, 'utf8');
  } catch (cause) {
    throw new DevcontainerConfigError(
      (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'CONFIG_NOT_FOUND' : 'READ_FAILED',
      `cannot read ${target.file}: ${(cause as Error).message}`,
      { cause, path: target.file },
    );
  }
  return parseDevcontainer(text, { file: target.file });
}

const common = {
  config: { type: 'string', description: 'config file inside the workspace (default: the first one the spec finds)', valueHint: 'PATH' },
  json: { type: 'boolean', description: 'one JSON document on stdout', default: false },
} as const;

/** Build the command tree; each command stores its exit code in `state.code`. */
export function createMainCommand(io: CliIo, state: { code: number } = { code: 0 }) {
  const validate = defineCommand({
    meta: { name: 'validate', description: 'Validate devcontainer.json files: exit 0 valid, 1 invalid or unreadable, 2 usage error' },
    args: {
      path: { type: 'positional', required: false, description: 'config files or workspace folders (default: .)' },
      strict: { type: 'boolean', description: 'warnings make it invalid too', default: false },
      ...common,
    },
    async run({ args }) {
      const paths = args._.length > 0 ? args._ : ['.'];
      const targets: Target[] = [];
      for (const p of paths)
        targets.push(...(await resolveTargets(p, { all: args.config === undefined, configPath: args.config, cwd: io.cwd })));
      const files: Array<{ file: string; problems: Problem[] }> = [];
      for (const t of targets) files.push({ file: t.file, problems: await checkDevcontainer(await load(t)) });
      const all = files.flatMap((f) => f.problems);
      const valid = !hasErrors(all, { strict: args.strict });
      if (args.json) {
        const count = (s: string) => all.filter((p) => p.severity === s).length;
        io.stdout(`${JSON.stringify({ valid, errors: count('error'), warnings: count('warning'), files })}\n`);
      } else {
        for (const p of all) io.stdout(`${formatProblem(p)}\n`);
        const errors = all.filter((p) => p.severity === 'error').length;
        io.stderr(`${files.length} file(s): ${errors} error(s), ${all.length - errors} warning(s)${valid ? '' : ' — invalid'}\n`);
      }
      state.code = valid ? 0 : 1;
    },
  });

  const read = defineCommand({
    meta: { name: 'read', description: 'Print the resolved configuration (JSON)' },
    args: {
      workspace: { type: 'positional', required: false, description: 'workspace folder or config file (default: .)' },
      substitute: {
        type: 'boolean',
        description: 'substitute ${localEnv:…}, ${localWorkspaceFolder}, ${devcontainerId}, …',
        default: false,
      },
      'merged-with-image-metadata': {
        type: 'string',
        description: 'file with the devcontainer.metadata label (or `docker inspect` output)',
        valueHint: 'FILE',
      },
      ...common,
    },
    async run({ args }) {
      const [target] = await resolveTargets(args.workspace, { all: false, configPath: args.config, cwd: io.cwd });
      const t = target as Target;
      const parsed = await load(t);
      const problems = validateDevcontainer(parsed);
      for (const p of problems) io.stderr(`${formatProblem(p)}\n`);
      if (parsed.config === undefined) {
        state.code = 1;
        return;
      }
      let config: DevcontainerConfig = parsed.config;
      const devcontainerId = computeDevcontainerId(devcontainerIdLabels({ localWorkspaceFolder: t.workspace, configFile: t.file }));
      config = migrateDeprecatedProperties(config);
      if (args.substitute) config = substituteVariables({ config, localWorkspaceFolder: t.workspace, env: io.env, devcontainerId });
      let merged: DevcontainerConfig | undefined;
      const metaFile = args['merged-with-image-metadata'];
      if (metaFile !== undefined) {
        const features = await localFeatureManifestsInOrder(parsed.file, config);
        merged = mergeWithImageMetadata(config, await readMetadataFile(resolve(io.cwd, metaFile)), { features });
      }
      if (args.json) {
        io.stdout(
          `${JSON.stringify({ file: t.file, workspaceFolder: t.workspace, devcontainerId, configuration: config, ...(merged ? { mergedConfiguration: merged } : {}), problems })}\n`,
        );
      } else io.stdout(`${JSON.stringify(merged ?? config, null, 2)}\n`);
      // Printed best-effort; an invalid config still fails.
      state.code = hasErrors(problems) ? 1 : 0;
    },
  });

  /**
   * One config with its parse problems on stderr (report, features-order). Undefined when unparsable; `syntaxErrors`
   * when the text has errors but still gave an object (the command prints what it can, then exits 1).
   */
  async function loadOne(args: { workspace?: string; config?: string }) {
    const [target] = await resolveTargets(args.workspace, { all: false, configPath: args.config, cwd: io.cwd });
    const parsed = await load(target as Target);
    for (const p of parsed.problems) io.stderr(`${formatProblem(p)}\n`);
    state.code = 1;
    if (parsed.config === undefined) return undefined;
    return { parsed: parsed as ParseResult & { config: NonNullable<ParseResult['config']> }, syntaxErrors: hasErrors(parsed.problems) };
  }

  const report = defineCommand({
    meta: { name: 'report', description: 'How devcontainer-kit on Kubernetes treats each property the config uses' },
    args: { workspace: { type: 'positional', required: false, description: 'workspace folder or config file (default: .)' }, ...common },
    async run({ args }) {
      const loaded = await loadOne(args);
      if (!loaded) return;
      const { parsed, syntaxErrors } = loaded;
      const rep = complianceReport(parsed);
      if (args.json) io.stdout(`${JSON.stringify(rep)}\n`);
      else {
        for (const e of rep.entries)
          io.stdout(`${rep.file}:${e.line}:${e.column}: ${e.status} ${e.property}${e.note ? `: ${e.note}` : ''}\n`);
        io.stderr(
          `${rep.counts.honoured} honoured, ${rep.counts.caveat} with a caveat, ${rep.counts.ignored} ignored, ${rep.counts.unknown} unknown\n`,
        );
      }
      state.code = syntaxErrors ? 1 : 0;
    },
  });

  const featuresOrder = defineCommand({
    meta: { name: 'features-order', description: 'The feature install order (dependsOn, installsAfter, overrideFeatureInstallOrder)' },
    args: { workspace: { type: 'positional', required: false, description: 'workspace folder or config file (default: .)' }, ...common },
    async run({ args }) {
      const loaded = await loadOne(args);
      if (!loaded) return;
      const { parsed, syntaxErrors } = loaded;
      const raw = parsed.config.features;
      const features = (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
      const local = await readLocalFeatures({ configFile: parsed.file, config: parsed.config, parsed });
      for (const p of local.problems) io.stderr(`${formatProblem(p)}\n`);
      const manifests = new Map(local.features.map((f) => [f.id, f.manifest]));
      const order = stringsOf(parsed.config.overrideFeatureInstallOrder);
      const result = resolveFeatureOrder({ features, overrideFeatureInstallOrder: order, getManifest: (id) => manifests.get(id) });
      for (const i of result.issues) io.stderr(`${parsed.file}: ${i.severity} ${i.code}: ${i.message}\n`);
      const unknown = result.order.filter((f) => !f.metadataKnown).map((f) => f.id);
      if (unknown.length > 0)
        io.stderr(`note: no metadata for ${unknown.join(', ')} (not local): their own dependsOn/installsAfter are not known offline\n`);
      if (args.json) io.stdout(`${JSON.stringify(result)}\n`);
      else for (const f of result.order) io.stdout(`${f.id}${f.addedBy ? ` (dependsOn of ${f.addedBy})` : ''}\n`);
      state.code = syntaxErrors || result.issues.some((i) => i.severity === 'error') ? 1 : 0;
    },
  });

  return defineCommand({
    meta: { name: 'devcontainer-config', description: 'Parse, validate and report on devcontainer.json' },
    subCommands: { validate, read, report, 'features-order': featuresOrder },
  });
}

/** Manifests of the config's local features, in install order (remote features cannot be read offline). */
async function localFeatureManifestsInOrder(configFile: string, config: DevcontainerConfig): Promise<Record<string, unknown>[]> {
  const features = config.features;
  if (features === null || typeof features !== 'object' || Array.isArray(features)) return [];
  const local = await readLocalFeatures({ configFile, config });
  const manifests = new Map(local.features.map((f) => [f.id, f.manifest]));
  const order = stringsOf(config.overrideFeatureInstallOrder);
  const { order: ordered } = resolveFeatureOrder({
    features: features as Record<string, unknown>,
    overrideFeatureInstallOrder: order,
    getManifest: (id) => manifests.get(id),
  });
  return ordered.map((f) => manifests.get(f.id)).filter((m): m is NonNullable<typeof m> => m !== undefined) as Record<string, unknown>[];
}

/** The strings of an array value (overrideFeatureInstallOrder as written may hold anything). */
function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

async function readMetadataFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new DevcontainerConfigError('READ_FAILED', `cannot read ${file}: ${(cause as Error).message}`, { cause, path: file });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new DevcontainerConfigError('INVALID_METADATA_LABEL', `${file} is not JSON`, { cause, path: file });
  }
  // `docker inspect` output: [{ Config: { Labels: { "devcontainer.metadata": "…" } } }]
  const labels = (Array.isArray(value) ? (value[0] as { Config?: { Labels?: Record<string, string> } } | undefined) : undefined)?.Config
    ?.Labels;
  if (labels) return labels['devcontainer.metadata'];
  return value;
}
