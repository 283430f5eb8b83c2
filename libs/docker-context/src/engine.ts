// The Docker Engine API over the daemon's unix socket, for the few reads and starts on a warm
// restart's critical path: each docker CLI run costs a process (fork of this one, the CLI's start,
// its /_ping) for one HTTP request. Only where the CLI would surely talk to the same socket: an
// explicit unix:// DOCKER_HOST, or docker's default socket when no DOCKER_CONTEXT or current
// context says otherwise. Anything else — and any transport error — is the caller's cue to run the
// CLI instead: this is an optimisation, never a second way to fail.
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { DockerContext } from './context.js';

/** Where the docker CLI of this context would connect, when that is a unix socket; undefined otherwise. */
export async function findEngineSocket(ctx: DockerContext): Promise<string | undefined> {
  if (ctx.env.DOCKER_CONTEXT) return undefined;
  if (ctx.dockerHost) return ctx.dockerHost.startsWith('unix://') ? ctx.dockerHost.slice('unix://'.length) : undefined;
  const dir = ctx.env.DOCKER_CONFIG ?? (ctx.env.HOME ? join(ctx.env.HOME, '.docker') : undefined);
  if (dir) {
    try {
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as { currentContext?: string };
      if (config.currentContext && config.currentContext !== 'default') return undefined;
    } catch {}
  }
  return '/var/run/docker.sock';
}

export interface EngineResponse {
  status: number;
  body: string;
}

/**
 * One Engine API request (`/containers/<id>/json`, `/version`…; DOCKER_API_VERSION prefixes it).
 * Undefined when there is no socket to use or it did not answer: run the CLI instead.
 */
export async function requestEngine(
  ctx: DockerContext,
  o: { method: 'GET' | 'POST'; path: string; timeoutMs?: number },
): Promise<EngineResponse | undefined> {
  const socketPath = await findEngineSocket(ctx);
  if (!socketPath) return undefined;
  const version = ctx.env.DOCKER_API_VERSION;
  const path = `${version ? `/v${version}` : ''}${o.path}`;
  return await new Promise((resolve) => {
    const onAbort = () => req.destroy();
    const done = (r: EngineResponse | undefined) => {
      ctx.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const req = request(
      { socketPath, method: o.method, path, headers: { host: 'docker', 'content-length': 0 }, timeout: o.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => done(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(undefined));
    if (ctx.signal?.aborted) req.destroy();
    else ctx.signal?.addEventListener('abort', onAbort, { once: true });
    req.end();
  });
}

/** The daemon's error text from an Engine API answer (`{"message": …}`), or the body. Pure. */
export function engineErrorMessage(r: EngineResponse): string {
  try {
    const m = (JSON.parse(r.body) as { message?: unknown }).message;
    if (typeof m === 'string') return m;
  } catch {}
  return r.body.trim() || `HTTP ${r.status}`;
}
