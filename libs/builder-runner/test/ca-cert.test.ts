import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINER_CA_DIR, parsePemBundle, prepareCaCert, withCaCert } from '../src/ca-cert.js';
import type { BuilderError } from '../src/errors.js';

let dir: string;
let pem: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dck-ca-'));
  // A real self-signed CA from openssl.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=Corp Test CA',
      '-keyout',
      join(dir, 'k'),
      '-out',
      join(dir, 'ca.pem'),
    ],
    { stdio: 'ignore' },
  );
  pem = await readFile(join(dir, 'ca.pem'), 'utf8');
  await writeFile(join(dir, 'system.crt'), '# system bundle\n');
  await writeFile(join(dir, 'extra.crt'), '# the machine extra bundle\n');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parsePemBundle', () => {
  it('finds and parses every certificate; refuses none or a broken one', () => {
    expect(parsePemBundle(`junk\n${pem}\n${pem}`).subjects).toEqual(['CN=Corp Test CA', 'CN=Corp Test CA']);
    expect(() => parsePemBundle('not a cert')).toThrow('holds no PEM certificate');
    expect(() => parsePemBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(
      'certificate 1 of 1 does not parse',
    );
  });
});

describe('prepareCaCert', () => {
  it('writes ca.crt and system+CA bundle on the state dir; env for the children; mounts and remote env for the devcontainer', async () => {
    const stateDir = join(dir, 'state');
    const r = await prepareCaCert({
      file: join(dir, 'ca.pem'),
      stateDir,
      systemBundle: join(dir, 'system.crt'),
      env: { NODE_EXTRA_CA_CERTS: join(dir, 'extra.crt') },
    });
    expect(r.subjects).toEqual(['CN=Corp Test CA']);
    expect(await readFile(r.caFile, 'utf8')).toBe(`${pem.trim()}\n`);
    expect(await readFile(r.bundleFile, 'utf8')).toBe(`# system bundle\n${pem.trim()}\n`);
    expect(await readFile(r.env.NODE_EXTRA_CA_CERTS as string, 'utf8')).toBe(`# the machine extra bundle\n${pem.trim()}\n`);
    expect(r.env).toMatchObject({ GIT_SSL_CAINFO: r.bundleFile, SSL_CERT_FILE: r.bundleFile });
    expect(r.mounts).toEqual([
      `type=bind,source=${join(stateDir, 'ca/ca.crt')},target=${CONTAINER_CA_DIR}/ca.crt`,
      `type=bind,source=${join(stateDir, 'ca/ca-bundle.crt')},target=${CONTAINER_CA_DIR}/ca-bundle.crt`,
    ]);
    expect(r.remoteEnv).toEqual([
      `NODE_EXTRA_CA_CERTS=${CONTAINER_CA_DIR}/ca.crt`,
      `SSL_CERT_FILE=${CONTAINER_CA_DIR}/ca-bundle.crt`,
      `GIT_SSL_CAINFO=${CONTAINER_CA_DIR}/ca-bundle.crt`,
    ]);
    const ctx = withCaCert(createDockerContext({ env: { PATH: '/bin' } }), r);
    expect(ctx.env).toEqual({ PATH: '/bin', ...r.env });
    const out = await prepareCaCert({ file: join(dir, 'ca.pem'), stateDir, inContainer: false });
    expect(out.mounts).toEqual([]);
    expect(out.remoteEnv).toEqual([]);
  });

  it('a missing or non-PEM file is a settings error naming it', async () => {
    const missing = (await prepareCaCert({ file: join(dir, 'none'), stateDir: dir }).catch((e: unknown) => e)) as BuilderError;
    expect(missing.code).toBe('settings');
    expect(missing.message).toBe(`DEVCONTAINER_CA_CERT: ${join(dir, 'none')}: cannot read it (ENOENT)`);
    const notPem = (await prepareCaCert({ file: join(dir, 'system.crt'), stateDir: dir }).catch((e: unknown) => e)) as BuilderError;
    expect(notPem.message).toBe(`DEVCONTAINER_CA_CERT: ${join(dir, 'system.crt')}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  });
});
