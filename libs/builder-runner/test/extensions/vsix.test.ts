// Real: .vsix files packed by @vscode/vsce from the fixture extensions (tests/testbed/vsix.sh),
// a real zip without a manifest (made with the system's zip), real directories. No mocks.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions } from '../../src/extensions/version.js';
import { matchVsix, readVsixManifest, scanVsixDirectory } from '../../src/extensions/vsix.js';
import { runTestbed } from './testbed.js';

let vsixDir: string;
let scratch: string;

beforeAll(() => {
  vsixDir = runTestbed('vsix');
  scratch = mkdtempSync(join(tmpdir(), 'dck-builder-ext-vsix-'));
}, 300_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('readVsixManifest', () => {
  it('reads publisher, name and version from extension/package.json inside the .vsix', async () => {
    const file = join(vsixDir, 'dck-fixtures.hello-1.0.0.vsix');
    expect(await readVsixManifest(file)).toEqual({
      file,
      id: 'dck-fixtures.hello',
      publisher: 'dck-fixtures',
      name: 'hello',
      version: '1.0.0',
    });
  });

  it('rejects a zip without an extension manifest and a file that is no zip', async () => {
    writeFileSync(join(scratch, 'readme.txt'), 'hi');
    execFileSync('zip', ['-q', join(scratch, 'empty.vsix'), 'readme.txt'], { cwd: scratch });
    await expect(readVsixManifest(join(scratch, 'empty.vsix'))).rejects.toThrow(/no extension\/package.json/);
    writeFileSync(join(scratch, 'junk.vsix'), 'not a zip');
    await expect(readVsixManifest(join(scratch, 'junk.vsix'))).rejects.toThrow();
  });
});

describe('scanVsixDirectory + matchVsix', () => {
  it('matches by the manifest (not the file name), by exact pin or highest version', async () => {
    const dir = join(scratch, 'offline');
    execFileSync('mkdir', ['-p', dir]);
    for (const f of readdirSync(vsixDir).filter((n) => n.endsWith('.vsix'))) copyFileSync(join(vsixDir, f), join(dir, `renamed-${f}`));
    writeFileSync(join(dir, 'broken.vsix'), 'not a zip');
    const scan = await scanVsixDirectory(dir);
    expect(scan.files.map((f) => `${f.id}@${f.version}`).sort()).toEqual(['dck-fixtures.greeter@0.2.0', 'dck-fixtures.hello@1.0.0']);
    expect(scan.problems.map((p) => p.file)).toEqual([join(dir, 'broken.vsix')]);

    const files = [
      ...scan.files,
      { ...scan.files[0]!, version: '0.10.0', file: 'newer' },
      { ...scan.files[0]!, version: '0.9.0', file: 'older' },
    ];
    const greeter = files.filter((f) => f.id === 'dck-fixtures.greeter');
    expect(greeter.length).toBe(3);
    expect(matchVsix(files, { id: 'dck-fixtures.greeter', spec: 'x' })!.file).toBe('newer');
    expect(matchVsix(files, { id: 'dck-fixtures.greeter', version: '0.9.0', spec: 'x' })!.file).toBe('older');
    expect(matchVsix(files, { id: 'dck-fixtures.greeter', version: '9.9.9', spec: 'x' })).toBeUndefined();
    expect(matchVsix(files, { id: 'nobody.else', spec: 'x' })).toBeUndefined();
  });

  it('reports a missing directory as a problem', async () => {
    const scan = await scanVsixDirectory(join(scratch, 'nope'));
    expect(scan.files).toEqual([]);
    expect(scan.problems[0]!.reason).toMatch(/cannot read the directory/);
  });
});

describe('compareVersions', () => {
  it('orders numerically, releases after pre-releases', () => {
    expect(['1.10.0', '1.2.0', '1.2.0-beta', '0.9.9'].sort(compareVersions)).toEqual(['0.9.9', '1.2.0-beta', '1.2.0', '1.10.0']);
  });
});
