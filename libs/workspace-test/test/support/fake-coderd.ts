// A loopback fake of the one coderd endpoint the outside checks read:
// GET /api/v2/users/{user}/workspace/{workspacename} → codersdk.Workspace JSON (the fields we read:
// name, health.healthy, latest_build.status / job / resources[].agents[].status / lifecycle_state / apps[].slug / health).
// Auth: `Coder-Session-Token`; a wrong token → 401. The workspace document changes per poll (`states`, last one repeats).
import { createServer, type Server } from 'node:http';

export interface FakeCoderd {
  url: string;
  polls: () => number;
  paths: () => string[];
  close: () => Promise<void>;
}

export function workspaceDoc(options: {
  name?: string;
  status?: string;
  healthy?: boolean;
  agentStatus?: string;
  lifecycle?: string;
  apps?: Record<string, string>;
  jobError?: string;
}): unknown {
  return {
    id: '0f5e3c0e-93c2-4d5c-9a43-6b0a5f1f8a11',
    name: options.name ?? 'ws',
    owner_name: 'alice',
    health: { healthy: options.healthy ?? true, failing_agents: [] },
    latest_build: {
      status: options.status ?? 'running',
      transition: 'start',
      job: { status: options.jobError ? 'failed' : 'succeeded', ...(options.jobError ? { error: options.jobError } : {}) },
      resources: [
        {
          name: 'dev',
          agents: [
            {
              name: 'main',
              status: options.agentStatus ?? 'connected',
              lifecycle_state: options.lifecycle ?? 'ready',
              apps: Object.entries(options.apps ?? { 'code-server': 'healthy' }).map(([slug, health]) => ({
                slug,
                display_name: slug,
                health,
              })),
            },
          ],
        },
      ],
    },
  };
}

export async function startFakeCoderd(token: string, states: unknown[]): Promise<FakeCoderd> {
  let polls = 0;
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (req.headers['coder-session-token'] !== token) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"message":"You must be logged in."}');
      return;
    }
    const m = /^\/api\/v2\/users\/([^/]+)\/workspace\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !m) {
      res.writeHead(404).end('{"message":"Route not found."}');
      return;
    }
    const doc = states[Math.min(polls, states.length - 1)];
    polls++;
    if (doc === 404) res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Resource not found."}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    polls: () => polls,
    paths: () => [...paths],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
