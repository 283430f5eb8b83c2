// A small registry token issuer for tests: the Docker Registry token auth flow ("token" auth in
// distribution's config) on 127.0.0.1. GET /token?service=…&scope=repository:NAME:ACTIONS with Basic
// credentials → a JWT (RS256) signed with the test key, its certificate in the header's `x5c`
// (distribution checks that chain against its `rootcertbundle`). Wrong or missing credentials → 401:
// anonymous tokens are not handed out, so a client without credentials gets a clear refusal. It keeps a
// log of requests (method, path, scopes, user or "anonymous"; never a password) for the tests to read.
import { createPrivateKey, createSign, randomUUID, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const b64url = (data) => Buffer.from(data).toString('base64url');

/** Pure: `repository:acme/app:pull,push` → a token access entry; undefined for anything else. */
export function parseScope(scope) {
  const m = /^([a-z]+):(.+):([a-z*,]+)$/.exec(scope);
  if (!m) return undefined;
  return { type: m[1], name: m[2], actions: m[3].split(',').filter(Boolean) };
}

/** Pure: a signed JWT for the claims, with the certificate (PEM) in the `x5c` header. */
export function signToken({ claims, keyPem, certPem }) {
  const der = new X509Certificate(certPem).raw.toString('base64');
  const header = { typ: 'JWT', alg: 'RS256', x5c: [der] };
  const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature = createSign('RSA-SHA256').update(body).sign(createPrivateKey(keyPem));
  return `${body}.${b64url(signature)}`;
}

/**
 * Starts the issuer. Options: port (0: any), users ({ name: password }), keyFile, certFile, issuer,
 * service, ttlSeconds (default 300), onRequest (called with each request's log entry before it is
 * answered, so a log written there is complete when the client has its answer). Returns { url, port,
 * requests, close() }.
 */
export async function startTokenIssuer({ port = 0, users, keyFile, certFile, issuer, service, ttlSeconds = 300, onRequest }) {
  const keyPem = readFileSync(keyFile, 'utf8');
  const certPem = readFileSync(certFile, 'utf8');
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body = '';
    for await (const chunk of req) body += chunk;
    const form = req.method === 'POST' ? new URLSearchParams(body) : undefined;
    let user;
    let password;
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      user = decoded.slice(0, decoded.indexOf(':'));
      password = decoded.slice(decoded.indexOf(':') + 1);
    } else if (form?.get('grant_type') === 'password') {
      user = form.get('username') ?? undefined;
      password = form.get('password') ?? undefined;
    }
    const scopes = [...url.searchParams.getAll('scope'), ...(form?.getAll('scope') ?? [])].flatMap((s) => s.split(' ')).filter(Boolean);
    const ok = user !== undefined && Object.hasOwn(users, user) && users[user] === password;
    const entry = { method: req.method, path: url.pathname, scopes, user: user ?? 'anonymous', granted: ok };
    requests.push(entry);
    onRequest?.(entry);
    if (url.pathname !== '/token') return res.writeHead(404).end();
    if (!ok) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token issuer"' });
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: user ? 'bad credentials' : 'credentials required' }] }));
    }
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: issuer,
      sub: user,
      aud: url.searchParams.get('service') ?? form?.get('service') ?? service,
      exp: now + ttlSeconds,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access: scopes.map(parseScope).filter(Boolean),
    };
    const token = signToken({ claims, keyPem, certPem });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: ttlSeconds, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = server.address().port;
  return {
    url: `http://127.0.0.1:${actual}/token`,
    port: actual,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
