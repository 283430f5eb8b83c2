import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_NOTICES, cliLogLevel, createCliLogReader, parseCliLogLine } from '../src/cli-log.js';
import { createDockerContext } from '../src/context.js';
import { runDevcontainerCli } from '../src/run.js';

describe('parseCliLogLine', () => {
  it('maps the CLI level numbers 1..5 (3 is info, not a warning)', () => {
    expect([1, 2, 3, 4, 5, 6].map(cliLogLevel)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'error']);
    expect(parseCliLogLine('{"type":"text","level":3,"text":"hello\\nworld"}')).toEqual([
      { text: 'hello', level: 'info' },
      { text: 'world', level: 'info' },
    ]);
    expect(parseCliLogLine('{"type":"start","level":3,"text":"Run: docker ps"}')).toEqual([{ text: 'Run: docker ps', level: 'debug' }]);
  });

  it('strips ANSI from plain lines and JSON text', () => {
    expect(parseCliLogLine('\u001b[1mStep 1/3\u001b[0m')).toEqual([{ text: 'Step 1/3', level: 'info' }]);
    expect(parseCliLogLine('{"type":"raw","level":3,"text":"\\u001b[31mred\\u001b[0m"}')).toEqual([{ text: 'red', level: 'info' }]);
  });

  it("reads the real CLI's events: its version banner is info", async () => {
    const ws = mkdtempSync(join(tmpdir(), 'cli-log-'));
    mkdirSync(join(ws, '.devcontainer'));
    writeFileSync(join(ws, '.devcontainer/devcontainer.json'), '{"image":"local/debian:bookworm"}');
    const lines: { text: string; level: string }[] = [];
    // A docker that answers nothing: read-configuration only looks for containers.
    const bin = mkdtempSync(join(tmpdir(), 'cli-log-bin-'));
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const ctx = createDockerContext({ env: { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME } });
    const r = await runDevcontainerCli(ctx, ['read-configuration', '--workspace-folder', ws, '--log-format', 'json'], {
      onLine: (l) => lines.push(l),
    });
    expect(r.exitCode).toBe(0);
    expect(lines.find((l) => l.text.startsWith('@devcontainers/cli '))?.level).toBe('info');
  });

  it('logs the offline control-manifest notice as info, and says why once per run', () => {
    const notice = JSON.stringify({
      type: 'text',
      level: 5,
      text: 'Failed to fetch control manifest: getaddrinfo ENOTFOUND containers.dev',
    });
    expect(parseCliLogLine(notice)).toEqual([
      { text: 'Failed to fetch control manifest: getaddrinfo ENOTFOUND containers.dev', level: 'info', notice: 'control-manifest' },
    ]);
    // Other level-5 lines stay errors.
    expect(parseCliLogLine('{"type":"text","level":5,"text":"Failed to fetch image: x"}')).toEqual([
      { text: 'Failed to fetch image: x', level: 'error' },
    ]);
    const read = createCliLogReader();
    const why = CLI_NOTICES.find((n) => n.id === 'control-manifest')?.why;
    expect(why).toMatch(/^harmless: .*containers\.dev.*nothing in the build depends on it$/);
    expect(read(notice).map((l) => [l.level, l.text])).toEqual([
      ['info', 'Failed to fetch control manifest: getaddrinfo ENOTFOUND containers.dev'],
      ['info', why],
    ]);
    expect(read(notice)).toHaveLength(1);
    expect(createCliLogReader()(notice)).toHaveLength(2);
  });

  it('the real pinned CLI offline: its control-manifest error arrives as info with the reason once', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'cli-log-'));
    mkdirSync(join(ws, '.devcontainer'));
    writeFileSync(join(ws, '.devcontainer/devcontainer.json'), '{"image":"local/debian:bookworm"}');
    // A docker that answers nothing: `up` gets as far as the manifest check, then fails on the empty answers.
    const bin = mkdtempSync(join(tmpdir(), 'cli-log-bin-'));
    writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    // A fresh TMPDIR: no cached manifest (the CLI skips the fetch for 5 minutes after one).
    const env = { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME, TMPDIR: mkdtempSync(join(tmpdir(), 'cli-log-tmp-')) };
    const lines: { text: string; level: string }[] = [];
    await runDevcontainerCli(createDockerContext({ env }), ['up', '--workspace-folder', ws, '--log-format', 'json'], {
      onLine: (l) => lines.push(l),
    });
    const notices = lines.filter((l) => l.text.startsWith('Failed to fetch control manifest'));
    // This machine cannot reach containers.dev (TESTBED.md); where it can, there is no notice to check.
    if (notices.length === 0) return;
    expect(notices.every((l) => l.level === 'info')).toBe(true);
    expect(lines.filter((l) => l.text.startsWith('harmless: the devcontainer CLI fetches a control manifest'))).toEqual([
      { text: expect.any(String), level: 'info' },
    ]);
  });
});
