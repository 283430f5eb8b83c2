// Go template syntax copied from a config into a goss file, checked by a real goss run. Real parts: goss v0.4.9 from
// the test bed, run on this host (the env check needs no container).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gossfileFor, renderGossfile } from '../src/index.js';
import { runTestbed } from './support/testbed.js';

let goss: string;
let dir: string;
beforeAll(async () => {
  goss = runTestbed('goss');
  dir = await mkdtemp(join(tmpdir(), 'dck-goss-templates-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const VALUE = 'a{{ .Env.HOME }}b{{ nope';

function runGossOn(yaml: string, name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    writeFile(join(dir, name), yaml)
      .then(() =>
        execFile(
          goss,
          ['--gossfile', join(dir, name), 'validate', '--format', 'json'],
          { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/root', DCK_T: VALUE } },
          (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
        ),
      )
      .catch(reject);
  });
}

describe('goss renders derived checks literally', () => {
  const derived = gossfileFor(
    { containerEnv: { DCK_T: VALUE }, customizations: { vscode: { extensions: ['pub.{{ext}}'] } } },
    { workspaceFolder: '/tmp', remoteUser: 'root', statusFile: false, coderAgent: false, ideServers: [] },
  );
  const yaml = renderGossfile({ command: derived.command ?? {} });

  it('an env value with {{ … }} is compared as written, and goss passes', async () => {
    const r = await runGossOn(yaml, 'escaped.yaml');
    expect(r.stderr).toBe('');
    const summary = JSON.parse(r.stdout) as { summary: { 'failed-count': number; 'test-count': number } };
    expect(summary.summary['test-count']).toBeGreaterThan(0);
    expect(summary.summary['failed-count']).toBe(0);
    expect(r.code).toBe(0);
  });

  it('control: the same goss file without the escapes is rendered as a template and fails', async () => {
    const r = await runGossOn(yaml.replaceAll('{{`{{`}}', '{{'), 'raw.yaml');
    expect(r.code).not.toBe(0);
  });
});
