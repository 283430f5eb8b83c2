import type { Node } from 'jsonc-parser';
import { coderCustomizationSchema, devcontainerSchema, vscodeCustomizationSchema } from './devcontainer-schema.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { featureResource, parseFeatureReference } from './feature-reference.js';
import { parseImageReference } from './image-reference.js';
import { parseMountString } from './mounts.js';
import { mkProblem, type ParseResult } from './parse.js';
import { limitProblems, PROBLEM_LIMIT } from './problem.js';
import { checkNode, IssueSink, pathString } from './schema.js';
import type { Problem, ProblemCode, Severity } from './types.js';
import { checkVariable, findVariables } from './variables.js';

/** Properties that only apply to Docker Compose configurations. */
const COMPOSE_ONLY = ['service', 'runServices'];
/** Properties a Compose configuration ignores (the compose file decides). */
const IGNORED_WITH_COMPOSE = ['image', 'build', 'dockerFile', 'context', 'appPort', 'runArgs', 'workspaceMount'];

/**
 * Every problem of a parsed devcontainer.json: the parse problems plus every rule of the spec
 * (types, enums, image/Dockerfile/Compose exclusivity, unknown and deprecated properties, mounts,
 * variables, feature references). Never stops at the first one. Sorted by position.
 */
export function validateDevcontainer(parsed: ParseResult): Problem[] {
  const problems: Problem[] = [...parsed.problems];
  const root = parsed.tree;
  if (root === undefined || root.type !== 'object') return sortByPosition(problems);
  const issues = new IssueSink();
  // Beyond twice the limit (limitProblems keeps the first PROBLEM_LIMIT by position), problems are only counted.
  const at = (node: Node, severity: Severity, code: ProblemCode, message: string) => {
    if (problems.length >= 2 * PROBLEM_LIMIT) issues.drop(severity);
    else problems.push(mkProblem(parsed.file, parsed.positions.locate(node.offset, node.length), severity, code, message));
  };

  // Variables in every string value, checked during the schema walk (one pass over the tree).
  const onString = (node: Node, stack: ReadonlyArray<string | number>) => {
    const value = node.value as string;
    if (!value.includes('${')) return;
    for (const ref of findVariables(value)) {
      const issue = checkVariable(ref, stack[0] as string);
      if (issue && problems.length >= PROBLEM_LIMIT) issues.drop(issue.severity);
      else if (issue) {
        problems.push(
          mkProblem(
            parsed.file,
            parsed.positions.locate(node.offset + 1 + ref.index, ref.text.length),
            issue.severity,
            issue.code,
            issue.message,
          ),
        );
      }
    }
  };
  checkNode(root, devcontainerSchema, '', issues, { onString });

  const props = topLevel(root);
  const value = (k: string) => props.get(k)?.value;
  const keyOf = (k: string) => props.get(k)?.key as Node;

  // customizations.vscode / customizations.coder
  const customizations = value('customizations');
  if (customizations?.type === 'object') {
    const tools = topLevel(customizations);
    const vscode = tools.get('vscode')?.value;
    if (vscode) checkNode(vscode, vscodeCustomizationSchema, 'customizations.vscode', issues);
    const coder = tools.get('coder')?.value;
    if (coder) checkNode(coder, coderCustomizationSchema, 'customizations.coder', issues);
  }
  for (const i of issues.issues) at(i.node, i.severity, i.code, i.message);

  // Image / Dockerfile / Compose: exactly one.
  const build = value('build');
  const buildDockerfile = build?.type === 'object' ? topLevel(build).get('dockerfile') : undefined;
  const sources: Array<[string, Node]> = [];
  if (props.has('image')) sources.push(['image', keyOf('image')]);
  if (buildDockerfile) sources.push(['build.dockerfile', buildDockerfile.key]);
  else if (props.has('dockerFile')) sources.push(['dockerFile', keyOf('dockerFile')]);
  if (props.has('dockerComposeFile')) sources.push(['dockerComposeFile', keyOf('dockerComposeFile')]);
  const isCompose = props.has('dockerComposeFile');
  if (sources.length === 0) {
    if (props.has('build')) {
      at(keyOf('build'), 'error', 'missing-required', '"build" needs "dockerfile" (path of the Dockerfile, relative to devcontainer.json)');
    } else {
      at(root, 'error', 'missing-container-source', 'the config needs one of "image", "build.dockerfile" or "dockerComposeFile"');
    }
  } else if (sources.length > 1) {
    const names = sources.map((s) => `"${s[0]}"`).join(', ');
    for (const [, key] of sources.slice(1))
      at(key, 'error', 'conflicting-container-source', `use only one of ${names}: they are alternatives`);
  }
  if (props.has('build') && buildDockerfile === undefined && props.has('image') && !props.has('dockerFile')) {
    at(keyOf('build'), 'warning', 'missing-required', '"build" without "dockerfile" is ignored next to "image"');
  }

  if (isCompose) {
    if (!props.has('service'))
      at(keyOf('dockerComposeFile'), 'error', 'missing-required', 'a Compose config needs "service" (the service to connect to)');
    if (!props.has('workspaceFolder')) {
      at(keyOf('dockerComposeFile'), 'warning', 'missing-required', 'a Compose config should set "workspaceFolder" (the default is "/")');
    }
    for (const k of IGNORED_WITH_COMPOSE) {
      if (props.has(k) && k !== 'image' && k !== 'build' && k !== 'dockerFile') {
        at(keyOf(k), 'warning', 'ignored-with-compose', `"${k}" is ignored in a Compose config: set it in the compose file`);
      }
    }
  } else {
    for (const k of COMPOSE_ONLY)
      if (props.has(k))
        at(keyOf(k), 'warning', 'compose-only-property', `"${k}" only applies with "dockerComposeFile"; it is ignored here`);
    if (props.has('workspaceMount') && !props.has('workspaceFolder')) {
      at(
        keyOf('workspaceMount'),
        'warning',
        'workspace-mount-without-folder',
        '"workspaceMount" needs "workspaceFolder" (where the mount is opened)',
      );
    }
  }
  const shutdown = value('shutdownAction');
  if (shutdown?.type === 'string') {
    if (shutdown.value === 'stopCompose' && !isCompose)
      at(shutdown, 'warning', 'invalid-enum', '"stopCompose" only applies to Compose configs; use "stopContainer"');
    if (shutdown.value === 'stopContainer' && isCompose)
      at(shutdown, 'warning', 'invalid-enum', '"stopContainer" does not apply to Compose configs; use "stopCompose"');
  }

  // The image reference, as every container engine parses it (values with variables are checked after substitution).
  const image = value('image');
  if (image?.type === 'string' && !(image.value as string).includes('${') && !isCompose) {
    const r = parseImageReference(image.value as string);
    if (!r.ok) at(image, 'error', 'invalid-image-reference', `"image": ${r.message}`);
  }

  // Mounts (string form).
  const mounts = value('mounts');
  if (mounts?.type === 'array') {
    for (const m of mounts.children ?? []) {
      if (m.type !== 'string') continue;
      const r = parseMountString(m.value as string);
      if (!r.ok) at(m, 'error', 'invalid-mount', r.message);
    }
  }

  // Features.
  const features = value('features');
  const resources = new Set<string>();
  if (features?.type === 'object') {
    for (const p of features.children ?? []) {
      const key = p.children?.[0];
      if (key === undefined) continue;
      const id = key.value as string;
      const r = parseFeatureReference(id);
      if (!r.ok) at(key, 'error', 'invalid-feature-reference', r.message);
      else {
        resources.add(r.ref.resource);
        if (r.deprecated) at(key, 'warning', 'deprecated-property', r.deprecated);
      }
      // Array option values: the devcontainer CLI passes them to install.sh as one comma-joined string.
      const options = p.children?.[1];
      if (options?.type !== 'object') continue;
      for (const o of options.children ?? []) {
        const [name, v] = o.children ?? [];
        if (name === undefined || v?.type !== 'array' || problems.length >= PROBLEM_LIMIT) continue;
        const joined = (v.children ?? []).map((c) => String(c.value)).join(',');
        at(
          v,
          'warning',
          'invalid-feature-option',
          `${pathString(['features', id, name.value as string])} is an array: feature options are strings or booleans; the devcontainer CLI passes ${JSON.stringify(joined)}`,
        );
      }
    }
  }
  const order = value('overrideFeatureInstallOrder');
  if (order?.type === 'array') {
    for (const item of order.children ?? []) {
      if (item.type !== 'string') continue;
      const res = featureResource(item.value as string);
      if (!resources.has(res)) {
        at(
          item,
          'warning',
          'unknown-feature-in-order',
          `"${item.value}" is not in "features"; it has no effect${resources.size <= 200 ? didYouMeanSuffix(res, resources) : ''}`,
        );
      }
    }
  }

  return limitProblems(sortByPosition(problems), { alreadyHidden: issues.hidden });
}

interface Prop {
  key: Node;
  value: Node;
}

/** Properties of an object node (the last one wins, like JSON.parse). */
export function topLevel(obj: Node): Map<string, Prop> {
  const map = new Map<string, Prop>();
  for (const p of obj.children ?? []) {
    const key = p.children?.[0];
    const value = p.children?.[1];
    if (key && value) map.set(key.value as string, { key, value });
  }
  return map;
}

function sortByPosition(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
