// Real: Docker engine, a container from the cached code-server 4.139.1 image (tests/testbed/
// code-server-image.sh) running as its non-root user `coder`, .vsix files packed by @vscode/vsce
// from the fixture extensions, and code-server's own CLI. The gallery (Open VSX) is unreachable
// here, so gallery attempts fail for real. Nothing is mocked.
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectExtensions } from '../../src/extensions/collect.js';
import { installExtensions, summarizeExtensionsReport } from '../../src/extensions/install.js';
import { detectIdeServers } from '../../src/extensions/servers.js';
import { docker, runTestbed, uniqueName } from './testbed.js';

const ctx = createDockerContext({ env: process.env });

let image: string;
let vsixDir: string;
let offlineDir: string;
const containers: string[] = [];

function startContainer(img: string): string {
  const name = uniqueName('ext');
  docker([
    'run',
    '-d',
    '--network=host',
    '--name',
    name,
    '--label',
    'devcontainer-kit.test=builder-runner-extensions',
    img,
    'sleep',
    'infinity',
  ]);
  containers.push(name);
  return name;
}

const listExtensions = (c: string) =>
  docker(['exec', '-u', 'coder', c, 'code-server', '--list-extensions', '--show-versions'])
    .split('\n')
    .filter((l) => l.includes('@'));

beforeAll(() => {
  runTestbed('docker');
  image = runTestbed('code-server-image');
  vsixDir = runTestbed('vsix');
  offlineDir = mkdtempSync(join(tmpdir(), 'dck-builder-ext-offline-'));
  for (const f of readdirSync(vsixDir).filter((n) => n.endsWith('.vsix'))) copyFileSync(join(vsixDir, f), join(offlineDir, f));
}, 900_000);

afterAll(() => {
  for (const c of containers) docker(['rm', '-f', c]);
  rmSync(offlineDir, { recursive: true, force: true });
});

describe('installExtensions in a real code-server devcontainer', () => {
  it('installs from the offline directory as the remote user, skips them on a second run, reports an unknown id', async () => {
    const container = startContainer(image);
    expect(await detectIdeServers({ ctx, containerId: container, remoteUser: 'coder' })).toEqual([
      { kind: 'code-server', path: '/opt/code-server/bin/code-server' },
    ]);

    const config = {
      customizations: { vscode: { extensions: ['dck-fixtures.hello', 'dck-fixtures.greeter@0.2.0', 'nobody.does-not-exist'] } },
    };
    const { extensions, ignored } = collectExtensions({ configs: [config], extra: 'ms-python.python,-ms-python.python' });
    const lines: string[] = [];
    const first = await installExtensions({
      ctx,
      containerId: container,
      remoteUser: 'coder',
      extensions,
      ignored,
      offlineDir,
      onLog: (line) => lines.push(line),
    });
    expect(first.error).toBeUndefined();
    expect(first.results.map((r) => [r.id, r.outcome, r.source])).toEqual([
      ['dck-fixtures.hello', 'installed', 'offline'],
      ['dck-fixtures.greeter', 'installed', 'offline'],
      ['nobody.does-not-exist', 'failed', undefined],
    ]);
    expect(first.results[2]!.reason).toMatch(/open-vsx\.org/);
    expect(listExtensions(container).sort()).toEqual(['dck-fixtures.greeter@0.2.0', 'dck-fixtures.hello@1.0.0']);
    // Installed for the remote user, not root; and the staging copies are gone.
    expect(docker(['exec', '-u', 'coder', container, 'sh', '-c', 'ls ~/.local/share/code-server/extensions'])).toMatch(
      /dck-fixtures\.hello-1\.0\.0/,
    );
    expect(docker(['exec', '-u', '0', container, 'sh', '-c', 'ls -d /tmp/devcontainer-builder-extensions-* 2>/dev/null || true'])).toBe('');
    expect(lines.at(-1)).toBe(summarizeExtensionsReport(first));
    expect(lines).toContain('dck-fixtures.hello (code-server): installed 1.0.0 from offline dck-fixtures.hello-1.0.0.vsix');

    const second = await installExtensions({
      ctx,
      containerId: container,
      remoteUser: 'coder',
      extensions: extensions.slice(0, 2),
      offlineDir,
    });
    expect(second.results.map((r) => [r.id, r.outcome, r.installedVersion])).toEqual([
      ['dck-fixtures.hello', 'already-present', '1.0.0'],
      ['dck-fixtures.greeter', 'already-present', '0.2.0'],
    ]);
  }, 180_000);

  it('reports a pinned version missing offline, and without a gallery says so, without throwing', async () => {
    const container = startContainer(image);
    const report = await installExtensions({
      ctx,
      containerId: container,
      remoteUser: 'coder',
      extensions: collectExtensions({ configs: [], extra: 'dck-fixtures.hello@9.9.9,dck-fixtures.greeter' }).extensions,
      offlineDir,
      gallery: false,
    });
    expect(report.results.map((r) => [r.id, r.outcome])).toEqual([
      ['dck-fixtures.hello', 'not-found'],
      ['dck-fixtures.greeter', 'installed'],
    ]);
  }, 180_000);

  it('detects openvscode-server and VS Code Server layouts and reports per server', async () => {
    // openvscode-server and VS Code Server cannot be downloaded here: code-server's CLI (same flags)
    // is linked at their install paths, so detection and the per-server loop run for real.
    const container = startContainer(image);
    docker([
      'exec',
      '-u',
      '0',
      container,
      'sh',
      '-c',
      'mkdir -p /home/.openvscode-server/bin && ln -s /opt/code-server/bin/code-server /home/.openvscode-server/bin/openvscode-server',
    ]);
    docker([
      'exec',
      '-u',
      'coder',
      container,
      'sh',
      '-c',
      'mkdir -p ~/.vscode-server/bin/0123abc/bin && ln -s /opt/code-server/bin/code-server ~/.vscode-server/bin/0123abc/bin/code-server',
    ]);
    const report = await installExtensions({
      ctx,
      containerId: container,
      remoteUser: 'coder',
      extensions: collectExtensions({ configs: [], extra: 'dck-fixtures.hello' }).extensions,
      offlineDir,
    });
    expect(report.servers).toEqual([
      { kind: 'code-server', path: '/opt/code-server/bin/code-server' },
      { kind: 'openvscode-server', path: '/home/.openvscode-server/bin/openvscode-server' },
      { kind: 'vscode-server', path: '/home/coder/.vscode-server/bin/0123abc/bin/code-server' },
    ]);
    // The three share one extensions directory here, so the first installs and the others find it.
    expect(report.results.map((r) => `${r.server!.kind} ${r.outcome}`)).toEqual([
      'code-server installed',
      'openvscode-server already-present',
      'vscode-server already-present',
    ]);
  }, 180_000);

  it('reports no IDE server in a container without one, and a missing container as an error, never throwing', async () => {
    runTestbed('docker');
    const container = startContainer('local/debian:bookworm');
    const extensions = collectExtensions({ configs: [], extra: 'a.b' }).extensions;
    const bare = await installExtensions({ ctx, containerId: container, remoteUser: 'root', extensions, offlineDir });
    expect(bare.servers).toEqual([]);
    expect(bare.results).toEqual([{ id: 'a.b', outcome: 'no-server' }]);

    const gone = await installExtensions({ ctx, containerId: 'dck-builder-ext-no-such-container', remoteUser: 'root', extensions });
    expect(gone.error).toMatch(/No such container/);
    expect(gone.results).toEqual([{ id: 'a.b', outcome: 'failed', reason: gone.error }]);
  }, 120_000);
});
