// End to end: registry credentials (DEVCONTAINER_DOCKER_CONFIG) through the real `devcontainer-builder`
// CLI, against registries that refuse anonymous access, behind TLS signed by a test CA.
// Real: Debian's docker-registry 2.8 with htpasswd Basic auth, and with token auth whose realm is the
// token issuer in tests/support/token-issuer (the flow ghcr.io and Docker Hub use), both from
// tests/testbed/registry-auth.sh; the machine's dockerd and a second, empty one; the pinned
// devcontainer CLI; git. Emulated: the Coder server (the loopback stand-in).
// What it proves: the base image comes from a private registry (the daemon's pull with the client's
// credentials), `prebuild` pushes with them, `up` on an empty daemon finds the prebuilt image through
// the Bearer token flow (and Basic) and starts it without a build; a missing or wrong credential is a
// miss with the reason, quickly; the password is in no process's argv or environment except the
// builder's own, nor in logs, the status file or the stand-in's Coder logs.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { repoRoot, runTestbed, runTestbedValues } from '../../support/testbed.js';
import { setupEnterpriseTests } from './enterprise-setup.js';
import { builderCli, createGitRepo, dockerOut } from './support.js';

const PREFIX = 'dck-builder-ent';
const AGENT_TOKEN = crypto.randomUUID();
const RUN_ID = crypto.randomUUID().slice(0, 8);
const FRESH = `${PREFIX}-fresh-${RUN_ID}`;

const setup = setupEnterpriseTests(PREFIX, { packages: ['libs/prebuild-cache', 'libs/builder-runner', 'apps/devcontainer-builder'] });
let root: string;
let agentBinary: string;
let bed: Record<string, string>;
let password: string;
let caBundle: string;
let freshHost: string | undefined;
let standin: CoderStandin;

/** A git repository from an inline file tree (used in place). */
function repo(name: string, files: Record<string, string>): string {
  return createGitRepo(join(root, 'workspaces', `${PREFIX}-${name}`), files);
}

/** A docker config.json as a Kubernetes dockerconfigjson Secret mounts it: key `.dockerconfigjson`, read-only. */
function dockerConfigSecret(name: string, auths: Record<string, { user: string; password: string }>): string {
  const dir = join(root, 'secrets', name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, '.dockerconfigjson');
  const json = Object.fromEntries(
    Object.entries(auths).map(([host, c]) => [host, { auth: Buffer.from(`${c.user}:${c.password}`).toString('base64') }]),
  );
  writeFileSync(file, JSON.stringify({ auths: json }));
  chmodSync(file, 0o400);
  return file;
}

function env(name: string, dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return setup.env(name, {
    DEVCONTAINER_REPOSITORY: dir,
    // The builder trusts the test CA the way the pod will (NODE_EXTRA_CA_CERTS, plus the machine's bundle).
    NODE_EXTRA_CA_CERTS: caBundle,
    ...extra,
  });
}

/** Runs `up` to its end; the builder itself may hold the password (it reads the docker config), no other process. */
function upToCompletion(e: Record<string, string>) {
  return setup.up(e, { builderMayHold: true });
}

function prebuild(e: Record<string, string>) {
  return spawnSync(process.execPath, [builderCli, 'prebuild'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...e },
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  root = setup.root;
  agentBinary = runTestbed('fake-coder-agent');
  bed = runTestbedValues('registry-auth');
  password = readFileSync(bed.PASSWORD_FILE as string, 'utf8').trim();
  setup.secrets.push(password, Buffer.from(`${bed.USER}:${password}`).toString('base64'));
  caBundle = join(root, 'ca-bundle.pem');
  const machine =
    process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS)
      ? readFileSync(process.env.NODE_EXTRA_CA_CERTS, 'utf8')
      : '';
  writeFileSync(caBundle, `${machine}\n${readFileSync(bed.CA as string, 'utf8')}`);
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
  freshHost = runTestbed('fresh-dockerd', 'start', FRESH);
  // The base image lives only in the private registries: pushed with credentials, then removed here.
  const cfg = mkdtempSync(join(tmpdir(), `${PREFIX}-cfg-`));
  writeFileSync(
    join(cfg, 'config.json'),
    readFileSync(
      dockerConfigSecret('setup', {
        [bed.BASIC as string]: { user: bed.USER as string, password },
        [bed.TOKEN as string]: { user: bed.USER as string, password },
      }),
      'utf8',
    ),
  );
  for (const host of [bed.BASIC, bed.TOKEN]) {
    const ref = `${host}/${PREFIX}/base:${RUN_ID}`;
    execFileSync('docker', ['tag', 'local/debian:bookworm', ref]);
    execFileSync('docker', ['push', ref], { env: { ...process.env, DOCKER_CONFIG: cfg }, stdio: 'ignore' });
    execFileSync('docker', ['rmi', ref], { stdio: 'ignore' });
  }
  rmSync(cfg, { recursive: true, force: true });
}, 900_000);

afterAll(async () => {
  await standin?.close();
  if (freshHost) spawnSync('bash', [join(repoRoot, 'tests/testbed/fresh-dockerd.sh'), 'stop', FRESH], { stdio: 'ignore' });
  for (const img of dockerOut('images', '--format', '{{.Repository}}:{{.Tag}}').split('\n'))
    if (img.includes(`/${PREFIX}/`)) spawnSync('docker', ['rmi', '-f', img], { stdio: 'ignore' });
}, 120_000);

describe.each([
  ['token', () => bed.TOKEN as string],
  ['basic', () => bed.BASIC as string],
])('registry with %s auth behind TLS', (kind, host) => {
  it('base image pulled with credentials; prebuild pushes; up on an empty daemon is a hit without a build; no secret leaks', async () => {
    const registry = host();
    const cacheRepo = `${registry}/${PREFIX}/cache-${kind}-${RUN_ID}`;
    const dir = repo(`hit-${kind}`, {
      '.devcontainer/devcontainer.json': JSON.stringify({
        name: `ent-${kind}`,
        build: { dockerfile: 'Dockerfile', options: ['--network=host'] },
        runArgs: ['--network=host'],
      }),
      '.devcontainer/Dockerfile': `FROM ${registry}/${PREFIX}/base:${RUN_ID}\nRUN echo ${kind} > /etc/dck-marker\n`,
    });
    const secretFile = dockerConfigSecret(kind, { [registry]: { user: bed.USER as string, password } });
    const e = env(`hit-${kind}`, dir, { DEVCONTAINER_CACHE_REPO: cacheRepo, DEVCONTAINER_DOCKER_CONFIG: secretFile });

    // prebuild on the machine's daemon: the FROM image only exists in the private registry.
    const issuerBefore = readFileSync(bed.ISSUER_LOG as string, 'utf8').split('\n').length;
    const pre = prebuild(e);
    expect(pre.status, pre.stderr).toBe(0);
    const image = pre.stdout.trim();
    expect(image.startsWith(`${cacheRepo}:`)).toBe(true);
    expect(pre.stderr).toContain(`registry credentials from ${secretFile} for ${registry}`);
    setup.expectNoSecret('prebuild output', pre.stdout + pre.stderr);
    if (kind === 'token') {
      // The builder's own lookup asked the issuer for a pull token as dck-robot; the daemon's push for push,pull.
      const issued = readFileSync(bed.ISSUER_LOG as string, 'utf8')
        .split('\n')
        .slice(issuerBefore - 1)
        .filter(Boolean)
        .map((l) => JSON.parse(l));
      expect(issued).toContainEqual(
        expect.objectContaining({ user: bed.USER, granted: true, scopes: [`repository:${PREFIX}/cache-${kind}-${RUN_ID}:pull`] }),
      );
      expect(issued.some((r) => r.granted && r.scopes.some((s: string) => s.endsWith(':push,pull')))).toBe(true);
    }

    // up on an empty daemon: found through the registry's auth flow, pulled, started without a build.
    const fresh = freshHost as string;
    const hit = await upToCompletion({ ...e, DOCKER_HOST: fresh, CODER_AGENT_URL: standin.url, CODER_AGENT_TOKEN: standin.agentToken });
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.status.cache).toBe('hit');
    expect(hit.status.prebuilt).toMatchObject({ image, status: 'hit' });
    const freshEnv = { ...process.env, DOCKER_HOST: fresh };
    expect(execFileSync('docker', ['exec', hit.status.containerId, 'cat', '/etc/dck-marker'], { env: freshEnv, encoding: 'utf8' })).toBe(
      `${kind}\n`,
    );
    const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env: freshEnv, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(images).toEqual([image]);

    // Secrets: nowhere but the builder's own memory and the private DOCKER_CONFIG it removed.
    expect(hit.leaks).toEqual([]);
    setup.expectNoSecret('argv of every process', hit.cmdlines);
    setup.expectNoSecret('builder output', hit.stdout + hit.stderr);
    setup.expectNoSecret('status file', readFileSync(e.DEVCONTAINER_STATUS_FILE as string, 'utf8'));
    setup.expectNoSecret(
      'Coder logs',
      standin
        .logs()
        .map((l) => l.output)
        .join('\n'),
    );
    setup.expectNoSecret(
      'state dir',
      execFileSync('sh', ['-c', `cat "${join(root, 'status')}"/*.state/* 2>/dev/null || true`], { encoding: 'utf8' }),
    );
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('devcontainer-builder-docker-'))).toEqual([]);
    execFileSync('docker', ['rm', '-f', hit.status.containerId], { env: freshEnv, stdio: 'ignore' });
    execFileSync('docker', ['rmi', image], { env: freshEnv, stdio: 'ignore' });
  }, 600_000);
});

describe('a missing or wrong credential', () => {
  it('is a miss with the reason, quickly, and the build goes on; a missing file stops before any work', async () => {
    const registry = bed.TOKEN as string;
    const dir = repo('miss', {
      '.devcontainer/devcontainer.json': JSON.stringify({ name: 'ent-miss', image: 'local/debian:bookworm', runArgs: ['--network=host'] }),
    });
    const cacheRepo = `${registry}/${PREFIX}/cache-miss-${RUN_ID}`;
    const none = await upToCompletion(env('miss', dir, { DEVCONTAINER_CACHE_REPO: cacheRepo }));
    expect(none.code, none.stderr).toBe(0);
    expect(none.status.cache).toBe('miss');
    expect(none.status.prebuilt.reason).toBe(
      `registry ${registry} needs credentials: its token service 127.0.0.1:5130 answered 401 and the docker config has none for ${registry}`,
    );
    expect(none.status.phases.up.durationMs).toBeLessThan(60_000);

    // Another workspace on the same repository: a restart of the first would be a warm start, with no lookup.
    const wrong = await upToCompletion(
      env('miss-wrong', dir, {
        DEVCONTAINER_CACHE_REPO: cacheRepo,
        DEVCONTAINER_DOCKER_CONFIG: dockerConfigSecret('wrong', { [registry]: { user: bed.USER as string, password: 'not-the-password' } }),
      }),
    );
    expect(wrong.code, wrong.stderr).toBe(0);
    expect(wrong.status.prebuilt.reason).toBe(
      `registry ${registry}: its token service 127.0.0.1:5130 refused the credentials of ${bed.USER} (401)`,
    );
    expect(JSON.stringify(wrong.status)).not.toContain('not-the-password');
    expect(wrong.stderr).not.toContain('not-the-password');

    const missingFile = join(root, 'secrets', 'absent', '.dockerconfigjson');
    const bad = await upToCompletion(env('miss', dir, { DEVCONTAINER_DOCKER_CONFIG: missingFile }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`DEVCONTAINER_DOCKER_CONFIG (--docker-config): ${missingFile}: cannot read it (ENOENT)`);
  }, 600_000);
});
