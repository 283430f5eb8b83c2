// Pure parsing of what the servers print, plus the one-line classification of install failures
// (the inputs are lines code-server 4.139.1 really printed here).
import { describe, expect, it } from 'vitest';
import { classifyInstallFailure, formatExtensionResult } from '../../src/extensions/install.js';
import { parseDetectedServers, parseListedExtensions } from '../../src/extensions/servers.js';

describe('parseDetectedServers', () => {
  it('keeps one server per kind, first found wins, in a fixed order', () => {
    const out = [
      'vscode-server\t/home/u/.vscode-server/bin/abc/bin/code-server\t/x',
      'code-server\t/opt/code-server/bin/code-server\t/opt/real',
      'code-server\t/usr/bin/code-server\t/usr/bin/code-server',
      'junk',
      'openvscode-server\t/home/.openvscode-server/bin/openvscode-server\t/y',
    ].join('\n');
    expect(parseDetectedServers(out)).toEqual([
      { kind: 'code-server', path: '/opt/code-server/bin/code-server' },
      { kind: 'openvscode-server', path: '/home/.openvscode-server/bin/openvscode-server' },
      { kind: 'vscode-server', path: '/home/u/.vscode-server/bin/abc/bin/code-server' },
    ]);
  });
});

describe('parseListedExtensions', () => {
  it('reads id@version lines and ignores log lines', () => {
    const out = '[2026-11-23T16:04:50.498Z] info  Wrote default config file\nDck-Fixtures.hello@1.0.0\nms-python.python@2024.1.0\n';
    expect([...parseListedExtensions(out)]).toEqual([
      ['dck-fixtures.hello', '1.0.0'],
      ['ms-python.python', '2024.1.0'],
    ]);
  });
});

describe('classifyInstallFailure', () => {
  it('tells "not found" from an unreachable gallery', () => {
    expect(
      classifyInstallFailure(
        "Installing extensions...\nExtension 'nobody.nothing' not found.\nMake sure you use the full extension ID",
        'nobody.nothing',
      ),
    ).toEqual({
      outcome: 'not-found',
      reason: "Extension 'nobody.nothing' not found.",
    });
    expect(
      classifyInstallFailure(
        'Installing extensions...\nError while installing extensions: getaddrinfo ENOTFOUND open-vsx.org\ngetaddrinfo ENOTFOUND open-vsx.org',
        'nobody.nothing',
      ),
    ).toEqual({ outcome: 'failed', reason: 'Error while installing extensions: getaddrinfo ENOTFOUND open-vsx.org' });
  });
});

describe('formatExtensionResult', () => {
  it('says what happened in one line', () => {
    const server = { kind: 'code-server' as const, path: '/x' };
    expect(
      formatExtensionResult({
        id: 'a.b',
        server,
        outcome: 'installed',
        source: 'offline',
        vsix: '/d/a.b-1.0.0.vsix',
        installedVersion: '1.0.0',
      }),
    ).toBe('a.b (code-server): installed 1.0.0 from offline a.b-1.0.0.vsix');
    expect(formatExtensionResult({ id: 'a.b', server, outcome: 'failed', reason: 'boom' })).toBe('a.b (code-server): failed: boom');
    expect(formatExtensionResult({ id: 'a.b', outcome: 'no-server' })).toMatch(/no IDE server/);
  });
});
