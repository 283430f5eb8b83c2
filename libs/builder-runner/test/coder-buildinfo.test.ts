// getCoderBuildInfo against a real HTTP server on loopback (what coderd answers: public buildinfo JSON).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCoderBuildInfo } from '../src/coder-buildinfo.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok/api/v2/buildinfo') return res.end(JSON.stringify({ version: 'v2.30.0', external_url: 'x' }));
    if (req.url === '/html/api/v2/buildinfo') return res.end('<html>a login page</html>');
    if (req.url === '/slow/api/v2/buildinfo') return; // never answers
    res.statusCode = 502;
    res.end('bad gateway');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('getCoderBuildInfo', () => {
  it('gives the version, or says why Coder did not answer', async () => {
    expect(await getCoderBuildInfo(`${url}/ok/`, { timeoutMs: 2000 })).toEqual({ ok: true, version: 'v2.30.0' });
    expect(await getCoderBuildInfo(`${url}/bad/`, { timeoutMs: 2000 })).toEqual({ ok: false, error: 'HTTP 502' });
    expect(await getCoderBuildInfo(`${url}/html/`, { timeoutMs: 2000 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not JSON/),
    });
    expect(await getCoderBuildInfo(`${url}/slow/`, { timeoutMs: 200 })).toEqual({ ok: false, error: 'no answer in 0.2 s' });
    expect(await getCoderBuildInfo('http://127.0.0.1:9/', { timeoutMs: 2000 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});
