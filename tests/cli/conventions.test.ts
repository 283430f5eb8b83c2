// The command-line convention every devcontainer-kit CLI shares (@devcontainer-kit/cli-kit), checked on
// each real bin as a user runs it: through node_modules/.bin, as separate processes, piped and on a
// pseudo-terminal (util-linux `script`). One table, one row per CLI; the cases are the same for all.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/testbed.js';

interface Cli {
  bin: string;
  pkg: string;
  /** A misspelt flag and the flag it should suggest. */
  typo: [string, string];
  /** A subcommand, a flag only it has, and a flag of another subcommand its help must not show. */
  sub?: { name: string; typo: string; own: string; foreign: string };
}

const clis: Cli[] = [
  { bin: 'coder-logstream', pkg: 'libs/coder-log-client', typo: ['--agnet-url', '--agent-url'] },
  {
    bin: 'devcontainer-config',
    pkg: 'libs/devcontainer-config',
    typo: ['--strcit', '--strict'],
    sub: { name: 'validate', typo: 'valdate', own: '--strict', foreign: '--substitute' },
  },
  {
    bin: 'workspace-test',
    pkg: 'libs/workspace-test',
    typo: ['--targte', '--target'],
    sub: { name: 'run', typo: 'rn', own: '--target', foreign: '--deadline' },
  },
  {
    bin: 'k8s-manifests',
    pkg: 'libs/k8s-manifests',
    typo: ['--valeus', '--values'],
    sub: { name: 'render', typo: 'rendr', own: '--format', foreign: '--pod-security' },
  },
  {
    bin: 'devcontainer-builder',
    pkg: 'apps/devcontainer-builder',
    typo: ['--repositroy', '--repository'],
    sub: { name: 'up', typo: 'upp', own: '--docker-wait', foreign: '--force' },
  },
];

const ESC = '\u001b[';
const binPath = (cli: Cli) => join(repoRoot, 'node_modules/.bin', cli.bin);
const version = (cli: Cli) => (JSON.parse(readFileSync(join(repoRoot, cli.pkg, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs a bin piped (stdout/stderr not terminals), with a clean colour environment. */
function run(cli: Cli, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'COLUMNS', 'CODER_AGENT_URL', 'CODER_AGENT_TOKEN']) delete base[k];
  return new Promise((resolve) => {
    execFile(
      binPath(cli),
      args,
      { encoding: 'utf8', env: { ...base, TERM: 'xterm-256color', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

/** Runs a bin on a pseudo-terminal; returns what the terminal showed. */
function onTerminal(cli: Cli, args: string[], env: Record<string, string> = {}): Promise<string> {
  const command = [binPath(cli), ...args].map((a) => `'${a}'`).join(' ');
  // The runner's own colour settings (npm test sets FORCE_COLOR=0) must not decide the case.
  const base = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR']) delete base[k];
  return new Promise((resolve, reject) => {
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { encoding: 'utf8', env: { ...base, TERM: 'xterm-256color', COLUMNS: '70', ...env }, timeout: 30_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
}

/** The args that make the CLI's first subcommand (or the CLI itself) print help. */
const helpArgs = (cli: Cli) => (cli.sub ? [cli.sub.name, '--help'] : ['--help']);

// Every case of every CLI runs concurrently: they are independent processes.
describe.concurrent.each(clis)('$bin', (cli) => {
  it('--version: the package version on stdout, exit 0', async () => {
    expect(await run(cli, ['--version'])).toEqual({ code: 0, stdout: `${version(cli)}\n`, stderr: '' });
  });

  it('--help: usage on stdout, exit 0, no colour when piped even with TERM set, wrapped to COLUMNS', async () => {
    const r = await run(cli, ['--help'], { COLUMNS: '60' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: ${cli.bin}`);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stderr).toBe('');
    const sub = await run(cli, helpArgs(cli), { COLUMNS: '60' });
    expect(sub.code).toBe(0);
    for (const line of sub.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(60);
  });

  it('an unknown flag: exit 2, a did-you-mean on stderr, nothing on stdout', async () => {
    const r = await run(cli, [...(cli.sub ? [cli.sub.name] : []), cli.typo[0], 'x']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`unknown option ${cli.typo[0]} (did you mean ${cli.typo[1]}?)`);
  });

  it('colour on a terminal, none with NO_COLOR; help wrapped to the terminal width', async () => {
    const coloured = await onTerminal(cli, helpArgs(cli));
    expect(coloured).toContain(ESC);
    const plain = await onTerminal(cli, helpArgs(cli), { NO_COLOR: '1' });
    expect(plain).not.toContain(ESC);
    expect(plain).toContain('Usage:');
  });
});

// The CLIs with subcommands.
describe.concurrent.each(clis.flatMap((cli) => (cli.sub ? [{ ...cli, sub: cli.sub }] : [])))('$bin commands', (cli) => {
  const sub = cli.sub;
  it('an unknown command: exit 2 with a did-you-mean; no command: exit 2', async () => {
    const r = await run(cli, [sub.typo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown command '${sub.typo}' (did you mean '${sub.name}'?)`);
    const none = await run(cli, []);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing command');
  });

  it("a subcommand's help shows its own flags only", async () => {
    const r = await run(cli, [sub.name, '--help']);
    expect(r.stdout).toContain(`Usage: ${cli.bin} ${sub.name}`);
    // An option line starts with the flag (the help's footer may mention others).
    const optionLine = (flag: string) => new RegExp(`^\\s+(-\\w, )?${flag}\\b`, 'm');
    expect(r.stdout).toMatch(optionLine(sub.own));
    expect(r.stdout).not.toMatch(optionLine(sub.foreign));
  });
});
