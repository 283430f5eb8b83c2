// runCli in-process with recording streams: every rule of the convention, on a small command tree.
import { defineCommand } from 'citty';
import { describe, expect, it } from 'vitest';
import { CliUsageError, didYouMean, runCli, useColour, wrapText } from '../src/index.js';

function streams(tty = false, columns?: number) {
  const out = { text: '', isTTY: tty, columns, write: (s: string) => (out.text += s) };
  const err = { text: '', isTTY: tty, columns, write: (s: string) => (err.text += s) };
  return { out, err };
}

const render = defineCommand({
  meta: { name: 'render', description: 'Render the objects.' },
  args: {
    values: { type: 'string', description: 'The values file', valueHint: 'file', required: true },
    json: { type: 'boolean', description: 'One JSON document on stdout' },
  },
  run: ({ args }) => {
    if (args.values === 'usage') throw new CliUsageError('--values usage needs --json');
    if (args.values === 'broken') throw new Error('values file does not parse');
    return args.json ? 0 : 1;
  },
});
const check = defineCommand({
  meta: { name: 'check', description: 'Check a level.' },
  args: { level: { type: 'string', description: 'privileged, baseline or restricted' } },
  run: () => {
    process.exitCode = 1;
  },
});
const main = defineCommand({ meta: { name: 'tool', description: 'A tool.' }, subCommands: { render, check } });

async function run(argv: string[], options: { tty?: boolean; env?: Record<string, string>; columns?: number } = {}) {
  const { out, err } = streams(options.tty, options.columns);
  const code = await runCli(main, { version: '1.2.3', argv, stdout: out, stderr: err, env: options.env ?? {} });
  return { code, stdout: out.text, stderr: err.text };
}

describe('runCli', () => {
  it('--version and --help exit 0 on stdout; a subcommand shows only its own flags', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: '1.2.3\n', stderr: '' });
    const top = await run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('Usage: tool <command>');
    expect(top.stdout).toMatch(/render\s+Render the objects\./);
    const sub = await run(['render', '--help']);
    expect(sub.stdout).toContain('Usage: tool render [options]');
    expect(sub.stdout).toContain('--values <file>');
    expect(sub.stdout).not.toContain('--level');
  });

  it('unknown command or flag: exit 2 with a did-you-mean on stderr, nothing on stdout', async () => {
    const cmd = await run(['rendr']);
    expect(cmd).toMatchObject({ code: 2, stdout: '' });
    expect(cmd.stderr).toContain("unknown command 'rendr' (did you mean 'render'?)");
    expect(cmd.stderr).toContain("Run 'tool --help' for usage.");
    const flag = await run(['render', '--valeus', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown option --valeus (did you mean --values?)');
    expect(flag.stderr).toContain("Run 'tool render --help'");
    expect((await run([])).stderr).toContain('missing command: one of render, check');
    expect((await run([])).code).toBe(2);
  });

  it('usage errors 2 (missing value, missing required flag, CliUsageError); other errors 1; the command decides otherwise', async () => {
    expect((await run(['render', '--values'])).code).toBe(2);
    const missing = await run(['render']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing required argument: --values');
    expect((await run(['render', '--values', 'usage'])).code).toBe(2);
    const broken = await run(['render', '--values', 'broken']);
    expect(broken).toMatchObject({ code: 1, stderr: 'tool render: error: values file does not parse\n' });
    expect((await run(['render', '--values', 'v', '--json'])).code).toBe(0);
    expect((await run(['render', '--values', 'v'])).code).toBe(1);
    expect((await run(['check'])).code).toBe(1);
  });

  it('colour only on a terminal, never with NO_COLOR; help wraps to the terminal width', async () => {
    expect((await run(['--help'])).stdout).not.toContain('\u001b[');
    expect((await run(['--help'], { tty: true })).stdout).toContain('\u001b[1mUsage:');
    expect((await run(['--help'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
    expect((await run(['rendr'], { tty: true })).stderr).toContain('\u001b[31merror');
    const narrow = await run(['render', '--help'], { tty: true, columns: 40, env: { NO_COLOR: '1' } });
    for (const line of narrow.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    const piped = await run(['render', '--help'], { env: { COLUMNS: '50' } });
    for (const line of piped.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(50);
  });
});

describe('helpers', () => {
  it('didYouMean suggests close names only', () => {
    expect(didYouMean('--agnet-url', ['--agent-url', '--icon'])).toBe('--agent-url');
    expect(didYouMean('--frobnicate', ['--agent-url', '--icon'])).toBeUndefined();
  });
  it('useColour and wrapText', () => {
    expect(useColour({ write: () => 0, isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(useColour({ write: () => 0, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapText('a 0123456789', 4)).toEqual(['a', '0123', '4567', '89']);
  });
});

describe('lazy subcommands', () => {
  it('loads only the subcommand that runs; --version loads none; help loads all for their descriptions', async () => {
    const loaded: string[] = [];
    const lazy =
      <T>(name: string, cmd: T) =>
      () => {
        loaded.push(name);
        return Promise.resolve(cmd);
      };
    const tool = defineCommand({ meta: { name: 'tool' }, subCommands: { render: lazy('render', render), check: lazy('check', check) } });
    const go = async (argv: string[]) => {
      const { out, err } = streams();
      loaded.length = 0;
      const code = await runCli(tool, { version: '1.2.3', argv, stdout: out, stderr: err, env: {} });
      return { code, stdout: out.text, loaded: [...loaded] };
    };
    expect(await go(['--version'])).toMatchObject({ code: 0, loaded: [] });
    expect(await go(['render', '--values', 'v', '--json'])).toMatchObject({ code: 0, loaded: ['render'] });
    const help = await go(['--help']);
    expect(help.loaded.sort()).toEqual(['check', 'render']);
    expect(help.stdout).toContain('Render the objects.');
  });
});
