import { renderUsage, runCommand } from 'citty';
import { type CliIo, createMainCommand } from './cli-commands.js';
import { DevcontainerConfigError } from './errors.js';

const SUBCOMMANDS = ['validate', 'read', 'report', 'features-order'];

/** Run the CLI; resolves to the exit code (0 ok, 1 invalid config, 2 usage or I/O error). Never exits the process. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const state = { code: 0 };
  const main = createMainCommand(io, state);
  const sub = argv.find((a) => !a.startsWith('-'));
  if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
    const subs = main.subCommands as Record<string, Parameters<typeof renderUsage>[0]> | undefined;
    const cmd = sub !== undefined && subs?.[sub] ? subs[sub] : main;
    io[argv.length === 0 ? 'stderr' : 'stdout'](`${await renderUsage(cmd, cmd === main ? undefined : main)}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  if (sub === undefined || !SUBCOMMANDS.includes(sub)) {
    io.stderr(`devcontainer-config: unknown command ${sub === undefined ? '(none)' : `"${sub}"`}; use one of ${SUBCOMMANDS.join(', ')}\n`);
    return 2;
  }
  try {
    await runCommand(main, { rawArgs: argv });
    return state.code;
  } catch (error) {
    if (error instanceof DevcontainerConfigError) io.stderr(`devcontainer-config: ${error.message}\n`);
    else io.stderr(`devcontainer-config: ${(error as Error)?.message ?? String(error)}\n`);
    return 2;
  }
}
