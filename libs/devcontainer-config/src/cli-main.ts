import { createRequire } from 'node:module';
import { runCli as runConventionalCli } from '@devcontainer-kit/cli-kit';
import { type CliIo, createMainCommand } from './cli-commands.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const EXIT_CODES =
  'Exit status: 0 valid; 1 invalid configuration, or a problem with the input (missing file or folder, no devcontainer.json, unreadable metadata); 2 usage error (unknown command or option, a missing value).';

/**
 * Run the CLI; resolves to the exit code (0 ok, 1 invalid config or an input problem, 2 usage error).
 * Never exits the process. Help, version, unknown commands and options follow the shared convention
 * of @devcontainer-kit/cli-kit.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const state = { code: 0 };
  const main = createMainCommand(io, state);
  const code = await runConventionalCli(main, {
    version,
    argv,
    stdout: { write: io.stdout, isTTY: io.isTTY, columns: io.columns },
    stderr: { write: io.stderr, isTTY: io.isTTY },
    env: io.env,
    helpFooter: EXIT_CODES,
  });
  return code === 0 ? state.code : code;
}
