import { access, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Node } from 'jsonc-parser';
import { lifecycleCommandSchema, mountObjectSchema } from './devcontainer-schema.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import type { FeatureOrderManifest } from './feature-order.js';
import { parseFeatureReference } from './feature-reference.js';
import { mkProblem, type ParseResult, parseJsonc } from './parse.js';
import { limitProblems } from './problem.js';
import { checkNode, IssueSink, S } from './schema.js';
import type { DevcontainerConfig, Problem } from './types.js';
import { topLevel } from './validate.js';

const optionSchema = S.obj(
  {
    type: S.str({ enum: ['boolean', 'string'] }),
    default: S.union(S.str(), S.bool()),
    description: S.str(),
    proposals: S.arr(S.str()),
    enum: S.arr(S.str()),
  },
  { required: ['type', 'default'] },
);

/** devcontainer-feature.json properties (the Features spec). */
export const featureManifestSchema = S.obj(
  {
    $schema: S.str(),
    id: S.str({ pattern: /^[a-zA-Z0-9_.-]+$/, format: 'letters, digits, "_", "-" or "."' }),
    version: S.str({ pattern: /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$/, format: 'a semantic version such as "1.2.3"' }),
    name: S.str(),
    description: S.str(),
    documentationURL: S.str(),
    licenseURL: S.str(),
    keywords: S.arr(S.str()),
    options: S.map(optionSchema),
    containerEnv: S.map(S.str()),
    privileged: S.bool(),
    init: S.bool(),
    capAdd: S.arr(S.str()),
    securityOpt: S.arr(S.str()),
    entrypoint: S.str(),
    mounts: S.arr(S.union(S.str(), mountObjectSchema)),
    customizations: S.map(S.any()),
    dependsOn: S.map(S.union(S.obj({}, { additional: S.union(S.str(), S.bool(), S.num()) }), S.str(), S.bool())),
    installsAfter: S.arr(S.str()),
    legacyIds: S.arr(S.str()),
    deprecated: S.bool(),
    onCreateCommand: lifecycleCommandSchema,
    updateContentCommand: lifecycleCommandSchema,
    postCreateCommand: lifecycleCommandSchema,
    postStartCommand: lifecycleCommandSchema,
    postAttachCommand: lifecycleCommandSchema,
  },
  // The spec lists "version" as required; the devcontainer CLI installs local features without one (and
  // devcontainers/images builds such features), so a missing version is a warning (see validateFeatureManifest).
  { required: ['id'] },
);

export interface FeatureManifest extends FeatureOrderManifest {
  id: string;
  /** Required by the spec, optional for the devcontainer CLI (a warning when missing). */
  version?: string;
  name?: string;
  options?: Record<
    string,
    { type: 'boolean' | 'string'; default: string | boolean; enum?: string[]; proposals?: string[]; description?: string }
  >;
  [key: string]: unknown;
}

export interface FeatureManifestResult {
  manifest: FeatureManifest | undefined;
  problems: Problem[];
  parsed: ParseResult;
}

/** Parse and validate a devcontainer-feature.json. `folderName`: the feature's folder (its id should match). */
export function validateFeatureManifest(
  text: string,
  { file = 'devcontainer-feature.json', folderName }: { file?: string; folderName?: string } = {},
): FeatureManifestResult {
  const parsed = parseJsonc(text, { file });
  const problems = [...parsed.problems];
  const root = parsed.tree;
  const at = (node: Node, severity: 'error' | 'warning', code: Problem['code'], message: string) =>
    problems.push(mkProblem(file, parsed.positions.locate(node.offset, node.length), severity, code, message));
  if (root === undefined) return { manifest: undefined, problems, parsed };
  if (root.type !== 'object') {
    at(root, 'error', 'root-not-object', 'the top level must be an object');
    return { manifest: undefined, problems, parsed };
  }
  const issues = new IssueSink();
  checkNode(root, featureManifestSchema, '', issues, { rootName: 'the feature manifest' });
  for (const i of issues.issues) at(i.node, i.severity, i.code, i.message);
  const props = topLevel(root);
  if (!props.has('version')) {
    at(
      root,
      'warning',
      'missing-required',
      'the feature manifest has no "version" (the spec requires one; the devcontainer CLI installs the feature without it)',
    );
  }
  const id = props.get('id')?.value;
  if (folderName !== undefined && id?.type === 'string' && id.value !== folderName) {
    at(id, 'warning', 'feature-id-mismatch', `feature id "${id.value}" differs from its folder name "${folderName}"`);
  }
  const options = props.get('options')?.value;
  if (options?.type === 'object') {
    for (const [name, { value: opt }] of topLevel(options)) {
      if (opt.type !== 'object') continue;
      const o = topLevel(opt);
      const type = o.get('type')?.value.value;
      const def = o.get('default')?.value;
      if (def && type !== undefined && typeof def.value !== type) {
        at(def, 'error', 'invalid-feature-option', `options.${name}.default must be a ${type} (the option's type)`);
      }
      const en = o.get('enum')?.value;
      if (type === 'boolean' && (en || o.has('proposals')))
        at(
          (en ?? o.get('proposals')?.value) as Node,
          'warning',
          'invalid-feature-option',
          `options.${name}: enum/proposals only apply to string options`,
        );
      if (en?.type === 'array' && def?.type === 'string' && !(en.children ?? []).some((c) => c.value === def.value)) {
        at(def, 'error', 'invalid-feature-option', `options.${name}.default "${def.value}" is not one of its enum values`);
      }
    }
  }
  const deps = props.get('dependsOn')?.value;
  if (deps?.type === 'object') {
    for (const p of deps.children ?? []) {
      const key = p.children?.[0];
      if (!key) continue;
      const r = parseFeatureReference(key.value as string);
      if (!r.ok) at(key, 'error', 'invalid-feature-reference', r.message);
    }
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  const limited = limitProblems(problems, { alreadyHidden: issues.hidden });
  const ok = !limited.some((p) => p.severity === 'error');
  return { manifest: ok || parsed.config ? (parsed.config as FeatureManifest) : undefined, problems: limited, parsed };
}

export interface LocalFeature {
  /** The id as written in devcontainer.json. */
  id: string;
  folder: string;
  manifest: FeatureManifest | undefined;
}

export interface ReadLocalFeaturesResult {
  features: LocalFeature[];
  problems: Problem[];
}

/**
 * Read and validate every local feature (`./name`) of a config: the folder must be inside the config's folder,
 * have a devcontainer-feature.json and an install.sh; options given in devcontainer.json are checked against the manifest.
 * `parsed` (the devcontainer.json parse result) gives positions to the problems.
 */
export async function readLocalFeatures({
  configFile,
  config,
  parsed,
}: {
  configFile: string;
  config: DevcontainerConfig;
  parsed?: ParseResult;
}): Promise<ReadLocalFeaturesResult> {
  const features: LocalFeature[] = [];
  const problems: Problem[] = [];
  const configDir = dirname(configFile);
  const raw = config.features;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { features, problems };
  const where = (path: (string | number)[], key = false) => {
    const loc = parsed
      ? ((key ? parsed.positions.key(path) : parsed.positions.get(path)) ?? parsed.positions.nearest(path))
      : { line: 1, column: 1, offset: 0, length: 0 };
    return loc;
  };
  for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
    const r = parseFeatureReference(id);
    if (!r.ok || r.ref.kind !== 'local') continue;
    const folder = resolve(configDir, r.ref.path);
    const rel = relative(configDir, folder);
    if (rel.startsWith('..') || rel === '' || rel.startsWith(sep)) {
      problems.push(
        mkProblem(
          configFile,
          where(['features', id], true),
          'error',
          'local-feature-outside-devcontainer',
          `local feature "${id}" must be a folder inside ${configDir}`,
        ),
      );
      continue;
    }
    const manifestFile = join(folder, 'devcontainer-feature.json');
    let text: string;
    try {
      text = await readFile(manifestFile, 'utf8');
    } catch {
      problems.push(
        mkProblem(
          configFile,
          where(['features', id], true),
          'error',
          'feature-manifest-not-found',
          `local feature "${id}" has no ${manifestFile}`,
        ),
      );
      features.push({ id, folder, manifest: undefined });
      continue;
    }
    try {
      await access(join(folder, 'install.sh'));
    } catch {
      problems.push(
        mkProblem(
          configFile,
          where(['features', id], true),
          'error',
          'feature-install-script-missing',
          `local feature "${id}" has no install.sh`,
        ),
      );
    }
    const v = validateFeatureManifest(text, { file: manifestFile, folderName: r.ref.name });
    problems.push(...v.problems);
    features.push({ id, folder, manifest: v.manifest });
    // Options given in devcontainer.json against the manifest's options.
    const declared = v.manifest?.options;
    if (declared && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const declaredNames = Object.keys(declared);
      for (const [name, given] of Object.entries(value as Record<string, unknown>)) {
        const spec = Object.hasOwn(declared, name) ? declared[name] : undefined;
        if (spec === undefined) {
          problems.push(
            mkProblem(
              configFile,
              where(['features', id, name], true),
              'warning',
              'unknown-feature-option',
              // Edit distance to every declared option: only for manifests of a plausible size (it is quadratic).
              `feature "${id}" has no option "${name}"${declaredNames.length <= 200 ? didYouMeanSuffix(name, declaredNames) : ''}`,
            ),
          );
          continue;
        }
        if (spec.type === 'boolean' && typeof given !== 'boolean' && given !== 'true' && given !== 'false') {
          problems.push(
            mkProblem(
              configFile,
              where(['features', id, name]),
              'error',
              'invalid-feature-option',
              `option "${name}" of feature "${id}" must be a boolean`,
            ),
          );
        } else if (spec.type === 'string' && spec.enum && !spec.enum.includes(String(given))) {
          problems.push(
            mkProblem(
              configFile,
              where(['features', id, name]),
              'error',
              'invalid-feature-option',
              `option "${name}" of feature "${id}" must be one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}${didYouMeanSuffix(String(given), spec.enum)}`,
            ),
          );
        }
      }
    }
  }
  return { features, problems };
}
