// Thin docker reads of containers (inspect, find by labels, the metadata label), over the Docker context.
import { type DockerContext, requestEngine, runDocker } from '@devcontainer-kit/docker-context';

export interface ContainerState {
  id: string;
  running: boolean;
  image: string;
  imageName: string;
  labels: Record<string, string>;
  /** .Config.Env (`NAME=value`). */
  env: string[];
}

/** `docker container inspect` (the Engine API directly when it can: see docker-context's requestEngine). */
export async function inspectContainer(ctx: DockerContext, id: string): Promise<ContainerState | undefined> {
  const api = await requestEngine(ctx, { method: 'GET', path: `/containers/${encodeURIComponent(id)}/json` });
  let text: string;
  if (api?.status === 200) text = api.body;
  else if (api?.status === 404) return undefined;
  else {
    const r = await runDocker(ctx, ['container', 'inspect', id, '--format', '{{json .}}']);
    if (r.exitCode !== 0) return undefined;
    text = r.stdout;
  }
  let j: {
    Id: string;
    Image: string;
    State: { Running: boolean };
    Config: { Image: string; Labels: Record<string, string> | null; Env: string[] | null };
  };
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  return {
    id: j.Id,
    running: j.State.Running,
    image: j.Image,
    imageName: j.Config.Image,
    labels: j.Config.Labels ?? {},
    env: j.Config.Env ?? [],
  };
}

/** Ids of containers (running or not) carrying all the labels. */
export async function findContainers(ctx: DockerContext, labels: Record<string, string>): Promise<string[]> {
  const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const r = await runDocker(ctx, ['ps', '-a', '-q', '--no-trunc', ...filters]);
  return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}

/**
 * Parses a `devcontainer.metadata` label: the devcontainer CLI writes the merged metadata there
 * as a JSON array (features first, devcontainer.json last); a single object is accepted. Pure.
 */
export function parseMetadataLabel(label: string | undefined): { configs: unknown[]; problem?: string } {
  if (!label || label === '<no value>') return { configs: [] };
  try {
    const v = JSON.parse(label) as unknown;
    return { configs: Array.isArray(v) ? v : [v] };
  } catch (error) {
    return { configs: [], problem: `devcontainer.metadata label is not JSON: ${(error as Error).message}` };
  }
}
