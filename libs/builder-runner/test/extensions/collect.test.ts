// Pure logic only: no I/O.
import { describe, expect, it } from 'vitest';
import { collectExtensions, parseExtensionSpec } from '../../src/extensions/collect.js';

describe('collectExtensions', () => {
  it('collects features first, devcontainer.json last, and -id removes what came before', () => {
    const feature = { customizations: { vscode: { extensions: ['ms-python.python', 'golang.Go'] } } };
    const config = { customizations: { vscode: { extensions: ['-ms-python.python', 'dbaeumer.vscode-eslint'] } } };
    const { extensions, ignored } = collectExtensions({ configs: [feature, config] });
    expect(extensions.map((e) => e.id)).toEqual(['golang.go', 'dbaeumer.vscode-eslint']);
    expect(ignored).toEqual([]);
  });

  it('accepts the merged configuration of the devcontainer CLI (customizations.vscode as an array)', () => {
    const merged = {
      customizations: { vscode: [{ extensions: ['a.one', 'b.two'] }, { settings: {} }, { extensions: ['-a.one'] }] },
    };
    expect(collectExtensions({ configs: [merged] }).extensions.map((e) => e.id)).toEqual(['b.two']);
  });

  it('adds DEVCONTAINER_EXTENSIONS after the configuration, where -id also removes', () => {
    const config = { customizations: { vscode: { extensions: ['a.one', 'b.two'] } } };
    const { extensions } = collectExtensions({ configs: [config], extra: ' c.three, -a.one ,, d.four@1.2.3' });
    expect(extensions).toEqual([
      { id: 'b.two', spec: 'b.two' },
      { id: 'c.three', spec: 'c.three' },
      { id: 'd.four', version: '1.2.3', spec: 'd.four@1.2.3' },
    ]);
  });

  it('compares ids case-insensitively and lets a later pin replace an earlier entry', () => {
    const feature = { customizations: { vscode: { extensions: ['Pub.Ext'] } } };
    const config = { customizations: { vscode: { extensions: ['pub.ext@2.0.0'] } } };
    expect(collectExtensions({ configs: [feature, config] }).extensions).toEqual([
      { id: 'pub.ext', version: '2.0.0', spec: 'pub.ext@2.0.0' },
    ]);
  });

  it('returns every entry it cannot use, with why, and never throws', () => {
    const config = { customizations: { vscode: { extensions: [42, 'no-dot', 'a.b@latest', 'ok.one'] } } };
    const { extensions, ignored } = collectExtensions({ configs: [config, null, 'x', { customizations: 3 }] });
    expect(extensions.map((e) => e.id)).toEqual(['ok.one']);
    expect(ignored.map((i) => i.entry)).toEqual([42, 'no-dot', 'a.b@latest']);
    expect(ignored[2]!.reason).toMatch(/not a version/);
  });

  it('returns nothing for a configuration without extensions', () => {
    expect(collectExtensions({ configs: [{ image: 'x' }] })).toEqual({ extensions: [], ignored: [] });
  });
});

describe('parseExtensionSpec', () => {
  it('parses removals and pins', () => {
    expect(parseExtensionSpec('-A.b@1.0.0')).toEqual({ remove: true, ref: { id: 'a.b', version: '1.0.0', spec: '-A.b@1.0.0' } });
    expect(parseExtensionSpec('a.b-c.d_e')).toEqual({ remove: false, ref: { id: 'a.b-c.d_e', spec: 'a.b-c.d_e' } });
  });
});
