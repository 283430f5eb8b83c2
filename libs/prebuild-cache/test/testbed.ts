// Test-side access to the repository's test bed scripts (tests/testbed/*.sh) and docker, for the
// extensions, image-cache and fallback tests. Each script is idempotent and prints its result.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs tests/testbed/NAME.sh and returns its trimmed stdout (its log goes to stderr). */
export function runTestbed(name: string, env: NodeJS.ProcessEnv = process.env, args: string[] = []): string {
  return execFileSync('bash', [join(repoRoot, 'tests/testbed', `${name}.sh`), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
    maxBuffer: 16 * 1024 * 1024,
  }).trim();
}

/** Runs docker and returns trimmed stdout; throws with stderr on failure. */
export function docker(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('docker', args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
}

/** A unique name with this package's Docker prefix. */
export function uniqueName(what: string): string {
  return `dck-builder-ext-${what}-${randomBytes(4).toString('hex')}`;
}
