// Registry credentials from a docker config.json and the Docker Registry HTTP API v2 auth flow:
// a request, on 401 the `WWW-Authenticate` challenge — `Basic` (send the credentials) or `Bearer
// realm,service,scope` (get a token from the realm with the credentials, or anonymously, then
// retry with it) — as ghcr.io, Docker Hub and distribution's token auth do. Credentials never
// appear in a message, a URL or a log line: only the user name and the registry host do.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrebuildCacheError } from './errors.js';

/** What a docker config.json holds for one registry. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** `registrytoken`: a bearer token sent as is. */
  registryToken?: string;
}

/** Docker Hub's key in config.json (`docker login` writes this one). */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

/** Pure: the host a config.json `auths` key names (`https://ghcr.io/v2/` → `ghcr.io`; Docker Hub's names → `docker.io`). */
export function normalizeRegistryHost(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'registry.hub.docker.com' ? 'docker.io' : host;
}

export interface ParsedDockerConfig {
  /** By normalised host. */
  auths: Map<string, RegistryCredentials>;
  /** `credsStore` / `credHelpers` named in the file (their helpers are not run here). */
  helpers: string[];
}

/** Pure: parses config.json text. Throws a PrebuildCacheError (`docker-config-invalid`) that never quotes the file. */
export function parseDockerConfig(text: string): ParsedDockerConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PrebuildCacheError('docker config is not JSON', { code: 'docker-config-invalid' });
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw new PrebuildCacheError('docker config is not a JSON object', { code: 'docker-config-invalid' });
  const o = json as Record<string, unknown>;
  const auths = new Map<string, RegistryCredentials>();
  const entries = o.auths;
  if (entries !== undefined && (typeof entries !== 'object' || entries === null || Array.isArray(entries)))
    throw new PrebuildCacheError('docker config: "auths" must be an object', { code: 'docker-config-invalid' });
  for (const [key, value] of Object.entries((entries ?? {}) as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    const creds: RegistryCredentials = {};
    if (typeof v.auth === 'string' && v.auth !== '') {
      const decoded = Buffer.from(v.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0)
        throw new PrebuildCacheError(`docker config: "auth" of ${normalizeRegistryHost(key)} is not base64 of user:password`, {
          code: 'docker-config-invalid',
        });
      creds.username = decoded.slice(0, colon);
      creds.password = decoded.slice(colon + 1);
    }
    if (typeof v.username === 'string' && v.username !== '') creds.username = v.username;
    if (typeof v.password === 'string' && v.password !== '') creds.password = v.password;
    if (typeof v.registrytoken === 'string' && v.registrytoken !== '') creds.registryToken = v.registrytoken;
    if (creds.username || creds.registryToken) auths.set(normalizeRegistryHost(key), creds);
  }
  const helpers: string[] = [];
  if (typeof o.credsStore === 'string' && o.credsStore) helpers.push(o.credsStore);
  if (o.credHelpers && typeof o.credHelpers === 'object') helpers.push(...Object.values(o.credHelpers as Record<string, string>));
  return { auths, helpers };
}

/** The docker client's config directory for a Docker context's environment: DOCKER_CONFIG, else ~/.docker. Pure. */
export function dockerConfigDir(env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (env.DOCKER_CONFIG) return env.DOCKER_CONFIG;
  return env.HOME ? join(env.HOME, '.docker') : undefined;
}

/**
 * The credentials docker would use for `registry` (`host[:port]`), read from `<dir>/config.json`.
 * A missing file or entry is `undefined` (anonymous); an unreadable or malformed file throws.
 */
export async function readRegistryCredentials(dir: string | undefined, registry: string): Promise<RegistryCredentials | undefined> {
  if (!dir) return undefined;
  let text: string;
  try {
    text = await readFile(join(dir, 'config.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PrebuildCacheError(`cannot read the docker config in ${dir}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      code: 'docker-config-invalid',
      subject: join(dir, 'config.json'),
      cause: error,
    });
  }
  return parseDockerConfig(text).auths.get(normalizeRegistryHost(registry));
}

export interface AuthChallenge {
  scheme: string;
  params: Record<string, string>;
}

/** Pure: `Bearer realm="https://x/token",service="x",scope="repository:a:pull"` → scheme + params. */
export function parseAuthChallenge(header: string | null | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(header);
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2] ?? ''); p; p = re.exec(m[2] ?? '')) {
    params[(p[1] as string).toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  }
  return { scheme: m[1].toLowerCase(), params };
}

const CERT_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME_INVALID/;

/** Pure: the network error behind a failed fetch, as one short line (code and message of the cause). */
export function describeFetchError(error: unknown): { line: string; certificate: boolean; code: string | undefined } {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  const line = cause?.message ?? (error as Error).message;
  return { line: code && !line.includes(code) ? `${line} (${code})` : line, certificate: Boolean(code && CERT_ERRORS.test(code)), code };
}

export interface RegistryRequestOptions {
  url: string;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Registry host as the user named it (messages only). */
  registry: string;
  credentials?: RegistryCredentials | undefined;
  /** Token scope asked for when the challenge names none (e.g. `repository:acme/app:pull`). */
  scope?: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

function basic(c: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
}

async function send(url: string, init: RequestInit, timeoutMs: number, registry: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const d = describeFetchError(error);
    const host = new URL(url).host;
    throw new PrebuildCacheError(
      d.certificate
        ? `registry ${registry}: the TLS certificate of ${host} is not trusted (${d.code}): give the builder its CA (DEVCONTAINER_CA_CERT)`
        : `registry ${registry} did not answer ${new URL(url).origin}: ${d.line}`,
      { code: 'registry-unreachable', subject: url, cause: error },
    );
  }
}

/** Asks a Bearer challenge's realm for a token (Basic credentials when there are any). */
async function fetchToken(challenge: AuthChallenge, o: RegistryRequestOptions, timeoutMs: number): Promise<string> {
  const realm = challenge.params.realm;
  if (!realm)
    throw new PrebuildCacheError(`registry ${o.registry} sent a Bearer challenge without a realm`, {
      code: 'registry-auth',
      subject: o.url,
    });
  const tokenUrl = new URL(realm);
  if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
  const scope = challenge.params.scope ?? o.scope;
  if (scope) tokenUrl.searchParams.set('scope', scope);
  const c = o.credentials;
  const headers: Record<string, string> = {};
  if (c?.username) {
    headers.authorization = basic(c);
    tokenUrl.searchParams.set('account', c.username);
  }
  const r = await send(tokenUrl.toString(), { method: 'GET', headers }, timeoutMs, o.registry);
  if (r.status === 401 || r.status === 403)
    throw new PrebuildCacheError(
      c?.username
        ? `registry ${o.registry}: its token service ${tokenUrl.host} refused the credentials of ${c.username} (${r.status})`
        : `registry ${o.registry} needs credentials: its token service ${tokenUrl.host} answered ${r.status} and the docker config has none for ${normalizeRegistryHost(o.registry)}`,
      { code: 'registry-auth', subject: tokenUrl.origin + tokenUrl.pathname },
    );
  if (r.status !== 200)
    throw new PrebuildCacheError(`registry ${o.registry}: its token service ${tokenUrl.host} answered ${r.status}`, {
      code: 'registry-auth',
      subject: tokenUrl.origin + tokenUrl.pathname,
    });
  let body: { token?: unknown; access_token?: unknown };
  try {
    body = (await r.json()) as typeof body;
  } catch {
    throw new PrebuildCacheError(`registry ${o.registry}: its token service ${tokenUrl.host} did not answer JSON`, {
      code: 'registry-auth',
    });
  }
  const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
  if (typeof token !== 'string' || !token)
    throw new PrebuildCacheError(`registry ${o.registry}: its token service ${tokenUrl.host} answered without a token`, {
      code: 'registry-auth',
    });
  return token;
}

/**
 * One registry request with the v2 auth flow: anonymous first (or with a `registrytoken`); on 401
 * the challenge decides — Basic: again with the credentials; Bearer: a token from the realm, then
 * again with it. Returns the final response (any status but an unanswerable 401, which throws
 * `registry-auth` with the reason). Every request has its own timeout: it never hangs.
 */
export async function registryRequest(o: RegistryRequestOptions): Promise<Response> {
  const timeoutMs = o.timeoutMs ?? 10_000;
  const init = (authorization?: string): RequestInit => ({
    method: o.method ?? 'GET',
    headers: { ...o.headers, ...(authorization ? { authorization } : {}) },
  });
  const first = await send(
    o.url,
    init(o.credentials?.registryToken ? `Bearer ${o.credentials.registryToken}` : undefined),
    timeoutMs,
    o.registry,
  );
  if (first.status !== 401) return first;
  const challenge = parseAuthChallenge(first.headers.get('www-authenticate'));
  const c = o.credentials;
  let retry: Response;
  if (challenge?.scheme === 'bearer') {
    retry = await send(o.url, init(`Bearer ${await fetchToken(challenge, o, timeoutMs)}`), timeoutMs, o.registry);
  } else if (challenge?.scheme === 'basic' && c?.username) {
    retry = await send(o.url, init(basic(c)), timeoutMs, o.registry);
  } else {
    throw new PrebuildCacheError(
      c?.username
        ? `registry ${o.registry} answered 401 with ${challenge ? `a ${challenge.scheme} challenge` : 'no challenge'}, which the lookup cannot answer`
        : `registry ${o.registry} needs credentials (401) and the docker config has none for ${normalizeRegistryHost(o.registry)}`,
      { code: 'registry-auth', subject: o.url },
    );
  }
  if (retry.status === 401 || retry.status === 403)
    throw new PrebuildCacheError(
      c?.username
        ? `registry ${o.registry} refused the credentials of ${c.username} (${retry.status})`
        : `registry ${o.registry} refused anonymous access (${retry.status}) and the docker config has no credentials for ${normalizeRegistryHost(o.registry)}`,
      { code: 'registry-auth', subject: o.url },
    );
  return retry;
}
