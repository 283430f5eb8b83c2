// The persisted budget account. Real: files in a temp directory.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BudgetAccount, budgetAccountAgentKey, formatBudgetAccount, parseBudgetAccount } from '../src/budget-account.js';

const TOKEN = '0f3e9c1a-2b4d-4e6f-8a0b-1c2d3e4f5a6b';
const KEY = budgetAccountAgentKey('https://coder.example.com/', TOKEN);
const dir = () => mkdtempSync(join(tmpdir(), 'dck-budget-account-'));

describe('parseBudgetAccount / formatBudgetAccount', () => {
  it('round-trips, and never stores the token', () => {
    const text = formatBudgetAccount({ sentBytes: 12345, overflowed: true }, KEY, new Date('2026-12-01T00:00:00Z'));
    expect(text).not.toContain(TOKEN);
    expect(JSON.parse(text)).toEqual({ version: 1, agent: KEY, sentBytes: 12345, overflowed: true, updatedAt: '2026-12-01T00:00:00.000Z' });
    expect(parseBudgetAccount(text, KEY)).toEqual({ state: { sentBytes: 12345, overflowed: true } });
  });

  it('starts from zero when the file is missing, corrupt, implausible or for another agent', () => {
    const fresh = { sentBytes: 0, overflowed: false };
    expect(parseBudgetAccount(undefined, KEY)).toEqual({ state: fresh });
    expect(parseBudgetAccount('{"version":1,', KEY)).toEqual({ state: fresh, problem: 'corrupt' });
    expect(parseBudgetAccount('null', KEY)).toEqual({ state: fresh, problem: 'corrupt' });
    expect(parseBudgetAccount(JSON.stringify({ version: 1, agent: KEY, sentBytes: -5 }), KEY).problem).toBe('corrupt');
    expect(parseBudgetAccount(JSON.stringify({ version: 1, agent: KEY, sentBytes: '9' }), KEY).problem).toBe('corrupt');
    expect(parseBudgetAccount(JSON.stringify({ version: 2, agent: KEY, sentBytes: 9 }), KEY).problem).toBe('corrupt');
    const other = budgetAccountAgentKey('https://coder.example.com/', '11111111-2222-4333-8444-555555555555');
    expect(other).not.toBe(KEY);
    expect(parseBudgetAccount(formatBudgetAccount({ sentBytes: 9, overflowed: true }, other), KEY)).toEqual({
      state: fresh,
      problem: 'other-agent',
    });
  });
});

describe('BudgetAccount', () => {
  it('reads what earlier runs sent and adds this run, atomically (no temporary file left), mode 0600', () => {
    const d = dir();
    const path = join(d, 'sub', 'coder-log-account.json');
    const problems: string[] = [];
    const first = new BudgetAccount(path, KEY, (m) => problems.push(m));
    expect(first.earlier).toEqual({ sentBytes: 0, overflowed: false });
    first.add(1000);
    first.add(24);
    const second = new BudgetAccount(path, KEY, (m) => problems.push(m));
    expect(second.earlier).toEqual({ sentBytes: 1024, overflowed: false });
    second.markOverflowed();
    expect(parseBudgetAccount(readFileSync(path, 'utf8'), KEY).state).toEqual({ sentBytes: 1024, overflowed: true });
    expect(readdirSync(join(d, 'sub'))).toEqual(['coder-log-account.json']);
    expect(problems).toEqual([]);
  });

  it('two clients on one agent add up instead of overwriting each other', () => {
    const path = join(dir(), 'account.json');
    const a = new BudgetAccount(path, KEY, () => {});
    const b = new BudgetAccount(path, KEY, () => {});
    a.add(100);
    b.add(50);
    a.add(1);
    expect(parseBudgetAccount(readFileSync(path, 'utf8'), KEY).state.sentBytes).toBe(151);
  });

  it('reports a corrupt file once and starts from zero; an unwritable place is reported, never thrown', () => {
    const d = dir();
    const path = join(d, 'account.json');
    writeFileSync(path, 'garbage');
    const problems: string[] = [];
    const account = new BudgetAccount(path, KEY, (m) => problems.push(m));
    expect(account.earlier.sentBytes).toBe(0);
    expect(problems).toEqual([expect.stringContaining('not readable JSON')]);
    account.add(10);
    expect(parseBudgetAccount(readFileSync(path, 'utf8'), KEY).state.sentBytes).toBe(10);

    // A path under a regular file cannot be read or written, even by root.
    const notADir = join(d, 'a-file');
    writeFileSync(notADir, 'x');
    const blocked: string[] = [];
    const b = new BudgetAccount(join(notADir, 'account.json'), KEY, (m) => blocked.push(m));
    b.add(5);
    b.add(5);
    expect(b.earlier.sentBytes).toBe(0);
    expect(blocked).toEqual([
      expect.stringContaining('cannot read the budget account'),
      expect.stringContaining('cannot write the budget account'),
    ]);
  });
});
