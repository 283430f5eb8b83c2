// Host side of the pod loopback relay (see relay.mjs and index.d.ts). Plain ESM JavaScript with
// types in index.d.ts, like the Coder stand-in and the git server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

const relayScript = join(dirname(fileURLToPath(import.meta.url)), 'relay.mjs');

export async function exposeToPod({ pid, services, dir }) {
  const base = mkdtempSync(join(dir ?? tmpdir(), 'dck-pod-loopback-'));
  const counts = new Map();
  const servers = [];
  const open = new Set();
  for (const { port, tls } of services) {
    counts.set(port, 0);
    const server = createServer((fromPod) => {
      open.add(fromPod);
      fromPod.on('close', () => open.delete(fromPod));
      const pod = tls ? new TLSSocket(fromPod, { isServer: true, key: tls.key, cert: tls.cert }) : fromPod;
      const host = connect(port, '127.0.0.1');
      pod.on('data', (d) => counts.set(port, counts.get(port) + d.length));
      host.on('data', (d) => counts.set(port, counts.get(port) + d.length));
      pod.pipe(host).pipe(pod);
      pod.on('error', () => host.destroy());
      host.on('error', () => pod.destroy());
      fromPod.on('error', () => host.destroy());
    });
    const path = join(base, `${port}.sock`);
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, resolve);
    });
    servers.push({ server, port, path });
  }
  const relay = spawn('nsenter', ['-t', String(pid), '-n', process.execPath, relayScript, ...servers.map((s) => `${s.port}=${s.path}`)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  relay.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the pod relay did not start within 10 s: ${stderr}`)), 10_000);
    relay.stdout.on('data', (d) => {
      if (String(d).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    relay.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the pod relay (nsenter -t ${pid} -n) exited with ${code}: ${stderr}`));
    });
  });
  return {
    bytes: (port) => counts.get(port) ?? 0,
    async close() {
      relay.kill('SIGTERM');
      for (const socket of open) socket.destroy();
      await Promise.all(servers.map(({ server }) => new Promise((resolve) => server.close(() => resolve()))));
      rmSync(base, { recursive: true, force: true });
    },
  };
}
