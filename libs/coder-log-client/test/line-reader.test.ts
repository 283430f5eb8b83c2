// Byte stream → lines, and devcontainer JSON levels. Real: nothing external (pure logic).
import { describe, expect, it } from 'vitest';
import { parseDevcontainerJsonLine } from '../src/json-levels.js';
import { LineReader, MAX_PARTIAL_CHARS } from '../src/line-reader.js';

describe('LineReader', () => {
  it('reassembles lines and UTF-8 split across chunks; invalid bytes become U+FFFD', () => {
    const lines: string[] = [];
    const r = new LineReader((l) => lines.push(l));
    const euro = Buffer.from('€');
    r.push(Buffer.concat([Buffer.from('a'), euro.subarray(0, 1)]));
    r.push(Buffer.concat([euro.subarray(1), Buffer.from('\nb\n\nbad '), Buffer.from([0xff]), Buffer.from(' end')]));
    r.end();
    expect(lines).toEqual(['a€', 'b', '', 'bad \uFFFD end']);
  });

  it('bounds a partial line: CR redraws are cut down, and huge partials are emitted', () => {
    const lines: string[] = [];
    const r = new LineReader((l) => lines.push(l));
    for (let i = 0; i < 200_000; i++) r.push(`progress ${i}%\r`);
    expect(lines).toEqual([]);
    r.push('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.length).toBeLessThan(MAX_PARTIAL_CHARS);
    expect(lines[0]?.endsWith('progress 199999%\r')).toBe(true);
    r.push('y'.repeat(MAX_PARTIAL_CHARS + 1));
    expect(lines).toHaveLength(2);
  });
});

describe('parseDevcontainerJsonLine', () => {
  it('maps levels 1..5 to trace..error and uses text as output', () => {
    const ev = (level: number, text: string) => JSON.stringify({ type: 'text', level, timestamp: 1, text });
    expect(parseDevcontainerJsonLine(ev(1, 'a'))).toEqual({ level: 'trace', lines: ['a'] });
    expect(parseDevcontainerJsonLine(ev(2, 'a'))?.level).toBe('debug');
    expect(parseDevcontainerJsonLine(ev(3, 'a'))?.level).toBe('info');
    expect(parseDevcontainerJsonLine(ev(4, 'a'))?.level).toBe('warn');
    expect(parseDevcontainerJsonLine(ev(5, 'x\ny\n'))).toEqual({ level: 'error', lines: ['x', 'y'] });
  });

  it('leaves other lines alone', () => {
    expect(parseDevcontainerJsonLine('plain')).toBeUndefined();
    expect(parseDevcontainerJsonLine('{"outcome":"success"}')).toBeUndefined();
    expect(parseDevcontainerJsonLine('{broken')).toBeUndefined();
  });
});
