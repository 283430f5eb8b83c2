// The environment the Coder agent starts with, so that Coder terminals, apps and scripts see what
// VS Code's terminals see locally: the devcontainer's `remoteEnv` (from the container's merged
// metadata; ${containerEnv:…} resolved against the container's environment) plus the builder's
// DEVCONTAINER_REMOTE_ENV. Pure logic, with one thin docker read (readAgentEnv).
import { substituteVariables } from '@devcontainer-kit/devcontainer-config';
import type { DockerContext } from '@devcontainer-kit/docker-context';
import { type ContainerState, inspectContainer, parseMetadataLabel } from './container.js';

/** Set by the builder for the agent itself; remoteEnv never overrides them. */
export const AGENT_RESERVED_ENV = ['CODER_AGENT_TOKEN', 'CODER_AGENT_URL', 'CODER_AGENT_AUTH', 'CODER_AGENT_DEVCONTAINERS_ENABLE'] as const;

export interface ResolveAgentEnvOptions {
  /** The `devcontainer.metadata` label's entries, in merge order (features first, devcontainer.json last). */
  metadata: unknown[];
  /** The container's environment (`docker inspect` .Config.Env as a map). */
  containerEnv: Record<string, string>;
  /** The workspace folder on the builder's side (for ${localWorkspaceFolder} and friends). */
  workspaceFolder: string;
  /** DEVCONTAINER_REMOTE_ENV entries (`NAME=value`), applied after the config's remoteEnv. */
  extra?: string[];
  /** The builder's environment, for ${localEnv:…} (default: none). */
  localEnv?: Record<string, string | undefined>;
}

export interface AgentEnv {
  env: Record<string, string>;
  /** Names that were dropped because the builder sets them for the agent. */
  reserved: string[];
}

/**
 * remoteEnv merges per key, last wins; `null` unsets (the spec's rules), then variables are
 * substituted as the devcontainer CLI does for `remoteEnv`.
 */
export function resolveAgentEnv(options: ResolveAgentEnvOptions): AgentEnv {
  const merged: Record<string, string | null> = {};
  for (const entry of options.metadata) {
    const remoteEnv = (entry as { remoteEnv?: unknown } | null)?.remoteEnv;
    if (!remoteEnv || typeof remoteEnv !== 'object') continue;
    for (const [name, value] of Object.entries(remoteEnv as Record<string, unknown>)) {
      if (value === null) merged[name] = null;
      else if (typeof value === 'string') merged[name] = value;
    }
  }
  const substituted = substituteVariables({
    config: { remoteEnv: merged },
    localWorkspaceFolder: options.workspaceFolder,
    containerEnv: options.containerEnv,
    env: options.localEnv ?? {},
  }).remoteEnv as Record<string, string | null>;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(substituted)) if (value !== null) env[name] = value;
  for (const entry of options.extra ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const reserved: string[] = [];
  for (const name of AGENT_RESERVED_ENV) {
    if (name in env) {
      delete env[name];
      reserved.push(name);
    }
  }
  return { env, reserved };
}

/** `docker inspect` .Config.Env (`NAME=value` lines) as a map. Pure. */
export function parseContainerEnv(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/**
 * Reads the container's metadata label and environment (inspectContainer, or the inspect the caller
 * already has: `inspected`), then resolves the agent's environment.
 */
export async function readAgentEnv(
  ctx: DockerContext,
  containerId: string,
  options: Omit<ResolveAgentEnvOptions, 'metadata' | 'containerEnv'> & { inspected?: ContainerState | undefined },
): Promise<AgentEnv & { problem?: string }> {
  const { inspected: known, ...resolveOptions } = options;
  const inspected = known ?? (await inspectContainer(ctx, containerId));
  if (!inspected) return { env: {}, reserved: [], problem: `cannot inspect the devcontainer ${containerId.slice(0, 12)}` };
  const parsed = parseMetadataLabel(inspected.labels['devcontainer.metadata']);
  const resolved = resolveAgentEnv({ ...resolveOptions, metadata: parsed.configs, containerEnv: parseContainerEnv(inspected.env) });
  return parsed.problem ? { ...resolved, problem: parsed.problem } : resolved;
}
