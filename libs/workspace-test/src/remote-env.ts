// remoteEnv is not stored in a container's environment: tools apply it to the processes they start
// (the devcontainer CLI's `exec`, the builder's agent). For the docker transport we do the same
// from the container's `devcontainer.metadata` label, resolving ${containerEnv:VAR[:default]}.
import { type CommandRunner, runCommand } from './command.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Pure: remoteEnv of a `devcontainer.metadata` label (array or object; later entries win), with ${containerEnv:…} resolved. */
export function remoteEnvFromMetadata(label: string | undefined, containerEnv: Record<string, string>): Record<string, string> {
  if (!label) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(label);
  } catch {
    return {};
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  const out: Record<string, string> = {};
  for (const entry of entries) {
    if (!isRecord(entry) || !isRecord(entry.remoteEnv)) continue;
    for (const [name, value] of Object.entries(entry.remoteEnv)) {
      if (value === null) delete out[name];
      else if (typeof value === 'string') {
        out[name] = value.replace(/\$\{containerEnv:([^}:]+)(?::([^}]*))?\}/g, (_m, v: string, d?: string) => containerEnv[v] ?? d ?? '');
      }
    }
  }
  return out;
}

/** Reads a container's `devcontainer.metadata` label and environment with `docker inspect` and returns its remoteEnv. */
export async function dockerRemoteEnv(
  container: string,
  options: { docker?: string; runner?: CommandRunner } = {},
): Promise<Record<string, string>> {
  const runner = options.runner ?? runCommand;
  const r = await runner(options.docker ?? 'docker', ['inspect', '--format', '{{json .Config}}', container]);
  if (r.exitCode !== 0) return {};
  try {
    const config = JSON.parse(r.stdout) as { Labels?: Record<string, string>; Env?: string[] };
    const env: Record<string, string> = {};
    for (const line of config.Env ?? []) {
      const eq = line.indexOf('=');
      if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
    }
    return remoteEnvFromMetadata(config.Labels?.['devcontainer.metadata'], env);
  } catch {
    return {};
  }
}
