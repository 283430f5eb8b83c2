// Thin shells around the docker CLI.
import { execa } from 'execa';
import type { PhaseLog } from './phase-log.js';

export interface DockerContext {
  /** Environment for docker children (secrets removed; DOCKER_HOST set when configured). */
  env: Record<string, string | undefined>;
}

export async function docker(ctx: DockerContext, args: string[], options: { input?: string; reject?: boolean; timeoutMs?: number } = {}) {
  return await execa('docker', args, {
    env: ctx.env,
    extendEnv: false,
    input: options.input,
    reject: options.reject ?? false,
    timeout: options.timeoutMs,
    stripFinalNewline: true,
  });
}

/** Waits until the daemon answers `docker version`; says what it waits for every 10 s. */
export async function waitForDocker(ctx: DockerContext & { timeoutSeconds: number; log: PhaseLog; signal?: AbortSignal }): Promise<string> {
  const target = ctx.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock (default)';
  const started = Date.now();
  let lastSaid = -10_000;
  let lastError = '';
  for (;;) {
    const r = await docker(ctx, ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 10_000 });
    if (r.exitCode === 0 && r.stdout) return r.stdout.trim();
    lastError = (r.stderr || r.stdout || '').split('\n').filter(Boolean).pop() ?? '';
    const elapsed = Date.now() - started;
    if (elapsed >= ctx.timeoutSeconds * 1000) throw Object.assign(new Error(lastError || 'no answer'), { target });
    if (elapsed - lastSaid >= 10_000) {
      ctx.log.write(
        `waiting for the Docker daemon at ${target} (${Math.round(elapsed / 1000)} s of ${ctx.timeoutSeconds} s): ${lastError}`,
        'info',
      );
      lastSaid = elapsed;
    }
    if (ctx.signal?.aborted) throw new Error('aborted');
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface ContainerState {
  id: string;
  running: boolean;
  image: string;
  imageName: string;
  labels: Record<string, string>;
  startedAt: string;
}

export async function inspectContainer(ctx: DockerContext, id: string): Promise<ContainerState | undefined> {
  const r = await docker(ctx, ['container', 'inspect', id, '--format', '{{json .}}']);
  if (r.exitCode !== 0) return undefined;
  const j = JSON.parse(r.stdout) as {
    Id: string;
    Image: string;
    State: { Running: boolean; StartedAt: string };
    Config: { Image: string; Labels: Record<string, string> | null };
  };
  return {
    id: j.Id,
    running: j.State.Running,
    image: j.Image,
    imageName: j.Config.Image,
    labels: j.Config.Labels ?? {},
    startedAt: j.State.StartedAt,
  };
}

/** Ids of containers (running or not) carrying all the labels. */
export async function findContainers(ctx: DockerContext, labels: Record<string, string>): Promise<string[]> {
  const filters = Object.entries(labels).flatMap(([k, v]) => ['--filter', `label=${k}=${v}`]);
  const r = await docker(ctx, ['ps', '-a', '-q', '--no-trunc', ...filters]);
  return r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : [];
}
