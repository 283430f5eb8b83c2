// Extension checks against a real code-server. Real parts: Docker engine, the test bed's code-server 4.139.1
// image (built once and cached by tests/testbed/code-server-image.sh; minutes on a fresh machine), a real
// .vsix packed by @vscode/vsce (tests/testbed/vsix.sh), `code-server --install-extension` and
// `--list-extensions`, goss v0.4.9.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gossfileFor, runGoss } from '../src/index.js';
import { docker, runTestbed, uniqueName } from './support/testbed.js';

let goss: string;
let container = '';

beforeAll(() => {
  runTestbed('docker');
  goss = runTestbed('goss');
  const image = runTestbed('code-server-image');
  const vsixDir = runTestbed('vsix');
  const vsix = readdirSync(vsixDir).find((f) => f.startsWith('dck-fixtures.hello-'));
  if (!vsix) throw new Error(`no dck-fixtures.hello .vsix in ${vsixDir}`);
  container = uniqueName('code-server');
  docker(['run', '-d', '--name', container, '--network=host', image, 'sleep', 'infinity']);
  docker(['cp', join(vsixDir, vsix), `${container}:/tmp/hello.vsix`]);
  docker(['exec', '-u', 'root', container, 'chmod', '0644', '/tmp/hello.vsix']);
  docker(['exec', '-u', 'coder', container, 'code-server', '--install-extension', '/tmp/hello.vsix']);
}, 900_000);
afterAll(() => {
  if (container) docker(['rm', '-f', container]);
});

const config = (extensions: string[]) => ({
  remoteUser: 'coder',
  workspaceFolder: '/home/coder',
  customizations: { vscode: { extensions } },
});

describe('extensions listed by a real code-server', () => {
  it('passes when every extension of the configuration is installed (ids compared case-insensitively)', async () => {
    const result = await runGoss({
      target: `docker:${container}`,
      user: 'coder',
      goss,
      gossfile: gossfileFor(config(['DCK-Fixtures.Hello']), { coderAgent: false }),
    });
    expect(result.checks.filter((c) => !c.successful).map((c) => c.message)).toEqual([]);
    expect(result.checks.some((c) => c.kind === 'extensions')).toBe(true);
  });

  it('a missing extension fails with the server, the missing id and what was found', async () => {
    const result = await runGoss({
      target: `docker:${container}`,
      user: 'coder',
      goss,
      gossfile: gossfileFor(config(['dck-fixtures.hello', 'dck-fixtures.greeter']), { coderAgent: false }),
    });
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.successful).map((c) => c.message)).toEqual([
      'code-server lists extensions dck-fixtures.hello, dck-fixtures.greeter: stdout: expected dck-fixtures.greeter, actual: missing (found dck-fixtures.hello)',
    ]);
  });

  it('an IDE server that is not installed fails on its exit status, naming the paths tried', async () => {
    const result = await runGoss({
      target: `docker:${container}`,
      user: 'coder',
      goss,
      gossfile: gossfileFor(config(['dck-fixtures.hello']), {
        coderAgent: false,
        ideServers: [{ name: 'openvscode-server', paths: ['openvscode-server', '/opt/openvscode-server/bin/openvscode-server'] }],
      }),
    });
    expect(result.checks.filter((c) => !c.successful).map((c) => c.message)).toContain(
      'openvscode-server lists extensions dck-fixtures.hello: exit-status: expected to be numerically eq 0, actual 127',
    );
  });
});
