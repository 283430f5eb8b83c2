// Option resolution for coder-logstream (flags, env fallbacks, token file). Real: nothing external
// (the file reader is passed in).
import { describe, expect, it } from 'vitest';
import { parseBytes, parseDuration, redactCredentials, resolveLogstreamOptions } from '../src/cli-options.js';

const SECRET = 'tok-do-not-show';
const noFile = (p: string): string => {
  throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
};

describe('resolveLogstreamOptions', () => {
  it('uses flags first, then the environment, then defaults', () => {
    const { options, problems } = resolveLogstreamOptions({
      flags: { 'source-name': 'From flag', 'flush-interval': '250ms' },
      env: {
        CODER_AGENT_URL: 'https://coder.example.com/',
        CODER_AGENT_TOKEN: SECRET,
        CODER_LOGSTREAM_SOURCE_NAME: 'From env',
        CODER_LOGSTREAM_BUDGET: '512KiB',
        CODER_LOGSTREAM_STDERR_LEVEL: 'warn',
        CODER_LOGSTREAM_LEVEL_FROM_JSON: 'true',
      },
      command: ['/usr/bin/devcontainer', 'up'],
      readFile: noFile,
    });
    expect(problems).toEqual([]);
    expect(options).toMatchObject({
      agentUrl: 'https://coder.example.com/',
      agentToken: SECRET,
      sourceName: 'From flag',
      flushIntervalMs: 250,
      flushTimeoutMs: 10_000,
      budgetBytes: 512 * 1024,
      stderrLevel: 'warn',
      levelFromJson: true,
    });
    expect(options.logFile).toMatch(/coder-logstream-from-flag\.log$/);
  });

  it('defaults the source name to the command, or stdin', () => {
    const r = (command: string[]) => resolveLogstreamOptions({ flags: {}, env: {}, command, readFile: noFile }).options;
    expect(r(['/usr/local/bin/devcontainer', 'up']).sourceName).toBe('devcontainer');
    expect(r([]).sourceName).toBe('stdin');
    expect(r([]).agentUrl).toBeUndefined();
  });

  it('reads the token from --agent-token-file or CODER_AGENT_TOKEN_FILE, flag first', () => {
    const files: Record<string, string> = { '/run/flag': 'from-flag\n', '/run/env': 'from-env\n' };
    const readFile = (p: string) => files[p] ?? noFile(p);
    const r = (flags: object, env: Record<string, string>) =>
      resolveLogstreamOptions({ flags, env, command: [], readFile }).options.agentToken;
    expect(r({ 'agent-token-file': '/run/flag' }, { CODER_AGENT_TOKEN: 'env-token' })).toBe('from-flag');
    expect(r({}, { CODER_AGENT_TOKEN: 'env-token', CODER_AGENT_TOKEN_FILE: '/run/env' })).toBe('env-token');
    expect(r({}, { CODER_AGENT_TOKEN_FILE: '/run/env' })).toBe('from-env');
  });

  it('returns every problem at once and never includes the token', () => {
    const { problems } = resolveLogstreamOptions({
      flags: {
        'agent-url': 'ftp://x',
        'agent-token-file': '/missing',
        'flush-interval': 'soon',
        'flush-timeout': '-1',
        budget: '2MiB',
        'stderr-level': 'loud',
        'source-id': 'not-a-uuid',
      },
      env: { CODER_AGENT_TOKEN: SECRET },
      command: [],
      readFile: noFile,
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).not.toContain(SECRET);
  });
});

describe('messages about bad values', () => {
  it('name the source of each bad value: the flag, or the environment variable', () => {
    const fromEnv = resolveLogstreamOptions({
      flags: {},
      env: { CODER_AGENT_URL: 'ftp://coder.example.com/', CODER_LOGSTREAM_BUDGET: 'lots', CODER_LOGSTREAM_STDERR_LEVEL: 'loud' },
      command: [],
      readFile: noFile,
    }).problems;
    expect(fromEnv).toEqual([
      'CODER_AGENT_URL must be an http(s) URL, got ftp://coder.example.com/',
      'CODER_LOGSTREAM_BUDGET must be a size like 917504, 896KiB or 1MiB, got "lots"',
      'CODER_LOGSTREAM_STDERR_LEVEL must be one of trace, debug, info, warn, error, got "loud"',
    ]);
    const fromFlags = resolveLogstreamOptions({
      flags: { 'agent-url': 'ftp://coder.example.com/', budget: 'lots' },
      env: { CODER_AGENT_URL: 'https://fine.example.com/' },
      command: [],
      readFile: noFile,
    }).problems;
    expect(fromFlags).toEqual([
      '--agent-url must be an http(s) URL, got ftp://coder.example.com/',
      '--budget must be a size like 917504, 896KiB or 1MiB, got "lots"',
    ]);
  });

  it('never print credentials from a URL', () => {
    const { problems, options } = resolveLogstreamOptions({
      flags: { 'agent-url': 'ftp://admin:hunter2@coder.example.com/' },
      env: {},
      command: [],
      readFile: noFile,
    });
    expect(problems).toEqual(['--agent-url must be an http(s) URL, got ftp://***@coder.example.com/']);
    expect(options.agentUrl).toBe('ftp://admin:hunter2@coder.example.com/');
    const bad = resolveLogstreamOptions({ flags: {}, env: { CODER_AGENT_URL: 'admin:hunter2@coder' }, command: [], readFile: noFile });
    expect(bad.problems.join('\n')).not.toContain('hunter2');
    // (URL parses `admin:` as the scheme.)
    expect(bad.problems).toEqual(['CODER_AGENT_URL must be an http(s) URL, got ***@coder']);
    const unparsable = resolveLogstreamOptions({
      flags: { 'agent-url': 'http://admin:hunter2@[bad' },
      env: {},
      command: [],
      readFile: noFile,
    });
    expect(unparsable.problems).toEqual(['--agent-url is not a URL: http://***@[bad']);
  });

  it('redactCredentials hides user:pass@ and user@ in URL-like text only', () => {
    expect(redactCredentials('got https://user:secret@coder.example.com:8443/path')).toBe('got https://***@coder.example.com:8443/path');
    expect(redactCredentials('http://token@127.0.0.1:3000/')).toBe('http://***@127.0.0.1:3000/');
    expect(redactCredentials('https://coder.example.com/ and 3 lines')).toBe('https://coder.example.com/ and 3 lines');
  });

  it('takes the budget account file from --budget-account-file or CODER_LOGSTREAM_BUDGET_ACCOUNT_FILE', () => {
    const r = (flags: object, env: Record<string, string>) =>
      resolveLogstreamOptions({ flags, env, command: [], readFile: noFile }).options.budgetAccountFile;
    expect(r({ 'budget-account-file': '/a.json' }, { CODER_LOGSTREAM_BUDGET_ACCOUNT_FILE: '/b.json' })).toBe('/a.json');
    expect(r({}, { CODER_LOGSTREAM_BUDGET_ACCOUNT_FILE: '/b.json' })).toBe('/b.json');
    expect(r({}, {})).toBeUndefined();
  });
});

describe('parseDuration / parseBytes', () => {
  it('parse the units the CLI documents', () => {
    expect([parseDuration('1500'), parseDuration('500ms'), parseDuration('2s'), parseDuration('1m'), parseDuration('x')]).toEqual([
      1500,
      500,
      2000,
      60_000,
      undefined,
    ]);
    expect([parseBytes('917504'), parseBytes('896KiB'), parseBytes('896k'), parseBytes('1MiB'), parseBytes('lots')]).toEqual([
      917_504,
      917_504,
      917_504,
      1_048_576,
      undefined,
    ]);
  });
});
