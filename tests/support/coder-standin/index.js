// @ts-check
// A loopback stand-in for the parts of coderd a workspace agent talks to, following what a real
// coderd v2.30.0 does (see /work/shared/TESTBED.md, "Coder agent log API" and "Coder: what a real
// coderd … does"):
//   - the agent token as `Coder-Session-Token`, `Authorization: Bearer` or `?coder_session_token=`;
//     coderd's 401 texts (missing / not a UUID / unknown token),
//   - POST /api/v2/workspaceagents/me/log-source → 201; a display name over 127 characters is stored
//     cut; registering an id again answers 201 echoing the new name/icon while the stored row keeps the first,
//   - PATCH /api/v2/workspaceagents/me/logs → 200 with body `null`; 400 for invalid JSON / bad uuid,
//     empty `logs`, or a bad level; 413 "Logs limit exceeded" for a batch that would take the agent's
//     total output (bytes, counted before truncation) past 1 MiB — only that batch: later batches that
//     fit are stored, `logs_overflowed` stays set; 500 for NUL,
//   - invalid UTF-8 bytes become one U+FFFD each, lone surrogates U+FFFD; outputs truncated to 1024
//     code points; server timestamps; nil source → "External",
//   - GET /api/v2/buildinfo (public, a real version string); no HTTP manifest route (404); the agent
//     connects with a websocket upgrade at GET /api/v2/workspaceagents/me/rpc (recorded as an agent call),
//   - GET /bin/coder-linux-<arch> (public): ETag "<sha1>", X-Original-Content-Length, 304 on If-None-Match,
//     gzip without Content-Length for clients that accept it (site/bin.go behind coderd's compressor),
//   - opt-in: coderd's rate limit (512 requests per minute per IP and endpoint → 429, Retry-After: 60).
// Faults can be injected (5xx bursts, 429, connection resets, stalls, 401/403 for the first N ms).
// Plain ESM JavaScript with types in index.d.ts, so vitest, tsc and plain `node` can all load it.

import { isUtf8 } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createGzip } from 'node:zlib';

export const EXTERNAL_LOG_SOURCE_ID = '3b579bf4-1ed8-4b99-87a8-e9a1e3410410';
export const LOGS_LIMIT_BYTES = 1_048_576;
export const MAX_OUTPUT_CHARS = 1024;
export const MAX_DISPLAY_NAME_CHARS = 127;
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const TOKEN_HEADER = 'coder-session-token';
const TOKEN_QUERY = 'coder_session_token';
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** What GET /api/v2/buildinfo reports: the coderd release the facts were checked against. */
export const STANDIN_CODER_VERSION = 'v2.30.0';
/** coderd's API rate limit: requests per window per IP and endpoint, and the window. */
export const RATE_LIMIT_REQUESTS = 512;
export const RATE_LIMIT_WINDOW_SECONDS = 60;
const LOGS_LIMIT_DETAIL = 'pq: new row for relation "workspace_agents" violates check constraint "max_logs_length"';
const UNKNOWN_TOKEN_DETAIL =
  'The agent cannot authenticate until the workspace provision job has been completed. If the job is no longer running, this agent is invalid.';
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

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

/** True when `s` parses as a UUID the way Go's uuid.Parse accepts the common forms. */
function isUuid(/** @type {string} */ s) {
  return UUID_RE.test(s);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Decode a request body as Go's encoding/json sees strings: every byte that is not part of a valid
 * UTF-8 sequence becomes its own U+FFFD (Node's decoder would merge a truncated sequence into one).
 * @param {Buffer} buf
 */
function decodeUtf8LikeGo(buf) {
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let i = 0;
  let from = 0;
  while (i < buf.length) {
    const b = /** @type {number} */ (buf[i]);
    const width = validSequenceWidth(buf, i, b);
    if (width === 0) {
      out += `${buf.toString('utf8', from, i)}\uFFFD`;
      i++;
      from = i;
    } else {
      i += width;
    }
  }
  return out + buf.toString('utf8', from);
}

/** Length of the valid UTF-8 sequence starting at `i` (Go's utf8.DecodeRune rules), 0 when invalid. */
function validSequenceWidth(/** @type {Buffer} */ buf, /** @type {number} */ i, /** @type {number} */ b) {
  if (b < 0x80) return 1;
  const cont = (/** @type {number} */ k, lo = 0x80, hi = 0xbf) => {
    const c = buf[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0; // no surrogates
  if (b === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b >= 0xf1 && b <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Lone surrogates (from `\\ud800`-style escapes) become U+FFFD, as Go's JSON decoder does. */
function replaceLoneSurrogates(/** @type {string} */ s) {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

/** @param {CoderStandinFaults | undefined} f */
function normaliseFaults(f) {
  const now = Date.now();
  return {
    serverErrors: f?.serverErrors ?? 0,
    serverErrorStatus: f?.serverErrorStatus ?? 500,
    tooManyRequests: f?.tooManyRequests ?? 0,
    retryAfterSeconds: f?.retryAfterSeconds ?? RATE_LIMIT_WINDOW_SECONDS,
    rateLimit: f?.rateLimit === true,
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
  if (!isUuid(agentToken)) {
    // coderd's agent tokens are UUIDs: anything else is refused with 401 "Workspace agent token invalid."
    throw new TypeError('coder stand-in: agentToken must be a UUID, as coderd agent tokens are (use crypto.randomUUID())');
  }
  /**
   * One record per agent token: like coderd, each agent has its own sources, logs, 1 MiB account
   * and logs_overflowed flag, and they last as long as the stand-in (runs on the same token share them).
   * @typedef {{ sources: Map<string, StoredLogSource>, logs: StoredLog[], agentCalls: AgentCall[], logsLength: number, logsOverflowed: boolean }} AgentState
   * @type {Map<string, AgentState>}
   */
  const agents = new Map();
  const newAgent = (/** @type {string} */ token) => {
    if (!isUuid(token)) throw new TypeError('coder stand-in: agent tokens must be UUIDs, as coderd agent tokens are');
    const id = normaliseUuid(token);
    if (!agents.has(id)) agents.set(id, { sources: new Map(), logs: [], agentCalls: [], logsLength: 0, logsOverflowed: false });
    return token;
  };
  newAgent(agentToken);
  /** The state of the agent a token names (the first agent by default). @param {string} [token] */
  const agentOf = (token = agentToken) => {
    const a = isUuid(token) ? agents.get(normaliseUuid(token)) : undefined;
    if (!a) throw new Error('coder stand-in: no agent with that token');
    return a;
  };
  const logsLimitBytes = options.logsLimitBytes ?? LOGS_LIMIT_BYTES;
  const agentBinaries = { ...(options.agentBinaries ?? {}) };
  let faults = normaliseFaults(options.faults);
  /** @type {RecordedRequest[]} */
  const requests = [];
  let nextLogId = 1;
  /** @type {Set<() => void>} */
  const pendingStalls = new Set();
  /** @type {Set<import('node:stream').Duplex>} */
  const agentConnections = new Set();
  /** Rate-limit windows per "ip endpoint": start time and count. @type {Map<string, { start: number, count: number }>} */
  const rateWindows = new Map();

  /**
   * Insert a source unless its id exists; the stored row always keeps the first registration.
   * @param {AgentState} agent @param {string} id @param {string} displayName @param {string} icon
   */
  function insertSource(agent, id, displayName, icon) {
    const sources = agent.sources;
    const existing = sources.get(id);
    if (existing) return existing;
    /** @type {StoredLogSource} */
    const src = {
      id,
      // varchar(127) in coderd's insert: a longer name is cut, not refused.
      display_name: truncateChars(displayName, MAX_DISPLAY_NAME_CHARS),
      icon,
      created_at: new Date().toISOString(),
    };
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

  /** @type {Map<string, { key: string; size: number; sha1: string }>} */
  const binaryMeta = new Map();
  /** Size and sha1 of an agent binary, computed once per file version (coderd caches them too). @param {string} file */
  function binaryMetadata(file) {
    const st = statSync(file);
    const key = `${st.size}:${st.mtimeMs}`;
    const known = binaryMeta.get(file);
    if (known?.key === key) return known;
    const meta = { key, size: st.size, sha1: createHash('sha1').update(readFileSync(file)).digest('hex') };
    binaryMeta.set(file, meta);
    return meta;
  }

  /** @param {string} path */
  function endpointOf(path) {
    if (path === '/api/v2/workspaceagents/me/logs') return 'logs';
    if (path === '/api/v2/workspaceagents/me/log-source') return 'log-source';
    if (path === '/api/v2/workspaceagents/me/rpc') return 'rpc';
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

  /**
   * coderd's API rate limit (opt-in here): 512 requests per minute per client IP and endpoint
   * path. A window starts with a key's first request (coderd's httprate smooths with the previous
   * window; the threshold and the answer are the same). True when this request is over the limit.
   * @param {import('node:http').IncomingMessage} req @param {string} path
   */
  function rateLimited(req, path) {
    if (!faults.rateLimit) return false;
    const key = `${req.socket.remoteAddress ?? '?'} ${path}`;
    const now = Date.now();
    let w = rateWindows.get(key);
    if (!w || now - w.start >= RATE_LIMIT_WINDOW_SECONDS * 1000) {
      w = { start: now, count: 0 };
      rateWindows.set(key, w);
    }
    if (w.count >= RATE_LIMIT_REQUESTS) return true;
    w.count++;
    return false;
  }

  /** @param {import('node:http').ServerResponse} res */
  function sendRateLimited(res) {
    res.setHeader('retry-after', String(RATE_LIMIT_WINDOW_SECONDS));
    return send(res, 429, {
      message: `You've been rate limited for sending more than ${RATE_LIMIT_REQUESTS} requests in 1m0s.`,
    });
  }

  /**
   * The agent token the way coderd finds it: `?coder_session_token=`, the Coder-Session-Token
   * header, or `Authorization: Bearer`.
   * @param {import('node:http').IncomingMessage} req @param {URL} url
   */
  function tokenOf(req, url) {
    const fromQuery = url.searchParams.get(TOKEN_QUERY);
    if (fromQuery) return fromQuery;
    const header = req.headers[TOKEN_HEADER];
    if (typeof header === 'string' && header !== '') return header;
    const auth = req.headers.authorization;
    if (typeof auth === 'string') {
      const m = /^bearer\s+(.+)$/i.exec(auth.trim());
      if (m) return /** @type {string} */ (m[1]).trim();
    }
    return '';
  }

  /**
   * coderd's agent authentication: the agent the token names, or coderd's 401 answer.
   * @param {import('node:http').IncomingMessage} req @param {URL} url
   * @returns {{ agent: AgentState, problem?: undefined } | { agent?: undefined, problem: { message: string, detail?: string } }}
   */
  function authenticate(req, url) {
    const token = tokenOf(req, url);
    if (token === '') return { problem: { message: `Cookie "${TOKEN_QUERY}" must be provided.` } };
    if (!isUuid(token)) {
      return {
        problem: { message: 'Workspace agent token invalid.', detail: `An agent token must be a valid UUIDv4. (len ${token.length})` },
      };
    }
    const agent = agents.get(normaliseUuid(token));
    if (!agent) return { problem: { message: 'Workspace agent not authorized.', detail: UNKNOWN_TOKEN_DETAIL } };
    return { agent };
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
    if (rateLimited(req, path)) {
      record.fault = 'rateLimit';
      return sendRateLimited(res);
    }

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
      // Public in coderd (no token needed).
      return send(res, 200, {
        external_url: server.url,
        version: STANDIN_CODER_VERSION,
        dashboard_url: server.url,
        workspace_proxy: false,
      });
    }
    if (endpoint === 'bin' && method === 'GET') {
      // coderd's site/bin.go: underscores in the name count as hyphens; only root files; ETag is the
      // quoted sha1 of the file (from coder.sha1, else computed), X-Original-Content-Length its size;
      // If-None-Match with that ETag → 304; behind coderd's compressor a client that accepts gzip gets
      // a gzip body without Content-Length (which is why X-Original-Content-Length exists).
      const name = path.slice('/bin/'.length).replaceAll('_', '-');
      const arch = name === 'coder-linux-amd64' ? 'amd64' : name === 'coder-linux-arm64' ? 'arm64' : undefined;
      const file = arch ? agentBinaries[arch] : undefined;
      if (!file) return send(res, 404, { message: 'Not found.' });
      let meta;
      try {
        meta = binaryMetadata(file);
      } catch {
        return send(res, 404, { message: 'Not found.' });
      }
      const etag = `"${meta.sha1}"`;
      const headers = { 'x-original-content-length': String(meta.size), etag, 'content-type': 'application/octet-stream' };
      const ifNoneMatch = req.headers['if-none-match'];
      if (ifNoneMatch?.split(',').some((t) => t.trim() === etag || t.trim() === '*')) {
        res.writeHead(304, { 'x-original-content-length': headers['x-original-content-length'], etag });
        return res.end();
      }
      const gzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
      if (gzip) {
        res.writeHead(200, { ...headers, 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
        createReadStream(file)
          .pipe(createGzip({ level: 5 }))
          .pipe(res);
        return;
      }
      res.writeHead(200, { ...headers, 'content-length': meta.size });
      createReadStream(file).pipe(res);
      return;
    }
    if (endpoint === 'other') {
      // Includes GET /api/v2/workspaceagents/me/manifest: coderd serves the manifest over the
      // agent's dRPC connection only, not as an HTTP route.
      return send(res, 404, { message: 'Route not found.' });
    }

    // Agent-authenticated routes.
    if (fault === 'unauthorized') {
      return send(res, faults.unauthorizedStatus, {
        message: faults.unauthorizedStatus === 403 ? 'Forbidden.' : 'Workspace agent not authorized.',
        detail: 'The agent token is not valid yet (injected fault).',
      });
    }
    const { agent, problem } = authenticate(req, url);
    if (!agent) return send(res, 401, problem);

    if (endpoint === 'rpc') {
      // Without a websocket upgrade, coderd's websocket library refuses the request.
      res.setHeader('connection', 'Upgrade');
      res.setHeader('upgrade', 'websocket');
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('WebSocket protocol violation: Connection header "" does not contain Upgrade\n');
      return;
    }

    if (fault === 'tooMany') {
      res.setHeader('retry-after', String(faults.retryAfterSeconds));
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
      if (typeof id !== 'string' || !isUuid(id)) {
        return send(res, 400, { message: 'Request body must be valid JSON.', detail: 'invalid UUID in "id"' });
      }
      const displayName = typeof body?.display_name === 'string' ? body.display_name : '';
      const icon = typeof body?.icon === 'string' ? body.icon : '';
      const src = insertSource(agent, normaliseUuid(id), displayName, icon);
      record.sourceId = src.id;
      // coderd answers with the request's name and icon, whatever the stored row holds.
      return send(res, 201, {
        id: src.id,
        workspace_agent_id: '6e9c6c8e-2a1c-4b8e-9c59-1d2c0a3b4c5d',
        created_at: new Date().toISOString(),
        display_name: displayName,
        icon,
      });
    }

    if (endpoint === 'logs') {
      if (method !== 'PATCH') return send(res, 405, { message: 'Method not allowed.' });
      const parsed = await readJson(req);
      if (!parsed.ok) return send(res, 400, { message: 'Request body must be valid JSON.', detail: parsed.detail });
      const body = parsed.value;
      let sourceId = body?.log_source_id ?? NIL_UUID;
      if (typeof sourceId !== 'string' || !isUuid(sourceId)) {
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
        const output = typeof entry?.output === 'string' ? replaceLoneSurrogates(entry.output) : '';
        let level = typeof entry?.level === 'string' ? entry.level : '';
        if (level === '') level = 'info';
        if (!LOG_LEVELS.includes(level)) {
          return send(res, 400, { message: 'Invalid log level provided.', detail: `invalid log level: "${level}"` });
        }
        // Bytes of the decoded output, counted before truncation.
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
        insertSource(agent, EXTERNAL_LOG_SOURCE_ID, 'External', '/emojis/1f310.png');
        sourceId = EXTERNAL_LOG_SOURCE_ID;
      }
      if (agent.logsLength + outputLength > logsLimitBytes) {
        // Only this batch is refused (the database check constraint); smaller batches that still
        // fit are stored later. The first refusal sets logs_overflowed and carries no detail.
        if (agent.logsOverflowed) return send(res, 413, { message: 'Logs limit exceeded', detail: LOGS_LIMIT_DETAIL });
        agent.logsOverflowed = true;
        return send(res, 413, { message: 'Logs limit exceeded' });
      }
      agent.logsLength += outputLength;
      const createdAt = new Date().toISOString();
      for (const r of rows) {
        agent.logs.push({
          id: nextLogId++,
          created_at: createdAt,
          output: truncateChars(r.output, MAX_OUTPUT_CHARS),
          level: /** @type {StoredLog['level']} */ (r.level),
          log_source_id: sourceId,
        });
      }
      record.sourceId = sourceId;
      record.logCount = rows.length;
      return send(res, 200, null);
    }

    return send(res, 404, { message: 'Route not found.' });
  }

  /** @param {import('node:http').IncomingMessage} req */
  async function readJson(req) {
    const buf = await readBody(req);
    try {
      return { ok: true, value: JSON.parse(decodeUtf8LikeGo(buf)) };
    } catch (err) {
      return { ok: false, value: undefined, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * The agent's connection: a websocket upgrade at GET /api/v2/workspaceagents/me/rpc, after
   * coderd's authentication. The stand-in accepts it (101), records the call and holds the
   * connection; it serves no dRPC on it.
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:stream').Duplex} socket
   */
  function handleUpgrade(req, socket) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    /** @type {RecordedRequest} */
    const record = {
      at: new Date().toISOString(),
      method: req.method ?? 'GET',
      path: url.pathname,
      status: 0,
      headerNames: Object.keys(req.headers).sort(),
    };
    requests.push(record);
    socket.on('error', () => {});
    /** @param {number} status @param {string} reason @param {unknown} body @param {Record<string, string>} [headers] */
    const answer = (status, reason, body, headers = {}) => {
      record.status = status;
      const text = JSON.stringify(body);
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n${extra.join('')}connection: close\r\n\r\n${text}`,
      );
    };
    if (endpointOf(url.pathname) !== 'rpc' || req.method !== 'GET') {
      return answer(404, 'Not Found', { message: 'Route not found.' });
    }
    if (rateLimited(req, url.pathname)) {
      record.fault = 'rateLimit';
      return answer(
        429,
        'Too Many Requests',
        { message: `You've been rate limited for sending more than ${RATE_LIMIT_REQUESTS} requests in 1m0s.` },
        { 'retry-after': String(RATE_LIMIT_WINDOW_SECONDS) },
      );
    }
    const { agent, problem } = authenticate(req, url);
    if (!agent) return answer(401, 'Unauthorized', problem);
    const version = url.searchParams.get('version') ?? '2.0';
    if (!/^2\.\d+$/.test(version)) return answer(400, 'Bad Request', { message: 'Unknown or unsupported API version' });
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || String(req.headers.upgrade).toLowerCase() !== 'websocket') {
      return answer(400, 'Bad Request', { message: 'Failed to accept websocket.' });
    }
    const acceptKey = createHash('sha1').update(`${key}${WS_GUID}`).digest('base64');
    record.status = 101;
    agent.agentCalls.push({
      at: record.at,
      method: record.method,
      path: record.path,
      userAgent: String(req.headers['user-agent'] ?? ''),
    });
    agentConnections.add(socket);
    socket.on('close', () => agentConnections.delete(socket));
    socket.on('data', () => {}); // frames are read and ignored
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${acceptKey}\r\n\r\n`,
    );
  }

  /**
   * Test-only inspection and control routes for out-of-process use (bats, benches).
   * @param {import('node:http').IncomingMessage} req
   * @param {import('node:http').ServerResponse} res
   * @param {string} path
   * @param {string} method
   */
  async function handleControl(req, res, path, method) {
    // `?agent=<token>` picks another agent than the first.
    const token = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('agent') ?? undefined;
    if (token !== undefined && !(isUuid(token) && agents.has(normaliseUuid(token)))) {
      return send(res, 404, { message: 'No agent with that token.' });
    }
    if (path === '/__standin/logs' && method === 'GET') return send(res, 200, api.logs(undefined, token));
    if (path === '/__standin/sources' && method === 'GET') return send(res, 200, api.sources(token));
    if (path === '/__standin/requests' && method === 'GET') return send(res, 200, api.requests());
    if (path === '/__standin/agent-calls' && method === 'GET') return send(res, 200, api.agentCalls(token));
    if (path === '/__standin/stats' && method === 'GET') return send(res, 200, api.stats(token));
    if (path === '/__standin/agents' && method === 'POST') return send(res, 201, { agentToken: api.addAgent() });
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
  server.on('upgrade', handleUpgrade);
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
    addAgent: (token = randomUUID()) => newAgent(token),
    sources: (token) => [...agentOf(token).sources.values()].map((s) => ({ ...s })),
    logs: (sourceId, token) => {
      const logs = agentOf(token).logs;
      return (sourceId === undefined ? logs : logs.filter((l) => l.log_source_id === sourceId)).map((l) => ({ ...l }));
    },
    requests: () => requests.map((r) => ({ ...r, headerNames: [...r.headerNames] })),
    agentCalls: (token) => agentOf(token).agentCalls.map((c) => ({ ...c })),
    stats: (token) => {
      const a = agentOf(token);
      return { logsLength: a.logsLength, logsOverflowed: a.logsOverflowed, logCount: a.logs.length, requestCount: requests.length };
    },
    setFaults: (f) => {
      faults = normaliseFaults(f);
      rateWindows.clear();
    },
    setAgentBinaries: (bins) => {
      Object.assign(agentBinaries, bins);
    },
    close: async () => {
      for (const abort of [...pendingStalls]) abort();
      for (const socket of [...agentConnections]) socket.destroy();
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
  return api;
}
