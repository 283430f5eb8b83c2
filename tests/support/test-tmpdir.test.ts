// The per-file TMPDIR every package's vitest config sets up (test-tmpdir-setup.js). Real files, a real child process.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestTmpdir, hostTmpdir } from './test-tmpdir.js';

describe('test TMPDIR', () => {
  it("this file's os.tmpdir() is its own directory under the machine's, and the processes it starts inherit it", () => {
    const dir = tmpdir();
    expect(dirname(dir)).toBe(hostTmpdir());
    expect(dir).toMatch(/\/dck-test-test-tmpdir-[^/]+$/);
    expect(existsSync(dir)).toBe(true);
    expect(execFileSync('sh', ['-c', 'mktemp -d'], { encoding: 'utf8' }).startsWith(`${dir}/`)).toBe(true);
  });

  it("a test bed script started from a test (daemons outlive the file) runs with the machine's TMPDIR", () => {
    const lib = join(import.meta.dirname, '../testbed/lib.sh');
    const script = `source ${JSON.stringify(lib)}; printf %s "$TMPDIR"`;
    const env = { ...process.env, DCK_TEST_SCOPE: 'all' };
    expect(tmpdir()).not.toBe(hostTmpdir());
    expect(execFileSync('bash', ['-c', script], { encoding: 'utf8', env })).toBe(hostTmpdir());
  });

  it('the remover takes nested and read-only content, and never throws', () => {
    const t = createTestTmpdir('remover check');
    expect(t.dir).toMatch(/\/dck-test-remover-check-[^/]+$/);
    mkdirSync(join(t.dir, 'a/b'), { recursive: true });
    writeFileSync(join(t.dir, 'a/b/file'), 'x');
    chmodSync(join(t.dir, 'a/b/file'), 0o400);
    t.remove();
    expect(existsSync(t.dir)).toBe(false);
    expect(() => t.remove()).not.toThrow();
  });
});
