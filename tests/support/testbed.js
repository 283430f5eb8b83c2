// Test-side access to the test bed scripts (tests/testbed/*.sh). Each script is idempotent and
// prints its result (a path, or nothing) on stdout; this module runs it and returns that.
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const testbedDir = join(repoRoot, 'tests/testbed');

// Typed in testbed.d.ts (JavaScript with declarations, like git-server and coder-standin, so that the
// packages' own test folders can use it under their tsconfig's rootDir).

/**
 * `docker run` flags that stand in for a pod's `privileged: true` on this machine (its capability
 * bounding set lacks CAP_SYS_RESOURCE, so `--privileged` itself fails): what a DinD daemon run here needs.
 */
export const DIND_PRIVILEGED_FLAGS = Object.freeze([
  '--cap-add',
  'ALL',
  '--cap-drop',
  'SYS_RESOURCE',
  '--security-opt',
  'seccomp=unconfined',
  '--security-opt',
  'apparmor=unconfined',
  '--security-opt',
  'systempaths=unconfined',
  '--device-cgroup-rule',
  'a *:* rwm',
  '-v',
  '/sys/fs/cgroup:/sys/fs/cgroup:rw',
  '--cgroupns',
  'host',
]);

/**
 * Runs tests/testbed/NAME.sh [ARGS…] and returns its trimmed stdout. Its log is passed on to stderr
 * when it ends; when it fails, the error carries the log's last lines, so a test's failure line in
 * a CI log cut to its tail says why. The script runs with the machine's TMPDIR, not the test file's
 * (tests/testbed/lib.sh sees to it).
 */
export function runTestbed(name, ...args) {
  const r = spawnSync('bash', [join(testbedDir, `${name}.sh`), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.status !== 0) {
    const tail = (r.stderr ?? '').trimEnd().split('\n').slice(-10).join('\n');
    throw new Error(`tests/testbed/${name}.sh ${args.join(' ')} failed (${r.status ?? r.signal ?? r.error?.message}):\n${tail}`);
  }
  return r.stdout.trim();
}

/** Runs a test bed script that prints KEY=VALUE lines (registry-auth, sshd) and returns them as an object. */
export function runTestbedValues(name, ...args) {
  return Object.fromEntries(
    runTestbed(name, ...args)
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** Runs docker ARGS (with ENV, e.g. another DOCKER_HOST) and returns its trimmed stdout; throws with stderr on failure. */
export function docker(args, env = process.env) {
  return execFileSync('docker', args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
}

/** Makes sure the Docker engine answers and local/debian:bookworm exists. */
export function ensureDocker() {
  runTestbed('docker');
}

/** Path of the goss v0.4.9 binary. */
export function gossPath() {
  return runTestbed('goss');
}

/** Path of a Terraform CLI config that installs coder/coder and hashicorp/kubernetes from the local mirror. */
export function terraformCliConfig() {
  return runTestbed('terraform-providers');
}

/** A free TCP port on 127.0.0.1 (for servers that cannot report the port they bound to). */
export async function freeLoopbackPort() {
  const { createServer } = await import('node:net');
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
