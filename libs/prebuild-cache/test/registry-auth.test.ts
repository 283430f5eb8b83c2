import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PrebuildCacheError } from '../src/errors.js';
import { registryHasTag } from '../src/registry.js';
import {
  normalizeRegistryHost,
  parseAuthChallenge,
  parseDockerConfig,
  readRegistryCredentials,
  registryRequest,
} from '../src/registry-auth.js';

const PASSWORD = 's3cret-Pa55word';
const TOKEN = 'tok-1234567890';
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('parseDockerConfig', () => {
  it('reads auth (base64 user:password), username/password and registrytoken, by normalised host', () => {
    const { auths, helpers } = parseDockerConfig(
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: b64(`hubuser:${PASSWORD}`) },
          'https://ghcr.io/v2/': { username: 'octo', password: 'ghp_x' },
          '127.0.0.1:5128': { auth: b64('a:b:c') },
          'reg.example.com': { registrytoken: 'rt' },
          'empty.example.com': {},
        },
        credsStore: 'desktop',
      }),
    );
    expect(auths.get('docker.io')).toEqual({ username: 'hubuser', password: PASSWORD });
    expect(auths.get('ghcr.io')).toEqual({ username: 'octo', password: 'ghp_x' });
    expect(auths.get('127.0.0.1:5128')).toEqual({ username: 'a', password: 'b:c' });
    expect(auths.get('reg.example.com')).toEqual({ registryToken: 'rt' });
    expect(auths.has('empty.example.com')).toBe(false);
    expect(helpers).toEqual(['desktop']);
  });

  it('rejects malformed files without quoting them', () => {
    for (const text of [
      `{"auths": {"x": {"auth": "${PASSWORD}"`,
      '[1]',
      `{"auths": "${PASSWORD}"}`,
      `{"auths": {"x": {"auth": "${b64(PASSWORD)}"}}}`,
    ]) {
      let error: unknown;
      try {
        parseDockerConfig(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PrebuildCacheError);
      expect((error as PrebuildCacheError).code).toBe('docker-config-invalid');
      expect((error as Error).message).not.toContain(PASSWORD);
      expect((error as Error).message).not.toContain(b64(PASSWORD));
    }
  });

  it('normalises hosts as docker does', () => {
    expect(normalizeRegistryHost('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeRegistryHost('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeRegistryHost('http://127.0.0.1:5000/v2/')).toBe('127.0.0.1:5000');
    expect(normalizeRegistryHost('GHCR.io')).toBe('ghcr.io');
  });
});

describe('parseAuthChallenge', () => {
  it('reads Bearer and Basic challenges', () => {
    expect(parseAuthChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull' },
    });
    expect(parseAuthChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseAuthChallenge(null)).toBeUndefined();
  });
});

// A registry emulation on 127.0.0.1 port 0: enough of distribution's auth behaviour for the flow.
const servers: Server[] = [];
async function serve(handler: (req: IncomingMessage, res: ServerResponse, base: string) => void): Promise<string> {
  const server = createServer((req, res) => handler(req, res, base));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return base;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

function tokenRegistry(seen: string[]) {
  return (req: IncomingMessage, res: ServerResponse, base: string) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ? req.headers.authorization.split(' ')[0] : 'anonymous'}`);
    const url = new URL(req.url ?? '/', `http://${base}`);
    if (url.pathname === '/token') {
      if (req.headers.authorization !== `Basic ${b64(`robot:${PASSWORD}`)}`) {
        res.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      expect(url.searchParams.get('service')).toBe('test-registry');
      expect(url.searchParams.get('scope')).toBe('repository:acme/app:pull');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: TOKEN }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://${base}/token",service="test-registry",scope="repository:acme/app:pull"`,
        })
        .end();
      return;
    }
    res.writeHead(url.pathname.endsWith('/present') ? 200 : 404, { 'docker-content-digest': 'sha256:abc' }).end();
  };
}

describe('registryRequest and registryHasTag', () => {
  it('Bearer: 401 challenge → token from the realm with Basic credentials → retry', async () => {
    const seen: string[] = [];
    const registry = await serve(tokenRegistry(seen));
    const credentials = { username: 'robot', password: PASSWORD };
    expect(await registryHasTag({ registry, repository: 'acme/app', key: 'present', credentials })).toEqual({
      exists: true,
      digest: 'sha256:abc',
    });
    expect(await registryHasTag({ registry, repository: 'acme/app', key: 'absent', credentials })).toEqual({ exists: false });
    // https was tried first (no TLS answer on this loopback port), then http: the flow on http.
    expect(seen.slice(0, 3)).toEqual([
      'HEAD /v2/acme/app/manifests/present anonymous',
      'GET /token?service=test-registry&scope=repository%3Aacme%2Fapp%3Apull&account=robot Basic',
      'HEAD /v2/acme/app/manifests/present Bearer',
    ]);
  });

  it('reads the credentials from <DOCKER_CONFIG>/config.json', async () => {
    const registry = await serve(tokenRegistry([]));
    const dir = await mkdtemp(join(tmpdir(), 'dck-docker-config-'));
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify({ auths: { [registry]: { auth: b64(`robot:${PASSWORD}`) } } }));
      expect(await readRegistryCredentials(dir, registry)).toEqual({ username: 'robot', password: PASSWORD });
      expect((await registryHasTag({ registry, repository: 'acme/app', key: 'present', dockerConfig: dir })).exists).toBe(true);
      expect(await readRegistryCredentials(join(dir, 'missing'), registry)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a missing or wrong credential is a registry-auth error with the reason, never the secret', async () => {
    const registry = await serve(tokenRegistry([]));
    const missing = await registryHasTag({ registry, repository: 'acme/app', key: 'present' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PrebuildCacheError);
    expect((missing as PrebuildCacheError).code).toBe('registry-auth');
    expect((missing as Error).message).toBe(
      `registry ${registry} needs credentials: its token service ${registry} answered 401 and the docker config has none for ${registry}`,
    );
    const wrong = await registryHasTag({
      registry,
      repository: 'acme/app',
      key: 'present',
      credentials: { username: 'robot', password: 'not-it' },
    }).catch((e: unknown) => e);
    expect((wrong as Error).message).toBe(`registry ${registry}: its token service ${registry} refused the credentials of robot (401)`);
    expect((wrong as Error).message).not.toContain('not-it');
  });

  it('Basic: 401 with a Basic challenge → again with the credentials', async () => {
    const registry = await serve((req, res) => {
      if (req.headers.authorization === `Basic ${b64(`u:${PASSWORD}`)}`) res.writeHead(200).end();
      else res.writeHead(401, { 'www-authenticate': 'Basic realm="Registry Realm"' }).end();
    });
    expect((await registryHasTag({ registry, repository: 'a', key: 'k', credentials: { username: 'u', password: PASSWORD } })).exists).toBe(
      true,
    );
    const refused = (await registryHasTag({ registry, repository: 'a', key: 'k', credentials: { username: 'u', password: 'x' } }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(refused.message).toBe(`registry ${registry} refused the credentials of u (401)`);
    const none = (await registryHasTag({ registry, repository: 'a', key: 'k' }).catch((e: unknown) => e)) as Error;
    expect(none.message).toBe(`registry ${registry} needs credentials (401) and the docker config has none for ${registry}`);
  });

  it('never hangs: a registry that accepts and never answers is an error after the timeout', async () => {
    const registry = await serve(() => {});
    const started = Date.now();
    const error = (await registryRequest({ url: `http://${registry}/v2/`, registry, timeoutMs: 300 }).catch(
      (e: unknown) => e,
    )) as PrebuildCacheError;
    expect(error.code).toBe('registry-unreachable');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
