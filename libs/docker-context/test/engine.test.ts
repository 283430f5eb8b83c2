// The Engine API shell against a real HTTP server on a unix socket (a stand-in daemon: the real
// daemon's answers are checked by builder-runner's Docker tests), and the socket rules.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDockerContext } from '../src/context.js';
import { engineErrorMessage, findEngineSocket, requestEngine } from '../src/engine.js';

const dir = mkdtempSync(join(tmpdir(), 'engine-'));
const socket = join(dir, 'docker.sock');
const seen: string[] = [];
let server: Server;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url?.endsWith('/containers/abc/json')) return res.end(JSON.stringify({ Id: 'abc' }));
    if (req.url?.endsWith('/slow')) return; // never answers
    res.statusCode = 404;
    res.end(JSON.stringify({ message: 'No such container: nope' }));
  });
  await new Promise<void>((r) => server.listen(socket, r));
});
afterAll(() => server.close());

describe('requestEngine', () => {
  it('asks the socket of a unix:// DOCKER_HOST, with DOCKER_API_VERSION as the path prefix', async () => {
    const ctx = createDockerContext({ env: { DOCKER_HOST: `unix://${socket}`, DOCKER_API_VERSION: '1.41' } });
    expect(await requestEngine(ctx, { method: 'GET', path: '/containers/abc/json' })).toEqual({ status: 200, body: '{"Id":"abc"}' });
    expect(seen.at(-1)).toBe('GET /v1.41/containers/abc/json');
    const missing = await requestEngine(ctx, { method: 'POST', path: '/containers/nope/start' });
    expect(missing?.status).toBe(404);
    expect(engineErrorMessage(missing as { status: number; body: string })).toBe('No such container: nope');
  });

  it('is undefined (run the CLI) when nothing answers, the request times out or is aborted', async () => {
    const gone = createDockerContext({ env: { DOCKER_HOST: `unix://${join(dir, 'missing.sock')}` } });
    expect(await requestEngine(gone, { method: 'GET', path: '/version' })).toBeUndefined();
    const ctx = createDockerContext({ env: { DOCKER_HOST: `unix://${socket}` } });
    expect(await requestEngine(ctx, { method: 'GET', path: '/slow', timeoutMs: 200 })).toBeUndefined();
    const controller = new AbortController();
    const aborted = createDockerContext({ env: { DOCKER_HOST: `unix://${socket}` }, signal: controller.signal });
    const pending = requestEngine(aborted, { method: 'GET', path: '/slow' });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toBeUndefined();
  });
});

describe('findEngineSocket', () => {
  it('uses only a socket the docker CLI would use too', async () => {
    expect(await findEngineSocket(createDockerContext({ env: { DOCKER_HOST: 'unix:///run/dind/docker.sock' } }))).toBe(
      '/run/dind/docker.sock',
    );
    expect(await findEngineSocket(createDockerContext({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' } }))).toBeUndefined();
    expect(
      await findEngineSocket(createDockerContext({ env: { DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'remote' } })),
    ).toBeUndefined();
    const home = mkdtempSync(join(tmpdir(), 'engine-home-'));
    expect(await findEngineSocket(createDockerContext({ env: { HOME: home } }))).toBe('/var/run/docker.sock');
    mkdirSync(join(home, '.docker'));
    writeFileSync(join(home, '.docker/config.json'), JSON.stringify({ currentContext: 'rootless' }));
    expect(await findEngineSocket(createDockerContext({ env: { HOME: home } }))).toBeUndefined();
    writeFileSync(join(home, '.docker/config.json'), JSON.stringify({ currentContext: 'default' }));
    expect(await findEngineSocket(createDockerContext({ env: { HOME: home } }))).toBe('/var/run/docker.sock');
  });
});
