// initializeCommand as the builder runs it (before the cache key, `prebuild` and a warm start): the
// devcontainer CLI's semantics — a string through /bin/sh -c, an array without a shell, an object's
// commands in parallel — in the workspace folder, with the Docker context's environment only, and
// variables substituted. Real processes, no Docker.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeDevcontainerId } from '@devcontainer-kit/devcontainer-config';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, describe, expect, it } from 'vitest';
import { hasInitializeCommand, runInitializeCommand, withoutInitializeCommand } from '../src/initialize-command.js';
import { withLocalEnv } from '../src/local-env.js';
import { memoryLog } from './phases/fake-docker.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const idLabels = { 'devcontainer.local_folder': '/w', 'devcontainer-kit.workspace': 'init-test' };

function setup(env: Record<string, string> = {}) {
  const ws = mkdtempSync(join(tmpdir(), 'init-cmd-'));
  dirs.push(ws);
  const log = memoryLog();
  // What the config's ${localEnv:…} asks for reaches the context as the up phase passes it.
  const docker = withLocalEnv(createDockerContext({ env: { PATH: '/usr/bin:/bin', HOME: tmpdir() } }), env);
  const run = (initializeCommand: unknown) =>
    runInitializeCommand({ config: { image: 'x', initializeCommand }, workspaceFolder: ws, idLabels, docker, log });
  return { ws, log, run };
}

describe('runInitializeCommand', () => {
  it('runs a string through /bin/sh -c in the workspace folder, with variables substituted and its output in the log', async () => {
    const { ws, log, run } = setup({ GREETING: 'hi' });
    const ran = await run('echo "$PWD|${localWorkspaceFolderBasename}|${localEnv:GREETING}|${devcontainerId}" > out && echo done-1');
    expect(ran).toBe(true);
    const base = ws.split('/').pop();
    expect(readFileSync(join(ws, 'out'), 'utf8')).toBe(`${ws}|${base}|hi|${computeDevcontainerId(idLabels)}\n`);
    expect(log.text()).toMatch(/running initializeCommand/);
    expect(log.lines).toContainEqual({ line: 'done-1', level: 'info' });
    expect(log.text()).toMatch(/initializeCommand done in \d+\.\d s/);
  });

  it('runs an array without a shell (no expansion)', async () => {
    const { log, run } = setup();
    await run(['printf', '%s\\n', '$HOME and *']);
    expect(log.lines.map((l) => l.line)).toContain('$HOME and *');
  });

  it("runs an object's commands in parallel, each line named; one failing fails the run after the others finished", async () => {
    const { ws, log, run } = setup();
    await run({ a: 'sleep 0.3; echo from-a; touch a', b: ['sh', '-c', 'echo from-b; touch b'] });
    expect(log.lines.map((l) => l.line)).toEqual(expect.arrayContaining(['[a] from-a', '[b] from-b']));
    expect([existsSync(join(ws, 'a')), existsSync(join(ws, 'b'))]).toEqual([true, true]);
    const error = await run({ slow: 'sleep 0.3; touch slow', bad: 'echo broken >&2; exit 3' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'BuilderError',
      code: 'lifecycle-hook-failed',
      phase: 'up',
      command: "initializeCommand 'bad'",
      exitCode: 3,
      outputTail: 'broken',
    });
    expect(String((error as Error).message)).toMatch(/^initializeCommand 'bad' failed \(exit 3\)/);
    expect(existsSync(join(ws, 'slow'))).toBe(true);
  });

  it('a command that cannot start is a clear failure, not a crash', async () => {
    const { run } = setup();
    const error = await run(['/nonexistent/tool', 'x']).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'lifecycle-hook-failed', command: 'initializeCommand' });
    expect(String((error as Error).message)).toMatch(/ENOENT|not found|no such file/i);
  });

  it("gets the Docker context's environment only: nothing else of the builder's", async () => {
    process.env.DCK_INIT_TEST_SECRET = 'init-secret-4242';
    try {
      const { ws, run } = setup({ VISIBLE: 'yes' });
      await run('env > env.txt');
      const env = readFileSync(join(ws, 'env.txt'), 'utf8');
      expect(env).toMatch(/^VISIBLE=yes$/m);
      expect(env).not.toContain('init-secret-4242');
    } finally {
      delete process.env.DCK_INIT_TEST_SECRET;
    }
  });

  it('does nothing without a command; the override config drops only initializeCommand', async () => {
    const { log, run } = setup();
    expect(await run(undefined)).toBe(false);
    expect(await run('   ')).toBe(false);
    expect(await run([])).toBe(false);
    expect(log.lines).toEqual([]);
    expect(hasInitializeCommand({ initializeCommand: 'make' })).toBe(true);
    expect(hasInitializeCommand({ initializeCommand: {} })).toBe(false);
    expect(withoutInitializeCommand({ image: 'x', initializeCommand: 'make', postStartCommand: 'y' })).toEqual({
      image: 'x',
      postStartCommand: 'y',
    });
  });
});
