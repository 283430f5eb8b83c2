// The `gossfile` command on hostile repositories: a byte order mark, nesting thousands of levels deep (in
// devcontainer.json and in the repository's goss.yaml), Go template syntax in config values. Real parts: the built
// CLI (dist/cli.js) as a node process, devcontainer-config reading real temporary repositories.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const pkg = join(import.meta.dirname, '..');
const cli = join(pkg, 'dist/cli.js');
let dir: string;
let count = 0;

/** Builds dist/ when it is missing or older than src/ (as cli.test.ts does). */
function ensureBuilt(): void {
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  const newest = Math.max(...readdirSync(join(pkg, 'src')).map((f) => statSync(join(pkg, 'src', f)).mtimeMs));
  if (newest > built) execFileSync('npx', ['tsup', '--silent'], { cwd: pkg, stdio: 'ignore' });
}

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'dck-gossfile-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function repository(devcontainerJson: string, gossYaml?: string): Promise<string> {
  const ws = join(dir, `ws${count++}`);
  await mkdir(join(ws, '.devcontainer'), { recursive: true });
  await writeFile(join(ws, '.devcontainer/devcontainer.json'), devcontainerJson);
  if (gossYaml !== undefined) await writeFile(join(ws, '.devcontainer/goss.yaml'), gossYaml);
  return ws;
}

const gossfile = (ws: string) => execa('node', ['--max-old-space-size=256', cli, 'gossfile', ws], { reject: false });
const STACK_TRACE = /\n\s+at .+[(:]\d+|Maximum call stack|RangeError|out of memory/;

describe('workspace-test gossfile on hostile repositories', () => {
  it('a byte order mark in devcontainer.json and goss.yaml is read past', async () => {
    const ws = await repository('\uFEFF{"image": "x", "remoteUser": "dev"}', '\uFEFFcommand:\n  mine: {exec: "true", exit-status: 0}\n');
    const r = await gossfile(ws);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const g = parse(r.stdout) as { user: Record<string, unknown>; command: Record<string, unknown> };
    expect(Object.keys(g.user)).toEqual(['dev']);
    expect(g.command.mine).toEqual({ exec: 'true', 'exit-status': 0 });
  });

  it('devcontainer.json nested 20,000 levels: a positioned error, exit 2, no stack trace', async () => {
    const ws = await repository(`{"image": "x", "customizations": ${'{"a": '.repeat(20_000)}1${'}'.repeat(20_000)}}`);
    const r = await gossfile(ws);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/devcontainer\.json:1:\d+: error nesting-too-deep/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('goss.yaml nested 20,000 levels: a positioned INVALID_GOSSFILE error, exit 1 (a problem with the input), no crash', async () => {
    const ws = await repository('{"image": "x"}', `command:\n  a: ${'['.repeat(20_000)}`);
    const r = await gossfile(ws);
    expect(r.exitCode).toBe(1);
    // The CLI hands gossfileFor the text of goss.yaml, so the message names it "gossfile"; line and column are goss.yaml's.
    expect(r.stderr).toMatch(/INVALID_GOSSFILE: gossfile:2:68: nested more than 64 levels/);
    expect(r.stderr).not.toMatch(STACK_TRACE);
  });

  it('{{ … }} from the config is escaped in the printed goss file', async () => {
    const ws = await repository(
      '{"image": "x", "containerEnv": {"T": "{{ .Env.HOME }}"}, "customizations": {"vscode": {"extensions": ["a.{{b}}"]}}}',
    );
    const r = await gossfile(ws);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/\{\{ \.Env|\{\{b/);
    expect(r.stdout).toContain('{{`{{`}} .Env.HOME }}');
  });
});
