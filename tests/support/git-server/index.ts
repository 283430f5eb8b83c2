// A real `git http-backend` (smart HTTP) on 127.0.0.1, behind HTTP Basic auth that wants one
// token. Every bare repository under `root` is served at `${url}<name>.git`.
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitServerOptions {
  /** Folder holding bare repositories. */
  root: string;
  /** The password (token) every request must carry. */
  token: string;
  /** Accepted user names (default: any). */
  usernames?: string[];
}

export interface GitServerRequest {
  method: string;
  path: string;
  status: number;
  /** 'none' | 'wrong' | 'ok' — never the credentials themselves. */
  auth: 'none' | 'wrong' | 'ok';
}

export interface GitServer {
  url: string;
  requests(): GitServerRequest[];
  close(): Promise<void>;
}

function checkAuth(req: IncomingMessage, o: GitServerOptions): GitServerRequest['auth'] {
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return 'none';
  const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
  const pass = rest.join(':');
  if (pass !== o.token) return 'wrong';
  if (o.usernames && !o.usernames.includes(user ?? '')) return 'wrong';
  return 'ok';
}

export async function startGitServer(o: GitServerOptions): Promise<GitServer> {
  const log: GitServerRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: GitServerRequest = { method: req.method ?? 'GET', path: url.pathname, status: 0, auth: checkAuth(req, o) };
    log.push(entry);
    if (entry.auth !== 'ok') {
      entry.status = 401;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fixture"', 'Content-Type': 'text/plain' });
      res.end('Authentication required\n');
      return;
    }
    const env: NodeJS.ProcessEnv = {
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
    child.stdout.on('data', (chunk: Buffer) => {
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
      const headers: Record<string, string> = {};
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests: () => log.map((r) => ({ ...r })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
