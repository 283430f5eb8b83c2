// @ts-check
// A loopback stand-in for the parts of coderd a workspace agent talks to.
// It follows coderd's contract for the agent log API (see /work/shared/TESTBED.md):
//   - auth header `Coder-Session-Token` (401 when missing or wrong),
//   - POST /api/v2/workspaceagents/me/log-source → 201, idempotent per id,
//   - PATCH /api/v2/workspaceagents/me/logs → 200 empty body; 400 for invalid JSON / bad uuid,
//     empty `logs`, or a bad level; 413 "Logs limit exceeded" once the agent's total output
//     (bytes, counted before truncation) would pass 1 MiB, and on every call after;
//     500 for output the database cannot store (NUL),
//   - each output truncated to 1024 characters, server timestamps, nil source → "External".
// Plus GET .../me/manifest (auth-checked, recorded), GET /api/v2/buildinfo, GET /bin/coder-linux-*.
// Faults can be injected (5xx bursts, 429, connection resets, stalls, 401/403 for the first N ms).
// Plain ESM JavaScript with types in index.d.ts, so vitest, tsc and plain `node` can all load it.
import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';

export const EXTERNAL_LOG_SOURCE_ID = '3b579bf4-1ed8-4b99-87a8-e9a1e3410410';
export const LOGS_LIMIT_BYTES = 1_048_576;
export const MAX_OUTPUT_CHARS = 1024;
export const MAX_DISPLAY_NAME_CHARS = 127;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const TOKEN_HEADER = 'coder-session-token';
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** @typedef {import('./index.js').CoderStandinFaults} CoderStandinFaults */
/** @typedef {import('./index.js').CoderStandinOptions} CoderStandinOptions */
/** @typedef {import('./index.js').CoderStandin} CoderStandin */
/** @typedef {import('./index.js').StoredLog} StoredLog */
/** @typedef {import('./index.js').StoredLogSource} StoredLogSource */
/** @typedef {import('./index.js').RecordedRequest} RecordedRequest */
/** @typedef {import('./index.js').AgentCall} AgentCall */

/** Normalise a uuid string the way Go's uuid.Parse output prints it. */
function normaliseUuid(/** @type {string} */ s) {
  const hex = s.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Truncate to n characters (code points, like Postgres substring on text). */
function truncateChars(/** @type {string} */ s, /** @type {number} */ n) {
  if (s.length <= n) return s;
  let count = 0;
  let i = 0;
  for (const ch of s) {
    if (count === n) return s.slice(0, i);
    count++;
    i += ch.length;
  }
  return s;
}

/** @param {CoderStandinFaults | undefined} f */
function normaliseFaults(f) {
  const now = Date.now();
  return {
    serverErrors: f?.serverErrors ?? 0,
    serverErrorStatus: f?.serverErrorStatus ?? 500,
    tooManyRequests: f?.tooManyRequests ?? 0,
    retryAfterSeconds: f?.retryAfterSeconds,
    resets: f?.resets ?? 0,
    stalls: f?.stalls ?? 0,
    stallMs: f?.stallMs ?? 10_000,
    unauthorizedUntil: f?.unauthorizedForMs ? now + f.unauthorizedForMs : 0,
    unauthorizedStatus: f?.unauthorizedStatus ?? 401,
    every: Math.max(1, f?.every ?? 1),
    endpoints: f?.endpoints ?? ['logs', 'log-source'],
    seen: 0,
  };
}

/**
 * Start the stand-in on 127.0.0.1 with an ephemeral port.
 * @param {CoderStandinOptions} [options]
 * @returns {Promise<CoderStandin>}
 */
export async function startCoderStandin(options = {}) {
  const agentToken = options.agentToken ?? randomUUID();
  const logsLimitBytes = options.logsLimitBytes ?? LOGS_LIMIT_BYTES;
  const agentBinaries = { ...(options.agentBinaries ?? {}) };
  let faults = normaliseFaults(options.faults);
  /** @type {Map<string, StoredLogSource>} */
  const sources = new Map();
  /** @type {StoredLog[]} */
  const logs = [];
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {AgentCall[]} */
  const agentCalls = [];
  let logsLength = 0;
  let logsOverflowed = false;
  let nextLogId = 1;
  /** @type {Set<() => void>} */
  const pendingStalls = new Set();

  /** @param {string} id @param {string} displayName @param {string} icon */
  function insertSource(id, displayName, icon) {
    const existing = sources.get(id);
    if (existing) return existing;
    /** @type {StoredLogSource} */
    const src = { id, display_name: displayName, icon, created_at: new Date().toISOString() };
    sources.set(id, src);
    return src;
  }

  /**
   * @param {import('node:http').ServerResponse} res
   * @param {number} status
   * @param {unknown} [body] undefined → empty body
   */
  function send(res, status, body) {
    if (body === undefined) {
      res.writeHead(status, { 'content-length': '0' });
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** @param {import('node:http').IncomingMessage} req @returns {Promise<Buffer>} */
  function readBody(req) {
    return new Promise((resolve, reject) => {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      req.on('data', (/** @type {Buffer} */ c) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) {
          reject(new Error('body too large'));
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  /** @param {string} path */
  function endpointOf(path) {
    if (path === '/api/v2/workspaceagents/me/logs') return 'logs';
    if (path === '/api/v2/workspaceagents/me/log-source') return 'log-source';
    if (path === '/api/v2/workspaceagents/me/manifest') return 'manifest';
    if (path === '/api/v2/buildinfo') return 'buildinfo';
    if (path.startsWith('/bin/')) return 'bin';
    if (path.startsWith('/__standin/')) return 'control';
    return 'other';
  }

  /**
   * Decide the fault (if any) for this request; counts are consumed in order:
   * reset, stall, 429, 5xx.
   * @param {string} endpoint
   * @returns {'reset' | 'stall' | 'tooMany' | 'serverError' | 'unauthorized' | undefined}
   */
  function pickFault(endpoint) {
    if (!faults.endpoints.includes(/** @type {any} */ (endpoint))) return undefined;
    if (faults.unauthorizedUntil && Date.now() < faults.unauthorizedUntil) return 'unauthorized';
    const any = faults.resets + faults.stalls + faults.tooManyRequests + faults.serverErrors;
    if (any === 0) return undefined;
    faults.seen++;
    if (faults.seen % faults.every !== 0) return undefined;
    if (faults.resets > 0) {
      faults.resets--;
      return 'reset';
    }
    if (faults.stalls > 0) {
      faults.stalls--;
      return 'stall';
    }
    if (faults.tooManyRequests > 0) {
      faults.tooManyRequests--;
      return 'tooMany';
    }
    if (faults.serverErrors > 0) {
      faults.serverErrors--;
      return 'serverError';
    }
    return undefined;
  }

  /** @param {import('node:http').IncomingMessage} req */
  function authorised(req) {
    const got = req.headers[TOKEN_HEADER];
    return typeof got === 'string' && got === agentToken;
  }

  /**
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {RecordedRequest} record
   */
  async function handle(req, res, record) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const endpoint = endpointOf(path);
    const method = req.method ?? 'GET';

    if (endpoint === 'control') return handleControl(req, res, path, method);

    const fault = pickFault(endpoint);
    record.fault = fault;
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault === 'stall') {
      const aborted = await new Promise((resolve) => {
        const done = (/** @type {boolean} */ v) => {
          clearTimeout(timer);
          pendingStalls.delete(onClose);
          res.off('close', onClose);
          resolve(v);
        };
        const onClose = () => done(true);
        const timer = setTimeout(() => done(false), faults.stallMs);
        pendingStalls.add(onClose);
        res.on('close', onClose);
      });
      // coderd cancels the request context when the client goes away: nothing is stored.
      if (aborted || res.destroyed) {
        record.status = 0;
        return;
      }
    }

    if (endpoint === 'buildinfo' && method === 'GET') {
      return send(res, 200, { version: 'v2.20.0-devcontainer-kit-standin', external_url: server.url });
    }
    if (endpoint === 'bin' && method === 'GET') {
      const arch = path === '/bin/coder-linux-amd64' ? 'amd64' : path === '/bin/coder-linux-arm64' ? 'arm64' : undefined;
      const file = arch ? agentBinaries[arch] : undefined;
      if (!file) return send(res, 404, { message: 'Not found.' });
      let size;
      try {
        size = statSync(file).size;
      } catch {
        return send(res, 404, { message: 'Not found.' });
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      createReadStream(file).pipe(res);
      return;
    }
    if (endpoint === 'other') {
      return send(res, 404, { message: 'Route not found.' });
    }

    // Agent-authenticated routes.
    if (fault === 'unauthorized') {
      return send(res, faults.unauthorizedStatus, {
        message: faults.unauthorizedStatus === 403 ? 'Forbidden.' : 'Workspace agent not authorized.',
        detail: 'The agent token is not valid yet (injected fault).',
      });
    }
    if (!req.headers[TOKEN_HEADER]) {
      return send(res, 401, {
        message: 'Workspace agent not authorized.',
        detail: 'Header "Coder-Session-Token" must be provided.',
      });
    }
    if (!authorised(req)) {
      return send(res, 401, { message: 'Workspace agent not authorized.', detail: 'Invalid agent token.' });
    }

    if (endpoint === 'manifest') {
      if (method !== 'GET') return send(res, 405, { message: 'Method not allowed.' });
      agentCalls.push({
        at: new Date().toISOString(),
        method,
        path,
        userAgent: String(req.headers['user-agent'] ?? ''),
      });
      return send(res, 200, {
        agent_id: '6e9c6c8e-2a1c-4b8e-9c59-1d2c0a3b4c5d',
        agent_name: 'main',
        owner_name: 'standin',
        workspace_id: '0d6c1a9e-8a1f-4a41-9f3f-6d6f3b2a1c00',
        workspace_name: 'standin',
        directory: '',
        apps: [],
        scripts: [],
        environment_variables: {},
        vscode_port_proxy_uri: '',
        derp_map: null,
        disable_direct_connections: true,
      });
    }

    if (faults && fault === 'tooMany') {
      res.setHeader('retry-after', String(faults.retryAfterSeconds ?? 1));
      return send(res, 429, { message: 'You have been rate limited.' });
    }
    if (fault === 'serverError') {
      return send(res, faults.serverErrorStatus, { message: 'Internal error (injected fault).' });
    }

    if (endpoint === 'log-source') {
      if (method !== 'POST') return send(res, 405, { message: 'Method not allowed.' });
      const parsed = await readJson(req);
      if (!parsed.ok) return send(res, 400, { message: 'Request body must be valid JSON.', detail: parsed.detail });
      const body = parsed.value;
      const id = body?.id === undefined ? NIL_UUID : body.id;
      if (typeof id !== 'string' || !UUID_RE.test(id)) {
        return send(res, 400, { message: 'Request body must be valid JSON.', detail: 'invalid UUID in "id"' });
      }
      const displayName = typeof body?.display_name === 'string' ? body.display_name : '';
      const icon = typeof body?.icon === 'string' ? body.icon : '';
      if ([...displayName].length > MAX_DISPLAY_NAME_CHARS) {
        // varchar(127) in the database: coderd answers with an internal error.
        return send(res, 500, {
          message: 'An internal server error occurred.',
          detail: 'pq: value too long for type character varying(127)',
        });
      }
      const src = insertSource(normaliseUuid(id), displayName, icon);
      record.sourceId = src.id;
      return send(res, 201, {
        id: src.id,
        workspace_agent_id: '6e9c6c8e-2a1c-4b8e-9c59-1d2c0a3b4c5d',
        created_at: src.created_at,
        display_name: src.display_name,
        icon: src.icon,
      });
    }

    if (endpoint === 'logs') {
      if (method !== 'PATCH') return send(res, 405, { message: 'Method not allowed.' });
      const parsed = await readJson(req);
      if (!parsed.ok) return send(res, 400, { message: 'Request body must be valid JSON.', detail: parsed.detail });
      const body = parsed.value;
      let sourceId = body?.log_source_id ?? NIL_UUID;
      if (typeof sourceId !== 'string' || !UUID_RE.test(sourceId)) {
        return send(res, 400, { message: 'Request body must be valid JSON.', detail: 'invalid UUID in "log_source_id"' });
      }
      sourceId = normaliseUuid(sourceId);
      const entries = body?.logs;
      if (entries !== undefined && entries !== null && !Array.isArray(entries)) {
        return send(res, 400, { message: 'Request body must be valid JSON.', detail: '"logs" must be an array' });
      }
      if (!entries || entries.length === 0) {
        return send(res, 400, { message: 'No logs provided.' });
      }
      let outputLength = 0;
      /** @type {{ output: string, level: string }[]} */
      const rows = [];
      for (const entry of entries) {
        const output = typeof entry?.output === 'string' ? entry.output : '';
        let level = typeof entry?.level === 'string' ? entry.level : '';
        if (level === '') level = 'info';
        if (!LOG_LEVELS.includes(level)) {
          return send(res, 400, { message: 'Invalid log level provided.', detail: `invalid log level: "${level}"` });
        }
        outputLength += Buffer.byteLength(output, 'utf8');
        rows.push({ output, level });
      }
      if (rows.some((r) => r.output.includes('\u0000'))) {
        return send(res, 500, {
          message: 'Failed to upload logs',
          detail: 'pq: invalid byte sequence for encoding "UTF8": 0x00',
        });
      }
      if (sourceId === NIL_UUID) {
        insertSource(EXTERNAL_LOG_SOURCE_ID, 'External', '/emojis/1f310.png');
        sourceId = EXTERNAL_LOG_SOURCE_ID;
      }
      if (logsOverflowed || logsLength + outputLength > logsLimitBytes) {
        logsOverflowed = true;
        return send(res, 413, { message: 'Logs limit exceeded' });
      }
      logsLength += outputLength;
      const createdAt = new Date().toISOString();
      for (const r of rows) {
        logs.push({
          id: nextLogId++,
          created_at: createdAt,
          output: truncateChars(r.output, MAX_OUTPUT_CHARS),
          level: /** @type {StoredLog['level']} */ (r.level),
          log_source_id: sourceId,
        });
      }
      record.sourceId = sourceId;
      record.logCount = rows.length;
      return send(res, 200);
    }

    return send(res, 404, { message: 'Route not found.' });
  }

  /** @param {import('node:http').IncomingMessage} req */
  async function readJson(req) {
    const buf = await readBody(req);
    try {
      // Invalid UTF-8 becomes U+FFFD here, as in Go's JSON decoder.
      return { ok: true, value: JSON.parse(buf.toString('utf8')) };
    } catch (err) {
      return { ok: false, value: undefined, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Test-only inspection and control routes for out-of-process use (bats, benches).
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} path
   * @param {string} method
   */
  async function handleControl(req, res, path, method) {
    if (path === '/__standin/logs' && method === 'GET') return send(res, 200, api.logs());
    if (path === '/__standin/sources' && method === 'GET') return send(res, 200, api.sources());
    if (path === '/__standin/requests' && method === 'GET') return send(res, 200, api.requests());
    if (path === '/__standin/agent-calls' && method === 'GET') return send(res, 200, api.agentCalls());
    if (path === '/__standin/stats' && method === 'GET') return send(res, 200, api.stats());
    if (path === '/__standin/faults' && method === 'POST') {
      const parsed = await readJson(req);
      if (!parsed.ok) return send(res, 400, { message: 'invalid JSON' });
      api.setFaults(parsed.value ?? {});
      return send(res, 204);
    }
    return send(res, 404, { message: 'Route not found.' });
  }

  const server = Object.assign(
    createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      /** @type {RecordedRequest} */
      const record = {
        at: new Date().toISOString(),
        method: req.method ?? 'GET',
        path: url.pathname,
        status: 0,
        headerNames: Object.keys(req.headers).sort(),
      };
      const isControl = url.pathname.startsWith('/__standin/');
      if (!isControl) requests.push(record);
      res.on('finish', () => {
        record.status = res.statusCode;
      });
      handle(req, res, record).catch((err) => {
        if (!res.headersSent) send(res, 500, { message: 'stand-in error', detail: String(err?.message ?? err) });
        else res.destroy();
      });
    }),
    { url: '' },
  );
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('stand-in: no TCP address');
  server.url = `http://127.0.0.1:${address.port}/`;

  /** @type {CoderStandin} */
  const api = {
    url: server.url,
    port: address.port,
    agentToken,
    sources: () => [...sources.values()].map((s) => ({ ...s })),
    logs: (sourceId) => (sourceId === undefined ? logs : logs.filter((l) => l.log_source_id === sourceId)).map((l) => ({ ...l })),
    requests: () => requests.map((r) => ({ ...r, headerNames: [...r.headerNames] })),
    agentCalls: () => agentCalls.map((c) => ({ ...c })),
    stats: () => ({ logsLength, logsOverflowed, logCount: logs.length, requestCount: requests.length }),
    setFaults: (f) => {
      faults = normaliseFaults(f);
    },
    setAgentBinaries: (bins) => {
      Object.assign(agentBinaries, bins);
    },
    close: async () => {
      for (const abort of [...pendingStalls]) abort();
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
  return api;
}
