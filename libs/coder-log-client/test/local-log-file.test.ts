// The full local log: a real file in a temporary directory.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalLogFile } from '../src/local-log-file.js';

describe('LocalLogFile', () => {
  it('keeps every line, in order and byte for byte, across chunk boundaries, multi-byte text and lines larger than a chunk', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dck-local-log-')), 'sub', 'full.log');
    const errors: unknown[] = [];
    const file = new LocalLogFile(path, (e) => errors.push(e));
    const expected: string[] = [];
    const at = ['2026-12-01T10:00:00.000Z', '2026-12-01T10:00:00.001Z'];
    for (let i = 0; i < 20_000; i++) {
      const line =
        i % 997 === 0
          ? `${'ü完😀'.repeat(30_000)} ${i}` // ~300 KB of UTF-8: larger than one chunk
          : i % 7 === 0
            ? `Ünïcödé ✓ 完成 😀 ${i}`
            : `#${i} npm http fetch GET 200 https://registry.npmjs.org/pkg-${i % 97}`;
      const level = i % 5 === 0 ? 'warn' : 'info';
      const source = i % 3 === 0 ? 'Build ✓' : 'dotfiles';
      const when = at[i % 2] as string;
      file.append(source, level, line, when);
      expected.push(`${when} ${level.padEnd(5)} [${source}] ${line}\n`);
    }
    file.close();
    expect(errors).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe(expected.join(''));
  });

  it('reports a file it cannot open once and never throws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dck-local-log-'));
    writeFileSync(join(dir, 'a-file'), '');
    const errors: unknown[] = [];
    const file = new LocalLogFile(join(dir, 'a-file', 'full.log'), (e) => errors.push(e));
    file.append('s', 'info', 'a line', '2026-12-01T10:00:00.000Z');
    file.flush();
    file.close();
    expect(errors).toHaveLength(1);
  });
});
