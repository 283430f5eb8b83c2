// Pure: the extensions phase's label parsing and status form. Nothing real needed (the phase
// itself runs end to end in tests/e2e/builder/extensions-cache-fallback.test.ts).
import { describe, expect, it } from 'vitest';
import { parseMetadataLabel } from '../../src/container.js';
import { collectExtensions } from '../../src/extensions/collect.js';
import { toExtensionsStatus, wantsExtensions } from '../../src/phases/extensions.js';
import { fakeDocker, phaseContext } from './fake-docker.js';

describe('parseMetadataLabel', () => {
  it('reads the CLI merged metadata array (features first, devcontainer.json last) into collectExtensions', () => {
    const label = JSON.stringify([
      { id: './feature', customizations: { vscode: { extensions: ['a.one', 'b.two'] } } },
      { remoteUser: 'dev', customizations: { vscode: { extensions: ['-a.one', 'c.three@1.2.3'] } } },
    ]);
    const { configs, problem } = parseMetadataLabel(label);
    expect(problem).toBeUndefined();
    expect(collectExtensions({ configs, extra: 'd.four' }).extensions.map((e) => e.spec)).toEqual(['b.two', 'c.three@1.2.3', 'd.four']);
  });

  it('accepts a single object, no label, and says what is wrong with a broken one', () => {
    expect(parseMetadataLabel('{"customizations":{}}').configs).toHaveLength(1);
    expect(parseMetadataLabel(undefined)).toEqual({ configs: [] });
    const broken = parseMetadataLabel('[{');
    expect(broken.configs).toEqual([]);
    expect(broken.problem).toMatch(/devcontainer\.metadata label is not JSON/);
  });
});

describe('toExtensionsStatus', () => {
  it('keeps servers, one result per extension and server, a reason for everything not installed, and the summary', () => {
    const server = { kind: 'code-server' as const, path: '/usr/bin/code-server' };
    const status = toExtensionsStatus({
      servers: [server],
      results: [
        { id: 'a.one', server, outcome: 'installed', source: 'offline', installedVersion: '1.0.0' },
        { id: 'b.two', version: '2.0.0', server, outcome: 'already-present' },
        { id: 'c.three', server, outcome: 'failed', reason: 'getaddrinfo ENOTFOUND open-vsx.org' },
        { id: 'd.four', outcome: 'no-server' },
      ],
      ignored: [{ entry: 42, reason: 'not a string' }],
      offlineProblems: [],
      durationMs: 12,
    });
    expect(status.servers).toEqual(['code-server (/usr/bin/code-server)']);
    expect(status.results).toEqual([
      { id: 'a.one', server: 'code-server', outcome: 'installed' },
      { id: 'b.two@2.0.0', server: 'code-server', outcome: 'already-present' },
      { id: 'c.three', server: 'code-server', outcome: 'failed', reason: 'getaddrinfo ENOTFOUND open-vsx.org' },
      { id: 'd.four', outcome: 'no-server', reason: expect.stringMatching(/no IDE server/) },
    ]);
    expect(status.ignored).toEqual(['42: not a string']);
    expect(status.summary).toMatch(/^extensions: 1 installed, 1 already present, 0 not found, 1 failed/);
  });
});

describe('wantsExtensions', () => {
  const inspectJson = (label: string | undefined) =>
    JSON.stringify({
      Id: 'c',
      Image: 'sha256:1',
      State: { Running: true },
      Config: { Image: 'img', Labels: label ? { 'devcontainer.metadata': label } : {}, Env: [] },
    });

  it('asks for a log source only when the label or DEVCONTAINER_EXTENSIONS names something', async () => {
    const label = JSON.stringify([{ customizations: { vscode: { extensions: ['a.one'] } } }]);
    const some = phaseContext(fakeDocker([{ match: 'container inspect *', stdout: inspectJson(label) }]).ctx);
    some.state.container = { containerId: 'c', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    expect(await wantsExtensions(some)).toBe(true);
    expect(some.state.extensionsPlan?.extensions.map((e) => e.id)).toEqual(['a.one']);
    const none = phaseContext(fakeDocker([{ match: 'container inspect *', stdout: inspectJson(undefined) }]).ctx);
    none.state.container = { containerId: 'c', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    expect(await wantsExtensions(none)).toBe(false);
  });

  it('reads the label from the inspect up already made (no docker call), and says when it cannot inspect', async () => {
    const docker = fakeDocker([{ match: 'container inspect *', exit: 1 }]);
    const known = phaseContext(docker.ctx);
    known.state.container = { containerId: 'c', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    known.state.inspected = {
      id: 'c',
      running: true,
      image: 'sha256:1',
      imageName: 'img',
      env: [],
      labels: { 'devcontainer.metadata': JSON.stringify([{ customizations: { vscode: { extensions: ['b.two'] } } }]) },
    };
    expect(await wantsExtensions(known)).toBe(true);
    expect(known.state.extensionsPlan?.extensions.map((e) => e.id)).toEqual(['b.two']);
    expect(docker.calls()).toEqual([]);
    const unknown = phaseContext(docker.ctx);
    unknown.state.container = { containerId: 'd', remoteUser: 'dev', remoteWorkspaceFolder: undefined };
    expect(await wantsExtensions(unknown)).toBe(true);
    expect(unknown.state.extensionsPlan?.labelProblem).toMatch(/cannot inspect the devcontainer d/);
  });
});
