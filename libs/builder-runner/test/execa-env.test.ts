// Every child process of the builder's packages gets an explicit environment and never inherits
// the parent's: each execa call passes `env` and `extendEnv: false` (the runtime proof is
// secret-hygiene.test.ts here and in prebuild-cache).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const packages = ['libs/builder-runner', 'libs/prebuild-cache', 'libs/docker-context', 'apps/devcontainer-builder'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The text of each `execa(…)` call (balanced parentheses). */
export function execaCalls(text: string): string[] {
  const calls: string[] = [];
  for (let i = text.indexOf('execa('); i !== -1; i = text.indexOf('execa(', i + 1)) {
    let depth = 0;
    let j = i + 'execa'.length;
    for (; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) break;
    }
    calls.push(text.slice(i, j + 1));
  }
  return calls;
}

describe('child process environments', () => {
  const calls = packages.flatMap((pkg) =>
    sources(join(root, pkg, 'src')).flatMap((file) =>
      execaCalls(readFileSync(file, 'utf8')).map((call) => ({ file: file.slice(root.length + 1), call })),
    ),
  );

  it('finds the execa calls (docker, devcontainer CLI, git, the agent exec)', () => {
    expect(calls.length).toBeGreaterThanOrEqual(4);
  });

  it.each(calls.map((c) => [c.file, c.call] as const))('%s passes env and extendEnv: false', (_file, call) => {
    expect(call).toMatch(/\benv\b/);
    expect(call).toContain('extendEnv: false');
  });

  it('no source reads or writes process.env, except the app entry that builds the Docker context', () => {
    for (const pkg of packages.slice(0, 3))
      for (const file of sources(join(root, pkg, 'src'))) expect(readFileSync(file, 'utf8'), file).not.toMatch(/process\.env\b/);
  });
});
