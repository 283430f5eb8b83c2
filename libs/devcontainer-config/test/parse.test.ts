// Pure logic: the JSONC parser (jsonc-parser, real) with positions; no I/O.
import { describe, expect, it } from 'vitest';
import { formatProblem, parseDevcontainer, validateDevcontainer } from '../src/index.js';

describe('parseDevcontainer', () => {
  it('accepts comments and trailing commas and keeps positions of values and keys', () => {
    const text = '// c\n{\n  /* x */ "image": "a", // y\n  "runArgs": ["--x",],\n}\n';
    const r = parseDevcontainer(text, { file: 'dc.json' });
    expect(r.problems).toEqual([]);
    expect(r.config).toEqual({ image: 'a', runArgs: ['--x'] });
    expect(r.positions.get(['image'])).toMatchObject({ line: 3, column: 20 });
    expect(r.positions.key(['image'])).toMatchObject({ line: 3, column: 11 });
    expect(r.positions.get(['runArgs', 0])).toMatchObject({ line: 4, column: 15 });
    expect(r.positions.get(['nope'])).toBeUndefined();
    expect(r.positions.nearest(['runArgs', 5])).toMatchObject({ line: 4, column: 14 });
  });

  it('reports every syntax error with file:line:col and never drops one', () => {
    const text = '{\n  "image": "a"\n  "name": x,\n  "runArgs": [1 2]\n}';
    const r = parseDevcontainer(text, { file: 'dc.json' });
    const lines = r.problems.map(formatProblem);
    expect(lines).toContain('dc.json:3:3: error json-syntax: comma expected (CommaExpected)');
    expect(lines).toContain('dc.json:3:11: error json-syntax: invalid symbol (InvalidSymbol)');
    expect(lines.some((l) => l.startsWith('dc.json:4:17: error json-syntax: comma expected'))).toBe(true);
    expect(r.problems.length).toBeGreaterThanOrEqual(3);
  });

  it('reports an unterminated string and a truncated document', () => {
    const r = parseDevcontainer('{\n  "image": "abc', { file: 'dc.json' });
    expect(r.problems.map((p) => `${p.code}@${p.line}:${p.column}`)).toContain('json-syntax@2:12');
    expect(r.problems.some((p) => p.message.includes('closing brace'))).toBe(true);
  });

  it('reports an empty file at 1:1', () => {
    const r = parseDevcontainer('  // only a comment\n', { file: 'dc.json' });
    expect(r.config).toBeUndefined();
    expect(r.problems).toEqual([
      { code: 'empty-file', severity: 'error', message: 'the file has no JSON value', file: 'dc.json', line: 1, column: 1 },
    ]);
  });

  it('rejects a root that is not an object, at the root', () => {
    const r = parseDevcontainer('\n\n  ["image"]', { file: 'dc.json' });
    expect(r.config).toBeUndefined();
    expect(r.problems.map((p) => `${p.code}@${p.line}:${p.column}`)).toEqual(['root-not-object@3:3']);
  });

  it('counts CRLF and CR line ends as one line each', () => {
    const r = parseDevcontainer('{\r\n"image": 1,\r"name": 2\r\n}', { file: 'dc.json' });
    const ps = validateDevcontainer(r).map((p) => `${p.code}@${p.line}:${p.column}`);
    expect(ps).toEqual(['type-mismatch@2:10', 'type-mismatch@3:9']);
  });

  it('formats a problem on one line', () => {
    expect(formatProblem({ code: 'type-mismatch', severity: 'error', message: 'm', file: 'a/b.json', line: 3, column: 7 })).toBe(
      'a/b.json:3:7: error type-mismatch: m',
    );
  });
});
