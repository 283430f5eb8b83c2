// GET /api/v2/buildinfo (public in coderd: no token) over node:http(s). Node's fetch costs ~25 ms of
// CPU on its first call (it loads its own HTTP stack); node:http is loaded anyway for the Docker
// Engine API, and preflight runs on a warm restart's critical path. A thin I/O shell.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export type BuildInfoAnswer = { ok: true; version: string | undefined } | { ok: false; error: string };

/** Coder's version at `agentUrl`, or why it did not answer (HTTP status or the network error). */
export async function getCoderBuildInfo(
  agentUrl: string,
  o: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<BuildInfoAnswer> {
  const url = new URL('api/v2/buildinfo', agentUrl);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return await new Promise((resolve) => {
    const req = request(url, { method: 'GET', headers: { accept: 'application/json' }, timeout: o.timeoutMs, signal: o.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => resolve({ ok: false, error: e.message }));
      res.on('end', () => {
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) return resolve({ ok: false, error: `HTTP ${res.statusCode}` });
        try {
          const v = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { version?: unknown }).version;
          resolve({ ok: true, version: typeof v === 'string' ? v : undefined });
        } catch {
          resolve({ ok: false, error: 'the answer is not JSON (is this a Coder URL?)' });
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${o.timeoutMs / 1000} s`)));
    req.on('error', (e) => resolve({ ok: false, error: e.message }));
    req.end();
  });
}
