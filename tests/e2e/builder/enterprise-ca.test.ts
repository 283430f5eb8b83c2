// End to end: a corporate CA (DEVCONTAINER_CA_CERT) through the real `devcontainer-builder` CLI.
// Real: `git http-backend` behind HTTPS with a certificate from the test CA (tests/support/git-server,
// the CA and certificate from tests/testbed/registry-auth.sh, made with openssl), git, the machine's
// dockerd, the pinned devcontainer CLI. What it proves: without the CA the clone fails on the
// certificate; with it the builder clones, fetches again on a restart, and the devcontainer gets the
// CA mounted with NODE_EXTRA_CA_CERTS / SSL_CERT_FILE / GIT_SSL_CAINFO in its hooks' environment;
// DEVCONTAINER_CA_CERT_IN_CONTAINER=false leaves the devcontainer without them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import { ensureDocker, runTestbed } from '../../support/testbed.js';
import { type BuilderRun, buildBuilder, cleanupDocker, dockerOut, git, readStatus, startBuilder } from './support.js';

const PREFIX = 'dck-builder-ca';
const TOKEN = `tok-${crypto.randomUUID()}`;

let root: string;
let bed: Record<string, string>;
let server: GitServer;
let work: string;
const runs: BuilderRun[] = [];
const workspaceNames: string[] = [];

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  workspaceNames.push(`${PREFIX}-${name}`);
  return {
    DEVCONTAINER_REPOSITORY: `${server.url}app.git`,
    DEVCONTAINER_GIT_TOKEN: TOKEN,
    DEVCONTAINER_WORKSPACE_FOLDER: join(root, 'workspaces', name, 'app'),
    DEVCONTAINER_WORKSPACE_NAME: `${PREFIX}-${name}`,
    DEVCONTAINER_STATUS_FILE: join(root, 'status', `${name}.status.json`),
    DEVCONTAINER_SUPERVISE: 'false',
    ...extra,
  };
}

async function up(e: Record<string, string>) {
  const run = startBuilder(e);
  runs.push(run);
  const r = await run.exited;
  return { code: r.code, stderr: run.stderr(), status: readStatus(e.DEVCONTAINER_STATUS_FILE as string) ?? {} };
}

beforeAll(async () => {
  ensureDocker();
  bed = Object.fromEntries(
    runTestbed('registry-auth')
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  buildBuilder(['libs/builder-runner', 'apps/devcontainer-builder']);
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  work = join(root, 'work');
  mkdirSync(join(work, '.devcontainer'), { recursive: true });
  writeFileSync(
    join(work, '.devcontainer/devcontainer.json'),
    JSON.stringify({
      name: 'ca-fixture',
      image: 'local/debian:bookworm',
      runArgs: ['--network=host'],
      postCreateCommand:
        'printenv NODE_EXTRA_CA_CERTS SSL_CERT_FILE GIT_SSL_CAINFO > /tmp/ca-env; cat /usr/local/share/devcontainer-kit/ca.crt > /tmp/ca-seen 2>/dev/null; true',
    }),
  );
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'fixture');
  git(root, 'init', '-q', '--bare', join(root, 'repos', 'app.git'));
  git(work, 'push', '-q', join(root, 'repos', 'app.git'), 'HEAD:refs/heads/main');
  git(join(root, 'repos', 'app.git'), 'symbolic-ref', 'HEAD', 'refs/heads/main');
  server = await startGitServer({
    root: join(root, 'repos'),
    token: TOKEN,
    tls: { key: readFileSync(bed.KEY as string, 'utf8'), cert: readFileSync(bed.CERT as string, 'utf8') },
  });
}, 600_000);

afterAll(async () => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  await server?.close();
  cleanupDocker(workspaceNames, PREFIX);
  for (const name of workspaceNames)
    for (const id of dockerOut('ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${name}`).split('\n').filter(Boolean))
      execFileSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('a git server behind TLS from a corporate CA', () => {
  it('without DEVCONTAINER_CA_CERT the clone fails on the certificate', async () => {
    const r = await up(env('no-ca'));
    expect(r.code).toBe(1);
    expect(r.status.lastError?.code).toBe('git-failed');
    expect(r.stderr).toMatch(/certificate/i);
  }, 300_000);

  it('with it: cloned, fetched again on a restart, the CA offered to the devcontainer', async () => {
    const e = env('ca', { DEVCONTAINER_CA_CERT: bed.CA as string });
    const first = await up(e);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`trusting 1 CA certificate(s) from ${bed.CA} (CN=devcontainer-kit test CA)`);
    // Started without NODE_EXTRA_CA_CERTS naming it: the builder says its own HTTPS does not trust it.
    expect(first.stderr).toContain(`start the builder with NODE_EXTRA_CA_CERTS=${bed.CA}`);
    const container = first.status.containerId as string;
    expect(dockerOut('exec', container, 'cat', '/tmp/ca-seen').trim()).toBe(readFileSync(bed.CA as string, 'utf8').trim());
    expect(dockerOut('exec', container, 'cat', '/tmp/ca-env').trim().split('\n')).toEqual([
      '/usr/local/share/devcontainer-kit/ca.crt',
      '/usr/local/share/devcontainer-kit/ca-bundle.crt',
      '/usr/local/share/devcontainer-kit/ca-bundle.crt',
    ]);
    // The bundle in the devcontainer holds the system CAs and the corporate one.
    const bundle = dockerOut('exec', container, 'cat', '/usr/local/share/devcontainer-kit/ca-bundle.crt');
    expect((bundle.match(/BEGIN CERTIFICATE/g) ?? []).length).toBeGreaterThan(1);
    expect(server.requests().filter((q) => q.auth === 'ok' && q.status === 200).length).toBeGreaterThan(0);

    // A new commit, then a restart: the checkout is fetched over TLS and fast-forwarded.
    writeFileSync(join(work, 'NEW'), 'new\n');
    git(work, 'add', 'NEW');
    git(work, 'commit', '-qm', 'new');
    git(work, 'push', '-q', join(root, 'repos', 'app.git'), 'HEAD:refs/heads/main');
    const head = git(work, 'rev-parse', 'HEAD');
    const second = await up(e);
    expect(second.code, second.stderr).toBe(0);
    expect(git(e.DEVCONTAINER_WORKSPACE_FOLDER as string, 'rev-parse', 'HEAD')).toBe(head);
  }, 300_000);

  it('DEVCONTAINER_CA_CERT_IN_CONTAINER=false: cloned with the CA, nothing mounted into the devcontainer', async () => {
    const r = await up(env('ca-out', { DEVCONTAINER_CA_CERT: bed.CA as string, DEVCONTAINER_CA_CERT_IN_CONTAINER: 'false' }));
    expect(r.code, r.stderr).toBe(0);
    const mounts = dockerOut('inspect', '--format', '{{range .Mounts}}{{.Destination}} {{end}}', r.status.containerId);
    expect(mounts).not.toContain('/usr/local/share/devcontainer-kit');
    expect(dockerOut('exec', r.status.containerId, 'cat', '/tmp/ca-env')).toBe('');
  }, 300_000);
});
