// Real parts: the CLI in-process (runCli with captured stdout/stderr) on real fixture folders, and the built bin
// (dist/cli.js, built by the moon `build` task this test depends on) run as a real node process.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli-main.js';
import { fixturesDir } from './support/helpers.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: fixturesDir,
    env: { HOME: '/home/test' },
  });
  return { code, stdout, stderr };
}

describe('devcontainer-config validate', () => {
  it('exit 0 for a valid workspace, warnings allowed', async () => {
    const r = await cli('validate', 'image-basic');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('1 file(s): 0 error(s), 0 warning(s)');
  });

  it('exit 1 for an invalid config, one problem per line as file:line:col: severity code: message', async () => {
    const r = await cli('validate', 'invalid');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(14);
    expect(lines[0]).toBe(
      `${join(fixturesDir, 'invalid/.devcontainer/devcontainer.json')}:2:11: error type-mismatch: name must be a string, found integer`,
    );
    expect(lines.every((l) => /^\/.+:\d+:\d+: (error|warning) [a-z-]+: .+$/.test(l))).toBe(true);
  });

  it('--strict makes warnings fail; --json prints one document', async () => {
    expect((await cli('validate', 'legacy-dockerfile')).code).toBe(0);
    expect((await cli('validate', 'legacy-dockerfile', '--strict')).code).toBe(1);
    const r = await cli('validate', 'legacy-dockerfile', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ valid: true, errors: 0, warnings: 4 });
    expect(doc.files[0].problems[0]).toMatchObject({ code: 'deprecated-property', line: 2, column: 3 });
  });

  it('validates every config of a workspace and several paths at once (files or folders)', async () => {
    const r = await cli('validate', 'multi', 'root-file/.devcontainer.json', '--json');
    expect(JSON.parse(r.stdout).files).toHaveLength(3);
    expect(r.code).toBe(0);
  });

  it('checks local features: manifests and cycles', async () => {
    expect((await cli('validate', 'local-features')).code).toBe(0);
    const r = await cli('validate', 'features-cycle');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/devcontainer\.json:3:17: error feature-dependency-cycle: /);
  });

  it('exit 2 for usage errors (with a did-you-mean), 1 for input problems', async () => {
    const unknown = await cli('validat');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'validat' (did you mean 'validate'?)");
    expect((await cli()).code).toBe(2);
    const flag = await cli('validate', '--strcit');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --strcit (did you mean --strict?)');
    expect((await cli('validate', 'no-such-folder')).code).toBe(1);
    const empty = await cli('validate', '.');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no devcontainer.json');
  });

  it('--help prints usage and exits 0', async () => {
    const r = await cli('validate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--strict');
  });
});

describe('devcontainer-config read / report / features-order', () => {
  it('read prints the config; --substitute resolves variables; --json adds file and devcontainerId', async () => {
    const plain = JSON.parse((await cli('read', 'image-basic')).stdout);
    expect(plain.containerEnv.HOME_FROM_HOST).toBe('${localEnv:HOME}');
    const r = await cli('read', 'image-basic', '--substitute', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.configuration.containerEnv.HOME_FROM_HOST).toBe('/home/test');
    expect(doc.configuration.name).toBe('basic-image-basic');
    expect(doc.devcontainerId).toMatch(/^[0-9a-v]{52}$/);
    expect(doc.configuration.mounts[0]).toBe(`source=dck-cache-${doc.devcontainerId},target=/cache,type=volume`);
    expect(doc.file).toBe(join(fixturesDir, 'image-basic/.devcontainer/devcontainer.json'));
  });

  it('read --merged-with-image-metadata merges a label file or docker inspect output', async () => {
    const r = await cli('read', 'metadata-merge', '--merged-with-image-metadata', 'metadata-merge/inspect.json');
    expect(r.code).toBe(0);
    const merged = JSON.parse(r.stdout);
    expect(merged.init).toBe(true);
    expect(merged.capAdd).toEqual(['SYS_PTRACE', 'NET_ADMIN']);
  });

  it('read --merged-with-image-metadata puts local features’ metadata between the image and the config', async () => {
    const r = await cli('read', 'local-features', '--merged-with-image-metadata', 'metadata-merge/inspect.json', '--json');
    const doc = JSON.parse(r.stdout);
    expect(doc.mergedConfiguration.postCreateCommands).toEqual(['echo image-post-create', 'echo node-tools']);
    expect(doc.mergedConfiguration.onCreateCommands).toEqual([['echo', 'image-on-create']]);
  });

  it('read exits 1 when the config cannot be parsed', async () => {
    const r = await cli('read', 'invalid/../parse-error');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/devcontainer\.json:\d+:\d+: error json-syntax/);
  });

  it('report lists each used property with its status', async () => {
    const r = await cli('report', 'image-basic');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(':4:3: honoured image');
    expect(r.stdout).toContain('ignored portsAttributes: VS Code port-forwarding UI settings');
    const j = JSON.parse((await cli('report', 'image-basic', '--json')).stdout);
    expect(j.counts.caveat).toBeGreaterThan(3);
  });

  it('features-order prints the install order', async () => {
    const r = await cli('features-order', 'local-features');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('./base-tools\n./node-tools\n./extras\n');
    const c = await cli('features-order', 'features-cycle');
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('feature-dependency-cycle');
  });
});

describe('the built bin', () => {
  beforeAll(async () => {
    // The moon `test` task depends on `build`; tests never build themselves (that would race other builds of dist/).
    if (!existsSync(join(pkgDir, 'dist/cli.js')))
      throw new Error('dist/ is missing: build first (npx moon run devcontainer-config:build, or npx tsup)');
  });

  it('runs as a process with the documented exit codes and stdout/stderr split', async () => {
    const bin = join(pkgDir, 'dist/cli.js');
    const ok = await run('node', [bin, 'validate', join(fixturesDir, 'compose')]);
    expect(ok.stdout).toBe('');
    const bad = await run('node', [bin, 'validate', join(fixturesDir, 'invalid')]).catch((e) => e);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split('\n')[0]).toMatch(/devcontainer\.json:2:11: error type-mismatch/);
    const missing = await run('node', [bin, 'validate', '/nonexistent-dck']).catch((e) => e);
    expect(missing.code).toBe(1);
    const usage = await run('node', [bin, 'validate', '--bogus']).catch((e) => e);
    expect(usage.code).toBe(2);
  });
});
