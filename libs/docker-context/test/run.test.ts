import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBackoff } from '../src/backoff.js';
import { createDockerContext } from '../src/context.js';
import { parseResultLine, runCommand, runDocker } from '../src/run.js';

function recordingDocker(): { dir: string; envFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'docker-shim-'));
  const envFile = join(dir, 'env.txt');
  writeFileSync(join(dir, 'docker'), `#!/bin/sh\nenv >> '${envFile}'\necho "args: $*"\necho "oops" >&2\nexit 3\n`, { mode: 0o755 });
  return { dir, envFile };
}

describe('runDocker', () => {
  it("runs docker with the context's environment only", async () => {
    const shim = recordingDocker();
    process.env.DCK_PARENT_ONLY = 'parent-secret';
    const ctx = createDockerContext({ env: { PATH: `${shim.dir}:/usr/bin:/bin`, GH_TOKEN: 'gh-secret' }, dockerHost: 'tcp://127.0.0.1:1' });
    const lines: string[] = [];
    const r = await runDocker(ctx, ['ps', '-a'], { extraEnv: { ONLY_THIS_CALL: '1' }, onLine: (l) => lines.push(l) });
    delete process.env.DCK_PARENT_ONLY;
    expect(r).toMatchObject({ exitCode: 3, stdout: 'args: ps -a', stderr: 'oops' });
    expect(lines.sort()).toEqual(['args: ps -a', 'oops']);
    const seen = readFileSync(shim.envFile, 'utf8');
    expect(seen).toContain('DOCKER_HOST=tcp://127.0.0.1:1');
    expect(seen).toContain('ONLY_THIS_CALL=1');
    expect(seen).not.toMatch(/secret/);
  });
});

describe('runCommand', () => {
  it('runs any program in a working directory with the same environment; a missing program is a start error, not a throw', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'run-command-'));
    process.env.DCK_PARENT_ONLY = 'parent-secret';
    const ctx = createDockerContext({ env: { PATH: '/usr/bin:/bin', GH_TOKEN: 'gh-secret' } });
    const r = await runCommand(ctx, '/bin/sh', ['-c', 'pwd; env'], { cwd: dir });
    delete process.env.DCK_PARENT_ONLY;
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(dir);
    expect(r.stdout).not.toMatch(/secret/);
    expect(r.startError).toBeUndefined();
    const missing = await runCommand(ctx, '/nonexistent/tool', []);
    expect(missing.exitCode).toBe(-1);
    expect(missing.startError).toMatch(/ENOENT/);
  });
});

describe('parseResultLine', () => {
  it('takes the last JSON line with an outcome', () => {
    expect(parseResultLine('noise\n{"outcome":"success","containerId":"abc"}\n')).toEqual({ outcome: 'success', containerId: 'abc' });
    expect(parseResultLine('{"x":1}')).toBeUndefined();
  });
});

describe('createBackoff', () => {
  it('doubles up to the cap, resets, and ends a wait on abort', async () => {
    const b = createBackoff({ initialMs: 10, maxMs: 25 });
    await b.wait();
    expect(b.next).toBe(20);
    await b.wait();
    expect(b.next).toBe(25);
    b.reset();
    expect(b.next).toBe(10);
    const slow = createBackoff({ initialMs: 60_000 });
    const c = new AbortController();
    const t0 = Date.now();
    setTimeout(() => c.abort(), 20);
    await slow.wait(c.signal);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('the pinned devcontainer CLI', () => {
  it('is the version this package pins (the one source), and what runs', async () => {
    const { readFileSync: read } = await import('node:fs');
    const { resolveDevcontainerCli } = await import('../src/run.js');
    const pin = JSON.parse(read(new URL('../package.json', import.meta.url), 'utf8')).dependencies['@devcontainers/cli'];
    expect(pin).toMatch(/^\d+\.\d+\.\d+$/);
    expect(resolveDevcontainerCli().version).toBe(pin);
  });
});
