// A real `git http-backend` (smart HTTP) on 127.0.0.1 behind HTTP Basic auth that wants one token (tests only).
// Plain ESM JavaScript with types in index.d.ts (like the Coder stand-in), so vitest, tsc and node all load it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';

function checkAuth(req, o) {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return 'none';
  const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
  const pass = rest.join(':');
  if (pass !== o.token) return 'wrong';
  if (o.usernames && !o.usernames.includes(user ?? '')) return 'wrong';
  return 'ok';
}
async function startGitServer(o) {
  const log = [];
  // With `tls` ({ key, cert } PEM): HTTPS, e.g. with a certificate from a test CA.
  const server = (o.tls ? (handler) => createTlsServer({ key: o.tls.key, cert: o.tls.cert }, handler) : createServer)((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry = { method: req.method ?? 'GET', path: url.pathname, status: 0, auth: checkAuth(req, o) };
    log.push(entry);
    if (entry.auth !== 'ok') {
      entry.status = 401;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture"', 'Content-Type': 'text/plain' });
      res.end('Authentication required\n');
      return;
    }
    const env = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: o.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'fixture',
      REMOTE_ADDR: '127.0.0.1',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      HTTP_CONTENT_ENCODING: String(req.headers['content-encoding'] ?? ''),
    };
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let sep = head.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = head.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) return;
      headersDone = true;
      let status = 200;
      const headers = {};
      for (const line of head.subarray(0, sep).toString('utf8').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      entry.status = status;
      res.writeHead(status, headers);
      res.write(head.subarray(sep + sepLen));
    });
    child.stderr.on('data', () => {});
    child.on('close', () => {
      if (!headersDone) {
        entry.status = 500;
        res.writeHead(500);
      }
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    requests: () => log.map((r) => ({ ...r })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { startGitServer };
