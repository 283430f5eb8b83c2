import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';

const pkg = join(import.meta.dirname, '..');
const cli = join(pkg, 'dist/cli.js');
let dir: string;
let count = 0;

beforeAll(async () => {
  ensurePackageBuilt(pkg, { entry: 'dist/cli.js' });
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
