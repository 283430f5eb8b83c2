import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDevcontainer, validateDevcontainer } from '../../src/index.js';

export const fixturesDir = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** `code@line:col` for every problem of a config text (sorted by position). */
export function problemsOf(text: string): string[] {
  return validateDevcontainer(parseDevcontainer(text, { file: 'f.json' })).map((p) => `${p.code}@${p.line}:${p.column}`);
}

/** Problems of a config text with only the given code. */
export function withCode(text: string, code: string) {
  return validateDevcontainer(parseDevcontainer(text, { file: 'f.json' })).filter((p) => p.code === code);
}

/** A copy of a fixture scenario in a fresh temporary folder outside any git repository (the devcontainer CLI treats a git root as the workspace). */
export async function copyFixture(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const base = await mkdtemp(join(tmpdir(), 'dck-devcontainer-config-'));
  const dir = join(base, name);
  await cp(join(fixturesDir, name), dir, { recursive: true });
  return { dir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** The repository root (for node_modules/.bin/devcontainer and tests/testbed). */
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs the test bed's docker.sh: the daemon answers and local/debian:bookworm exists afterwards. */
export function ensureDocker(): void {
  execFileSync('bash', [join(repoRoot, 'tests/testbed/docker.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
