// Pure logic only: Dockerfile COPY/ADD source parsing and Docker's path patterns.
import { describe, expect, it } from 'vitest';
import { parseDockerfileSources } from '../src/dockerfile-sources.js';
import { isIgnored, parseDockerignore, patternToRegExp } from '../src/patterns.js';

describe('parseDockerfileSources', () => {
  it('lists COPY/ADD sources, skipping --from, flags, comments, heredocs and continuation lines', () => {
    const text = [
      'FROM local/debian:bookworm AS base',
      '# COPY commented.txt /x',
      'COPY --chown=1000:1000 --chmod=644 a.txt b/ /dst/',
      'copy ["with space.txt", "/dst/"]',
      'COPY --from=base /etc/passwd /x',
      'ADD https://example.invalid/tool.tgz /opt/',
      'RUN echo hi \\',
      '  && echo there',
      'COPY \\',
      '  scripts/*.sh \\',
      '  /usr/local/bin/',
      'COPY <<EOF /etc/motd',
      'COPY not-a-source /x',
      'EOF',
      'ADD --link vendor /vendor',
    ].join('\n');
    expect(parseDockerfileSources(text)).toEqual({
      paths: ['a.txt', 'b/', 'with space.txt', 'scripts/*.sh', 'vendor'],
      remote: ['https://example.invalid/tool.tgz'],
    });
  });

  it('asks for the whole context when a source uses a variable', () => {
    expect(parseDockerfileSources('ARG F=x\nCOPY $F /x\n').wholeContextReason).toBe('COPY $F uses a variable');
  });

  it('honours the escape parser directive', () => {
    expect(parseDockerfileSources('# escape=`\nFROM x\nCOPY a.txt `\n  b.txt /d/\n').paths).toEqual(['a.txt', 'b.txt']);
  });
});

describe('.dockerignore patterns', () => {
  it('matches like moby/patternmatcher: **, parents, exceptions, last rule wins', () => {
    const rules = parseDockerignore('# comment\n**/*.log\nnode_modules\n/build/\n!build/keep.txt\n*.md\n!README.md\n');
    expect(isIgnored(rules, 'a/b/c.log')).toBe(true);
    expect(isIgnored(rules, 'x.log')).toBe(true);
    expect(isIgnored(rules, 'node_modules/pkg/index.js')).toBe(true);
    expect(isIgnored(rules, 'src/node_modules/x')).toBe(false);
    expect(isIgnored(rules, 'build/out.bin')).toBe(true);
    expect(isIgnored(rules, 'build/keep.txt')).toBe(false);
    expect(isIgnored(rules, 'NOTES.md')).toBe(true);
    expect(isIgnored(rules, 'README.md')).toBe(false);
    expect(isIgnored(rules, 'src/main.c')).toBe(false);
  });

  it('COPY globs are per path segment (Go filepath.Match)', () => {
    const re = patternToRegExp('scripts/*.sh', { doubleStar: false });
    expect(re.test('scripts/a.sh')).toBe(true);
    expect(re.test('scripts/sub/a.sh')).toBe(false);
    expect(patternToRegExp('file[0-9].txt', { doubleStar: false }).test('file7.txt')).toBe(true);
  });
});

describe('createPrebuiltOverrideConfig', () => {
  it('replaces the build by the image and drops what the image label already carries', async () => {
    const { createPrebuiltOverrideConfig } = await import('../src/override-config.js');
    const config = {
      name: 'x',
      build: { dockerfile: 'Dockerfile' },
      features: { './f': {} },
      runArgs: ['--network=host'],
      remoteUser: 'dev',
      postCreateCommand: 'echo once',
      mounts: ['source=a,target=/a,type=volume'],
      customizations: { vscode: { extensions: ['a.b'] } },
    };
    expect(createPrebuiltOverrideConfig(config, 'reg/repo:key', { updateRemoteUserUID: false })).toEqual({
      name: 'x',
      runArgs: ['--network=host'],
      remoteUser: 'dev',
      image: 'reg/repo:key',
      updateRemoteUserUID: false,
    });
  });
});
