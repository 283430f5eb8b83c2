// The lifecycle check waits for the builder's background hooks: the derived command run by a real
// POSIX sh against a status file that a "builder" (this test) rewrites as the hooks progress.
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gossfileFor } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bg-hooks-'));
const file = join(dir, 'status.json');

/** Written the way the builder writes it: JSON.stringify(status, null, 2), atomically. */
function writeStatus(hooks: Record<string, unknown> | undefined): void {
  const status = { phase: 'supervise', phases: { up: { outcome: 'success' } }, ...(hooks ? { hooks } : {}) };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(status, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

function runCheck(timeout: number): Promise<{ code: number | null; stdout: string }> {
  const g = gossfileFor(
    { postCreateCommand: 'npm ci', workspaceFolder: '/workspaces/app' },
    { statusFile: file, backgroundHooksTimeout: timeout },
  );
  const check = g.command?.['lifecycle background hooks'];
  expect(check).toMatchObject({ 'exit-status': 0, stdout: ['background hooks: '], timeout: (timeout + 10) * 1000 });
  const child = spawn('sh', ['-c', check?.exec as string], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

const base = { waitFor: 'updateContentCommand', done: ['onCreateCommand'] };

describe('lifecycle background hooks', () => {
  it('waits while a hook is pending or running, then passes when all are done', async () => {
    writeStatus({ ...base, pending: ['postStartCommand'], running: ['postCreateCommand'], failed: [] });
    const result = runCheck(60);
    await new Promise((r) => setTimeout(r, 1500));
    writeStatus({ ...base, pending: [], running: ['postStartCommand'], failed: [] });
    await new Promise((r) => setTimeout(r, 1500));
    writeStatus({ ...base, pending: [], running: [], done: [...base.done, 'postCreateCommand', 'postStartCommand'], failed: [] });
    expect(await result).toEqual({ code: 0, stdout: 'background hooks: done\n' });
  }, 30_000);

  it('fails when a background hook failed, or still runs at the deadline; passes without hooks in the status', async () => {
    writeStatus({ ...base, pending: [], running: [], failed: ['postCreateCommand'] });
    expect(await runCheck(5)).toEqual({ code: 1, stdout: 'a background hook failed\n' });
    writeStatus({ ...base, pending: [], running: ['postCreateCommand'], failed: [] });
    expect(await runCheck(1)).toEqual({ code: 1, stdout: 'still running after 1 s\n' });
    writeStatus(undefined);
    expect(await runCheck(5)).toEqual({ code: 0, stdout: 'background hooks: none\n' });
  }, 30_000);
});
