// End to end: a corporate CA (DEVCONTAINER_CA_CERT) through the real `devcontainer-builder` CLI.
// Real: `git http-backend` behind HTTPS with a certificate from the test CA (tests/support/git-server,
// the CA and certificate from tests/testbed/registry-auth.sh, made with openssl), git, the machine's
// dockerd, the pinned devcontainer CLI. What it proves: without the CA the clone fails on the
// certificate; with it the builder clones, fetches again on a restart, and the devcontainer gets the
// CA mounted with NODE_EXTRA_CA_CERTS / SSL_CERT_FILE / GIT_SSL_CAINFO in its hooks' environment;
// DEVCONTAINER_CA_CERT_IN_CONTAINER=false leaves the devcontainer without them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import { runTestbedValues } from '../../support/testbed.js';
import { setupEnterpriseTests } from './enterprise-setup.js';
import { createGitRepo, dockerOut, git } from './support.js';

const PREFIX = 'dck-builder-ca';
const TOKEN = `tok-${crypto.randomUUID()}`;

const setup = setupEnterpriseTests(PREFIX);
let bed: Record<string, string>;
let server: GitServer;
let work: string;
let bare: string;

function env(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return setup.env(name, {
    DEVCONTAINER_REPOSITORY: `${server.url}app.git`,
    DEVCONTAINER_GIT_TOKEN: TOKEN,
    DEVCONTAINER_WORKSPACE_FOLDER: join(setup.root, 'workspaces', name, 'app'),
    ...extra,
  });
}

beforeAll(async () => {
  bed = runTestbedValues('registry-auth');
  work = createGitRepo(join(setup.root, 'work'), {
    '.devcontainer/devcontainer.json': JSON.stringify({
      name: 'ca-fixture',
      image: 'local/debian:bookworm',
      runArgs: ['--network=host'],
      postCreateCommand:
        'printenv NODE_EXTRA_CA_CERTS SSL_CERT_FILE GIT_SSL_CAINFO > /tmp/ca-env; cat /usr/local/share/devcontainer-kit/ca.crt > /tmp/ca-seen 2>/dev/null; true',
    }),
  });
  bare = setup.publish(work);
  server = await startGitServer({
    root: join(setup.root, 'repos'),
    token: TOKEN,
    tls: { key: readFileSync(bed.KEY as string, 'utf8'), cert: readFileSync(bed.CERT as string, 'utf8') },
  });
}, 600_000);

afterAll(async () => {
  await server?.close();
});

describe('a git server behind TLS from a corporate CA', () => {
  it('without DEVCONTAINER_CA_CERT the clone fails on the certificate', async () => {
    const r = await setup.up(env('no-ca'));
    expect(r.code).toBe(1);
    expect(r.status.lastError?.code).toBe('git-failed');
    expect(r.stderr).toMatch(/certificate/i);
  }, 300_000);

  it('with it: cloned, fetched again on a restart, the CA offered to the devcontainer', async () => {
    const e = env('ca', { DEVCONTAINER_CA_CERT: bed.CA as string });
    const first = await setup.up(e);
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
    git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
    const head = git(work, 'rev-parse', 'HEAD');
    const second = await setup.up(e);
    expect(second.code, second.stderr).toBe(0);
    expect(git(e.DEVCONTAINER_WORKSPACE_FOLDER as string, 'rev-parse', 'HEAD')).toBe(head);
  }, 300_000);

  it('DEVCONTAINER_CA_CERT_IN_CONTAINER=false: cloned with the CA, nothing mounted into the devcontainer', async () => {
    const r = await setup.up(env('ca-out', { DEVCONTAINER_CA_CERT: bed.CA as string, DEVCONTAINER_CA_CERT_IN_CONTAINER: 'false' }));
    expect(r.code, r.stderr).toBe(0);
    const mounts = dockerOut('inspect', '--format', '{{range .Mounts}}{{.Destination}} {{end}}', r.status.containerId);
    expect(mounts).not.toContain('/usr/local/share/devcontainer-kit');
    expect(dockerOut('exec', r.status.containerId, 'cat', '/tmp/ca-env')).toBe('');
  }, 300_000);
});
