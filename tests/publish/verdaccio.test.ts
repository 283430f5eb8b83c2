// "Import as npm libraries" works: every library is published by `changeset publish` to a real
// verdaccio registry on 127.0.0.1, installed into a fresh consumer project outside the repo (the
// libraries' own dependencies come from the npm registry), and each public entry point is
// imported (ESM) and type-checked (TypeScript, NodeNext) from there.
// Real parts: verdaccio 6.8, npm, @changesets/cli, TypeScript. Nothing is emulated.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, repoRoot } from '../support/testbed.js';

const libs = readdirSync(join(repoRoot, 'libs'))
  .map((dir) => ({ dir: join(repoRoot, 'libs', dir), pkg: JSON.parse(readFileSync(join(repoRoot, 'libs', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

let verdaccio: ChildProcess | undefined;
let registry = '';
const work = mkdtempSync(join(tmpdir(), 'dck-publish-'));
const npmrc = join(work, 'npmrc');

async function startVerdaccio(): Promise<string> {
  const storage = join(work, 'storage');
  const config = join(work, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${storage}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(work, 'htpasswd')}`,
      '    max_users: 10',
      // No uplinks: this registry holds only what the test publishes.
      'uplinks: {}',
      'packages:',
      "  '@devcontainer-kit/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      'log: { type: stdout, format: pretty, level: warn }',
      'server:',
      '  keepAliveTimeout: 1',
      '',
    ].join('\n'),
  );
  const port = await freeLoopbackPort();
  const child = spawn(join(repoRoot, 'node_modules/.bin/verdaccio'), ['--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  verdaccio = child;
  // verdaccio prints "http address - http://127.0.0.1:PORT/" once it listens.
  return await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`verdaccio did not start:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http address\s*-?\s*(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(`${match[1]}/`);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`verdaccio exited ${code}:\n${out}`)));
  });
}

async function createUser(): Promise<string> {
  const res = await fetch(`${registry}-/user/org.couchdb.user:publisher`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'publisher', password: 'publisher-password', type: 'user', roles: [] }),
  });
  expect(res.status).toBe(201);
  const body = (await res.json()) as { token: string };
  return body.token;
}

beforeAll(async () => {
  registry = await startVerdaccio();
  const token = await createUser();
  const host = registry.replace(/^http:/, '');
  writeFileSync(npmrc, `registry=${registry}\n${host}:_authToken=${token}\n`);
}, 120_000);

afterAll(() => {
  verdaccio?.kill();
  rmSync(work, { recursive: true, force: true });
});

describe('publishing to a local npm registry', () => {
  const npmEnv = () => ({
    ...process.env,
    npm_config_userconfig: npmrc,
    npm_config_registry: registry,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });

  it('publishes every library with changeset publish', () => {
    for (const { dir } of libs) expect(existsSync(join(dir, 'dist/index.js')), `${dir} is built`).toBe(true);
    const out = execFileSync(join(repoRoot, 'node_modules/.bin/changeset'), ['publish', '--no-git-tag'], {
      cwd: repoRoot,
      env: npmEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const { pkg } of libs) {
      const info = JSON.parse(execFileSync('npm', ['view', `${pkg.name}@${pkg.version}`, '--json'], { env: npmEnv(), encoding: 'utf8' }));
      expect(info.name, out).toBe(pkg.name);
      expect(info.version).toBe(pkg.version);
      // Served by the local registry, not the public one.
      expect(info.dist.tarball.startsWith(registry)).toBe(true);
    }
  }, 240_000);

  it('installs them into a fresh project outside the repo and imports each entry point with its types', () => {
    const consumer = join(work, 'consumer');
    execFileSync('mkdir', ['-p', consumer]);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // Only our scope comes from the local registry; everything else from the npm registry.
    const host = registry.replace(/^http:/, '');
    const userrc =
      readFileSync(npmrc, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(host)) ?? '';
    writeFileSync(join(consumer, '.npmrc'), `@devcontainer-kit:registry=${registry}\n${userrc}\n`);
    const env = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' };
    execFileSync('npm', ['install', '--no-package-lock', ...libs.map(({ pkg }) => `${pkg.name}@${pkg.version}`), '@types/node@^20'], {
      cwd: consumer,
      env,
      stdio: 'pipe',
    });
    for (const { pkg } of libs) {
      const installed = JSON.parse(readFileSync(join(consumer, 'node_modules', pkg.name, 'package.json'), 'utf8'));
      expect(installed.version).toBe(pkg.version);
      // Installed, not linked to the repo.
      expect(readdirSync(join(consumer, 'node_modules', pkg.name))).not.toContain('src');
    }

    // ESM import of every entry point, at run time.
    const script = libs
      .map(
        ({ pkg }, i) =>
          `import * as m${i} from '${pkg.name}';\nif (Object.keys(m${i}).length === 0) throw new Error('${pkg.name}: no exports');`,
      )
      .join('\n');
    writeFileSync(join(consumer, 'import-all.mjs'), `${script}\nconsole.log('imported ${libs.length}');\n`);
    expect(execFileSync('node', ['import-all.mjs'], { cwd: consumer, encoding: 'utf8' }).trim()).toBe(`imported ${libs.length}`);

    // Types: every entry point resolves with its declarations under NodeNext, checked (skipLibCheck off)
    // the way a Node consumer has them: with @types/node, since the APIs speak of Buffer and streams.
    const ts = libs
      .map(({ pkg }, i) => `import * as m${i} from '${pkg.name}';\nexport const k${i}: string[] = Object.keys(m${i});`)
      .join('\n');
    writeFileSync(join(consumer, 'index.ts'), `${ts}\n`);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['index.ts'],
      }),
    );
    const tsc = spawnTsc(consumer);
    expect(tsc.output, tsc.output).toBe('');
    expect(tsc.status).toBe(0);

    // Each library's bin, when it has one, is linked by npm.
    for (const { pkg } of libs) {
      for (const bin of Object.keys(pkg.bin ?? {})) expect(existsSync(join(consumer, 'node_modules/.bin', bin)), bin).toBe(true);
    }
  }, 300_000);
});

function spawnTsc(cwd: string): { status: number; output: string } {
  try {
    execFileSync(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd, encoding: 'utf8', stdio: 'pipe' });
    return { status: 0, output: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, output: `${e.stdout}${e.stderr}` };
  }
}
