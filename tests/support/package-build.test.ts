// ensurePackageBuilt (package-build.js): real files, real processes, the real flock. A stand-in build
// command records each build and takes 0.5 s, so two test files asking at once would both build
// without the lock and the second check.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePackageBuilt } from './package-build.js';

const BUILD = ['sh', '-c', 'sleep 0.5; mkdir -p dist; echo built >> builds.log; touch dist/index.js'];
const builds = (dir: string) => readFileSync(join(dir, 'builds.log'), { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).length;

function fakePackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pkg-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/index.ts'), 'export {};\n');
  return dir;
}

describe('ensurePackageBuilt', () => {
  it('builds a missing dist once when two processes ask at the same time', async () => {
    const dir = fakePackage();
    const script = `import { ensurePackageBuilt } from ${JSON.stringify(join(import.meta.dirname, 'package-build.js'))};
ensurePackageBuilt(${JSON.stringify(dir)}, { command: ${JSON.stringify(BUILD)} });`;
    const run = () =>
      new Promise<number | null>((resolve) =>
        spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' }).on('exit', resolve),
      );
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    expect(builds(dir)).toBe(1);
  });

  it('rebuilds when src/ is newer, and only when stale builds are wanted', () => {
    const dir = fakePackage();
    ensurePackageBuilt(dir, { command: BUILD });
    ensurePackageBuilt(dir, { command: BUILD });
    expect(builds(dir)).toBe(1);
    const later = new Date(Date.now() + 10_000);
    utimesSync(join(dir, 'src/index.ts'), later, later);
    ensurePackageBuilt(dir, { command: BUILD, whenStale: false });
    expect(builds(dir)).toBe(1);
    ensurePackageBuilt(dir, { command: BUILD });
    expect(builds(dir)).toBe(2);
  });

  it('a failing build throws, naming the command', () => {
    const dir = fakePackage();
    expect(() => ensurePackageBuilt(dir, { command: ['sh', '-c', 'exit 3'] })).toThrow();
  });
});
