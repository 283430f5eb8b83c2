// The terminal LogStream for when no Coder is configured. Real: a Node Writable, a pseudo-terminal
// (util-linux `script`) and a pipe around the built package.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';
import { createTerminalLogStream, formatTerminalLevel, terminalHasColour } from '../src/terminal-log-stream.js';

describe('createTerminalLogStream', () => {
  it('writes leveled lines with the same LogStream interface', async () => {
    let text = '';
    const output = new Writable({
      write(chunk, _enc, cb) {
        text += chunk;
        cb();
      },
    });
    const s = createTerminalLogStream({ displayName: 'Build', output, minLevel: 'info', colour: false });
    s.write('hidden', 'debug');
    s.write('step 1\nstep 2', 'info');
    s.write('boom', 'error');
    await s.flush();
    await s.close();
    s.write('after close');
    expect(text).toBe('[Build] info: step 1\n[Build] info: step 2\n[Build] error: boom\n');
    expect(s.stats).toMatchObject({ sent: 3, dropped: 2, overflowed: false });
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('terminal colours', () => {
  const pkgDir = join(import.meta.dirname, '..');
  const dist = join(pkgDir, 'dist', 'index.js');
  // A child that writes one line per level through the built package to its stderr.
  const child = `import { createTerminalLogStream } from ${JSON.stringify(pathToFileURL(dist).href)};
const s = createTerminalLogStream({ displayName: 'Build' });
for (const level of ['debug', 'info', 'warn', 'error']) s.write(level + ' line', level);`;
  beforeAll(() => {
    // The child loads the built package: rebuild when the sources are newer.
    ensurePackageBuilt(pkgDir);
  }, 120_000);
  // The runner's own environment must not decide the case: Node's hasColors() also reads
  // NODE_DISABLE_COLORS and CI (an unnamed CI counts as two colours), and CI machines set CI.
  const baseEnv = () => {
    const env = { ...process.env, TERM: 'xterm-256color' } as Record<string, string | undefined>;
    for (const k of ['NO_COLOR', 'FORCE_COLOR', 'NODE_DISABLE_COLORS', 'CI', 'TMUX', 'COLORTERM']) delete env[k];
    return env;
  };
  /** Runs the child on a real pseudo-terminal (util-linux `script`), its stderr being that terminal. */
  const onPty = (env: Record<string, string | undefined>) =>
    execFileSync('script', ['-qec', `${JSON.stringify(process.execPath)} --input-type=module -e ${shellQuote(child)}`, '/dev/null'], {
      env: env as NodeJS.ProcessEnv,
      encoding: 'utf8',
    }).replaceAll('\r\n', '\n');

  it('on a real terminal: warn yellow, error bold red, debug dim, info plain', () => {
    const out = onPty(baseEnv());
    expect(out).toContain('[Build] \u001b[2mdebug\u001b[22m: debug line\n');
    expect(out).toContain('[Build] info: info line\n');
    expect(out).toContain('[Build] \u001b[33mwarn\u001b[39m: warn line\n');
    expect(out).toContain('[Build] \u001b[1m\u001b[31merror\u001b[39m\u001b[22m: error line\n');
  });

  it('on a real terminal with NO_COLOR (even with FORCE_COLOR), FORCE_COLOR=0, NODE_DISABLE_COLORS or an unnamed CI: plain', () => {
    const cases = [
      { NO_COLOR: '1' },
      { NO_COLOR: '1', FORCE_COLOR: '1' },
      { FORCE_COLOR: '0' },
      { NODE_DISABLE_COLORS: '1' },
      { CI: 'true' },
    ];
    for (const extra of cases) {
      const out = onPty({ ...baseEnv(), ...extra });
      expect(out, JSON.stringify(extra)).toContain('[Build] warn: warn line\n[Build] error: error line\n');
      expect(out).not.toContain('\u001b[');
    }
  });

  it('piped (not a terminal): plain, whatever TERM says', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { env: baseEnv() as NodeJS.ProcessEnv, encoding: 'utf8' });
    expect(r.stderr).toBe('[Build] debug: debug line\n[Build] info: info line\n[Build] warn: warn line\n[Build] error: error line\n');
  });

  it('decides by isTTY, hasColors() and NO_COLOR/TERM (pure)', () => {
    const tty = { isTTY: true, hasColors: () => true };
    expect(terminalHasColour(tty, {})).toBe(true);
    expect(terminalHasColour({ isTTY: false }, {})).toBe(false);
    expect(terminalHasColour(tty, { NO_COLOR: '1' })).toBe(false);
    expect(terminalHasColour(tty, { NO_COLOR: '' })).toBe(true);
    expect(terminalHasColour(tty, { TERM: 'dumb' })).toBe(false);
    expect(terminalHasColour({ isTTY: true, hasColors: () => false }, {})).toBe(false);
    expect(formatTerminalLevel('info', true)).toBe('info');
    expect(formatTerminalLevel('error', false)).toBe('error');
  });
});

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}
