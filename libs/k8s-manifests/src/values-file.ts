import { parseDocument } from 'yaml';
import { K8sManifestsError } from './errors.js';
import { validateOptions } from './options.js';
import { checkPodSecurity, type PodSecurityLevel, type PodSecurityViolation, strictestPodSecurityLevel } from './pod-security.js';
import { toTerraformJson } from './terraform-json.js';
import type { OptionsProblem, TerraformRenderOptions, WorkspaceManifestOptions } from './types.js';
import { workspaceManifests } from './workspace-manifests.js';
import { toYaml } from './yaml.js';

/** A values file: the options of `workspaceManifests` plus an optional `terraform:` section. */
export interface ValuesFile {
  options: WorkspaceManifestOptions;
  terraform: TerraformRenderOptions;
}

export type RenderFormat = 'yaml' | 'terraform-json';

/** Parse a values file (YAML or JSON text). Throws `INVALID_VALUES_FILE` listing every problem (syntax and options). */
export function parseValuesFile(
  text: string,
  { file = '<values>', allowEmptyAgentToken = false }: { file?: string; allowEmptyAgentToken?: boolean } = {},
): ValuesFile {
  const document = parseDocument(text);
  const problems: OptionsProblem[] = document.errors.map((e) => ({
    path: e.linePos ? `${file}:${e.linePos[0].line}:${e.linePos[0].col}` : file,
    code: 'invalid-value',
    message: e.message.split('\n')[0] ?? e.message,
  }));
  const data: unknown = problems.length === 0 ? document.toJS() : undefined;
  if (problems.length === 0 && (typeof data !== 'object' || data === null || Array.isArray(data)))
    problems.push({ path: file, code: 'invalid-value', message: 'the values file must hold a mapping' });
  if (problems.length > 0) throw new K8sManifestsError('INVALID_VALUES_FILE', `${file}: ${problems[0]?.message}`, { problems, file });

  const { terraform = {}, ...options } = data as Record<string, unknown> & { terraform?: TerraformRenderOptions };
  if (allowEmptyAgentToken && !(isRecord(options.secret) && 'existingSecretName' in options.secret))
    options.secret = { ...(isRecord(options.secret) ? options.secret : {}), allowEmptyAgentToken: true };
  if (!isRecord(terraform)) problems.push({ path: 'terraform', code: 'invalid-value', message: 'terraform must be a mapping' });
  if (terraform.podSecurityCheck !== undefined && typeof terraform.podSecurityCheck !== 'boolean')
    problems.push({
      path: 'terraform.podSecurityCheck',
      code: 'invalid-value',
      message: 'terraform.podSecurityCheck must be true or false',
    });
  for (const key of Object.keys(terraform))
    if (key !== 'runningCount' && key !== 'provider' && key !== 'podSecurityCheck')
      problems.push({ path: `terraform.${key}`, code: 'unknown-option', message: `unknown option "terraform.${key}"` });
  problems.push(...validateOptions(options as unknown as WorkspaceManifestOptions));
  if (problems.length > 0)
    throw new K8sManifestsError(
      'INVALID_VALUES_FILE',
      `${file}: ${problems.length} problem(s), first: ${problems[0]?.path}: ${problems[0]?.message}`,
      { problems, file },
    );
  return { options: options as unknown as WorkspaceManifestOptions, terraform };
}

export interface RenderValuesOptions {
  format?: RenderFormat;
  file?: string;
  /** Render a Secret with an empty agent token (CLI `--allow-empty-agent-token`): you fill it yourself. */
  allowEmptyAgentToken?: boolean;
}

/** Values file text → rendered text (what the CLI prints). */
export function renderValues(text: string, { format = 'yaml', file, allowEmptyAgentToken = false }: RenderValuesOptions = {}): string {
  const values = parseValuesFile(text, { ...(file === undefined ? {} : { file }), allowEmptyAgentToken });
  const manifests = workspaceManifests(values.options);
  return format === 'terraform-json' ? toTerraformJson(manifests, values.terraform) : toYaml(manifests);
}

export interface PodSecurityReport {
  level: PodSecurityLevel;
  /** True when a namespace enforcing `level` admits the workspace pod. */
  allowed: boolean;
  /** The strictest level that admits it. */
  strictest: PodSecurityLevel;
  violations: PodSecurityViolation[];
}

/** Values file text → the Pod Security check of its workspace pod (what `k8s-manifests check` prints). Tokens are not needed. */
export function checkValues(text: string, { level, file }: { level: PodSecurityLevel; file?: string }): PodSecurityReport {
  const values = parseValuesFile(text, { ...(file === undefined ? {} : { file }), allowEmptyAgentToken: true });
  const manifests = workspaceManifests(values.options);
  const violations = checkPodSecurity(manifests, level);
  return { level, allowed: violations.length === 0, strictest: strictestPodSecurityLevel(manifests), violations };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
