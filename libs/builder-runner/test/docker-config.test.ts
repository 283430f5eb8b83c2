import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDockerConfig, privateDockerConfig, withDockerConfig } from '../src/docker-config.js';
import { BuilderError } from '../src/errors.js';
import { parseSettings } from '../src/settings.js';

const PASSWORD = 'hunter2-registry-pass';
const config = JSON.stringify({
  auths: { 'registry.example.com': { auth: Buffer.from(`robot:${PASSWORD}`).toString('base64') } },
  credsStore: 'desktop',
  credHelpers: { 'gcr.io': 'gcloud' },
  proxies: { default: { httpProxy: 'http://127.0.0.1:3128' } },
});

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('privateDockerConfig', () => {
  it('keeps auths and client settings, drops credential helpers (their binaries are not in the builder)', () => {
    const r = privateDockerConfig(config);
    expect(r.hosts).toEqual(['registry.example.com']);
    expect(r.droppedHelpers).toEqual(['desktop', 'gcloud']);
    const json = JSON.parse(r.json);
    expect(Object.keys(json)).toEqual(['auths', 'proxies']);
  });
});

describe('prepareDockerConfig', () => {
  it('copies the file into a new private directory (0700, config.json 0600) and removes it', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'dck-dc-'));
    dirs.push(parent);
    const secret = join(parent, '.dockerconfigjson');
    await writeFile(secret, config);
    const prepared = await prepareDockerConfig({ file: secret, parent });
    expect((await stat(prepared.dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(prepared.dir, 'config.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(prepared.dir, 'config.json'), 'utf8')).auths['registry.example.com']).toBeDefined();
    await prepared.remove();
    await expect(stat(prepared.dir)).rejects.toThrow();
  });

  it('a missing or malformed file is a settings error naming the file, never its content', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'dck-dc-'));
    dirs.push(parent);
    const missing = (await prepareDockerConfig({ file: join(parent, 'nope'), parent }).catch((e: unknown) => e)) as BuilderError;
    expect(missing).toBeInstanceOf(BuilderError);
    expect(missing.code).toBe('settings');
    expect(missing.message).toBe(`DEVCONTAINER_DOCKER_CONFIG: cannot read ${join(parent, 'nope')}: ENOENT`);
    const bad = join(parent, 'bad');
    await writeFile(bad, `{"auths": {"x": {"auth": "${PASSWORD}"`);
    const malformed = (await prepareDockerConfig({ file: bad, parent }).catch((e: unknown) => e)) as BuilderError;
    expect(malformed.message).toBe(`DEVCONTAINER_DOCKER_CONFIG: ${bad}: docker config is not JSON`);
    expect(malformed.message).not.toContain(PASSWORD);
  });
});

describe('withDockerConfig', () => {
  it('points the Docker context at the directory; nothing else changes', () => {
    const ctx = createDockerContext({ env: { PATH: '/bin', DOCKER_CONFIG: '/root/.docker' }, dockerHost: 'unix:///x.sock' });
    const next = withDockerConfig(ctx, '/tmp/private');
    expect(next.env).toEqual({ PATH: '/bin', DOCKER_CONFIG: '/tmp/private', DOCKER_HOST: 'unix:///x.sock' });
    expect(next.dockerHost).toBe('unix:///x.sock');
    expect(ctx.env.DOCKER_CONFIG).toBe('/root/.docker');
    expect(Object.isFrozen(next.env)).toBe(true);
  });
});

describe('DEVCONTAINER_DOCKER_CONFIG in parseSettings', () => {
  const base = { DEVCONTAINER_REPOSITORY: 'https://git.example.com/a/b.git' };
  it('keeps the path (resolved), checks the file at once, never keeps the content', () => {
    const files: Record<string, string> = { '/run/registry/.dockerconfigjson': config, '/run/registry/bad': '[' };
    const readFile = (p: string) => {
      if (p in files) return files[p] as string;
      throw Object.assign(new Error('no'), { code: 'ENOENT' });
    };
    const ok = parseSettings({ env: { ...base, DEVCONTAINER_DOCKER_CONFIG: '/run/registry/.dockerconfigjson' }, readFile });
    expect(ok.problems).toEqual([]);
    expect(ok.settings?.dockerConfigFile).toBe('/run/registry/.dockerconfigjson');
    expect(JSON.stringify(ok.settings)).not.toContain(PASSWORD);
    const flag = parseSettings({ env: base, flags: { 'docker-config': '/run/registry/bad' }, readFile });
    expect(flag.problems).toEqual(['DEVCONTAINER_DOCKER_CONFIG (--docker-config): /run/registry/bad: docker config is not JSON']);
    const missing = parseSettings({ env: { ...base, DEVCONTAINER_DOCKER_CONFIG: '/run/none' }, readFile });
    expect(missing.problems).toEqual(['DEVCONTAINER_DOCKER_CONFIG (--docker-config): /run/none: cannot read it (ENOENT)']);
  });
});
