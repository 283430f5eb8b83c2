// The pod loopback relay against a real network namespace (unshare --net, loopback only, like a pod's
// on the test bed's node): host servers on 127.0.0.1 become reachable on the same ports inside it,
// plain and with TLS terminated on the host side; nothing listens there without the relay.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exposeToPod } from './index.js';

const execFileAsync = promisify(execFile);
let netns: ChildProcess;
let server: Server;
let port: number;
let dir: string;
let tls: { key: string; cert: string; ca: string };

/**
 * Runs node inside the namespace: GET http(s)://127.0.0.1:port/ and print status + body. Asynchronous:
 * the relay's host side lives in this process and must keep answering meanwhile.
 */
async function getInside(url: string, ca?: string): Promise<string> {
  const script = `const m = require(${JSON.stringify(url.startsWith('https') ? 'node:https' : 'node:http')});
m.get(${JSON.stringify(url)}, { ca: process.env.CA || undefined }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => console.log(r.statusCode + ' ' + b)); })
 .on('error', (e) => { console.log('error ' + e.code); });`;
  const { stdout } = await execFileAsync('nsenter', ['-t', String(netns.pid), '-n', process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, CA: ca ?? '', NODE_EXTRA_CA_CERTS: '' },
  });
  return stdout.trim();
}

beforeAll(async () => {
  if (process.getuid?.() !== 0) return;
  netns = spawn('unshare', ['--net', 'sh', '-c', 'ip link set lo up && exec sleep 600'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 300));
  server = createServer((req, res) => res.end(`hello ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'dck-pod-loopback-test-'));
  const sh = (s: string) => execFileSync('sh', ['-c', s], { cwd: dir, stdio: 'ignore' });
  sh('openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj /CN=t-ca');
  sh('openssl req -newkey rsa:2048 -nodes -keyout s.key -out s.csr -subj /CN=127.0.0.1');
  sh(
    "printf 'subjectAltName=IP:127.0.0.1\\n' > s.ext && openssl x509 -req -in s.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out s.crt -days 1 -extfile s.ext",
  );
  const read = (f: string) => execFileSync('cat', [join(dir, f)], { encoding: 'utf8' });
  tls = { key: read('s.key'), cert: read('s.crt'), ca: read('ca.crt') };
});

afterAll(async () => {
  netns?.kill();
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Network namespaces and nsenter need root (as the cluster itself does); CI runs as root.
describe.skipIf(process.getuid?.() !== 0)('exposeToPod', () => {
  it('makes a host server reachable on the same port inside the namespace, and only while it runs', async () => {
    expect(await getInside(`http://127.0.0.1:${port}/x`)).toBe('error ECONNREFUSED');
    const relay = await exposeToPod({ pid: netns.pid as number, services: [{ port }] });
    try {
      expect(await getInside(`http://127.0.0.1:${port}/through`)).toBe('200 hello /through');
      expect(relay.bytes(port)).toBeGreaterThan(0);
    } finally {
      await relay.close();
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await getInside(`http://127.0.0.1:${port}/x`)).toBe('error ECONNREFUSED');
  });

  it('terminates TLS on the host side: the namespace speaks HTTPS to a plain HTTP server', async () => {
    const relay = await exposeToPod({ pid: netns.pid as number, services: [{ port, tls: { key: tls.key, cert: tls.cert } }] });
    try {
      expect(await getInside(`https://127.0.0.1:${port}/tls`, tls.ca)).toBe('200 hello /tls');
      // Without the CA the certificate is refused: the TLS is real.
      expect(await getInside(`https://127.0.0.1:${port}/tls`)).toMatch(
        /^error (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT)/,
      );
    } finally {
      await relay.close();
    }
  });

  it('fails clearly when the process is gone', async () => {
    await expect(exposeToPod({ pid: 2 ** 22 + 7, services: [{ port }] })).rejects.toThrow(/pod relay .* exited/);
  });
});
