// Real: the devcontainer CLI's `build` and every docker call of prebuild and the registry lookup go
// through a recording `docker` shim first on the context's PATH (it logs its environment, then runs
// the real docker). The caller's environment holds the agent token, the git token and GH_TOKEN;
// none may reach a child, and a `${localEnv:GH_TOKEN}` build arg must stay empty in the image.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prebuild } from '../src/prebuild.js';
import { findPrebuiltImage, pullCacheSources } from '../src/registry.js';
import { docker, runTestbed, uniqueName } from './testbed.js';

const SECRETS = {
  CODER_AGENT_TOKEN: 'agent-token-hygiene-1111',
  DEVCONTAINER_GIT_TOKEN: 'git-token-hygiene-2222',
  GH_TOKEN: 'gh-token-hygiene-3333',
};
const repository = `${uniqueName('hygiene')}/devcontainer`;
let registry: string;
let scratch: string;
let shimLog: string;
let shimDir: string;
let restore = () => {};

beforeAll(() => {
  runTestbed('docker');
  registry = runTestbed('registry');
  scratch = mkdtempSync(join(tmpdir(), 'dck-prebuild-hygiene-'));
  shimDir = join(scratch, 'bin');
  shimLog = join(scratch, 'docker-env.log');
  mkdirSync(shimDir);
  const real = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
  writeFileSync(join(shimDir, 'docker'), `#!/bin/sh\n{ echo "--- docker $1"; env; } >> '${shimLog}'\nexec '${real}' "$@"\n`, {
    mode: 0o755,
  });
}, 300_000);

afterAll(() => {
  restore();
  rmSync(scratch, { recursive: true, force: true });
  runTestbed('registry', 'forget', repository.split('/')[0]!);
});

describe('prebuild secret hygiene', () => {
  it('no token reaches docker or devcontainer build; ${localEnv:GH_TOKEN} stays empty in the image', async () => {
    const ws = join(scratch, 'ws');
    mkdirSync(join(ws, '.devcontainer'), { recursive: true });
    writeFileSync(
      join(ws, '.devcontainer/devcontainer.json'),
      JSON.stringify({ build: { dockerfile: 'Dockerfile', args: { TOKEN: '${localEnv:GH_TOKEN}' }, options: ['--network=host'] } }),
    );
    writeFileSync(join(ws, '.devcontainer/Dockerfile'), `FROM local/debian:bookworm\nARG TOKEN\nRUN echo "token=[$TOKEN]" > /token.txt\n`);
    // The secrets live in this process's environment, as in the builder: a child that inherited it
    // (extendEnv left on) would see them.
    const saved = { ...process.env };
    Object.assign(process.env, SECRETS, { PATH: `${shimDir}:${process.env.PATH}` });
    const ctx = createDockerContext({ env: process.env });
    restore = () => {
      for (const name of Object.keys(SECRETS)) delete process.env[name];
      process.env.PATH = saved.PATH;
    };
    const built = await prebuild(ctx, { workspaceFolder: ws, registry, repository });
    expect(built.status).toBe('built');
    await findPrebuiltImage(ctx, { registry, repository, key: built.key });
    await pullCacheSources(ctx, { images: [`${registry}/${repository}:missing`] });

    const seen = readFileSync(shimLog, 'utf8');
    for (const cmd of ['build', 'push', 'pull', 'image']) expect(seen).toContain(`--- docker ${cmd}`);
    for (const [name, value] of Object.entries(SECRETS)) {
      expect(seen).not.toContain(value);
      expect(seen).not.toMatch(new RegExp(`^${name}=`, 'm'));
    }
    expect(docker(['run', '--rm', '--network=host', built.image, 'cat', '/token.txt'])).toBe('token=[]');
    docker(['rmi', '-f', built.image]);
  }, 300_000);
});
