import { parseArgs } from 'citty';
import { didYouMean } from './did-you-mean.js';
import { CliUsageError } from './errors.js';
import { type CliStream, createStyle, terminalWidth, useColour } from './style.js';
import {
  type AnyCommand,
  knownFlags,
  type ResolvedCommand,
  renderHelp,
  resolveCommand,
  resolveSubCommandMeta,
  resolveValue,
} from './usage.js';

export interface RunCliOptions {
  /** The CLI's version, printed by `--version`. */
  version: string;
  /** Arguments after the program name. Default: `process.argv.slice(2)`. */
  argv?: string[];
  stdout?: CliStream;
  stderr?: CliStream;
  env?: Record<string, string | undefined>;
  /** Text after the flags in every help page (the exit codes, say). */
  helpFooter?: string;
}

/** The exit statuses every devcontainer-kit CLI uses. */
export const EXIT_OK = 0;
/** A problem with the input or the world: a file that does not parse, a failed build, a check that failed. */
export const EXIT_FAILURE = 1;
/** The command line is wrong: unknown flag or command, a missing value. */
export const EXIT_USAGE = 2;

const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '');

/**
 * Runs a citty command tree with the devcontainer-kit convention and resolves to the exit status
 * (never calls process.exit):
 * `--help`/`-h` (the command's own flags only, wrapped to the terminal) and `--version` on stdout, 0;
 * an unknown flag or command, a missing command or value → a did-you-mean on stderr, 2;
 * a `CliUsageError` from the command → 2; any other error → its message on stderr, 1;
 * otherwise the number the command's `run` returns, else `process.exitCode`, else 0.
 * Colour only when the stream is a terminal and `NO_COLOR` is unset.
 */
export async function runCli(main: AnyCommand, options: RunCliOptions): Promise<number> {
  const argv = options.argv ?? process.argv.slice(2);
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  let command = main as AnyCommand;
  let resolved = await resolveCommand(command);
  const name = resolved.meta.name ?? 'cli';
  const path = [name];

  const dashes = argv.indexOf('--');
  const before = dashes === -1 ? [...argv] : argv.slice(0, dashes);
  const after = dashes === -1 ? [] : argv.slice(dashes);
  const wantsHelp = before.includes('--help') || before.includes('-h');
  const wantsVersion = before.includes('--version');

  const help = async (stream: CliStream, cmd: ResolvedCommand) =>
    renderHelp({
      path,
      command: await resolveSubCommandMeta(cmd),
      width: terminalWidth(stream, env),
      style: createStyle(useColour(stream, env)),
      footer: options.helpFooter,
    });
  const usageError = (message: string) => {
    const style = createStyle(useColour(stderr, env));
    stderr.write(`${path.join(' ')}: ${style.red('error')}: ${stripAnsi(message)}\n`);
    stderr.write(`Run '${path.join(' ')} --help' for usage.\n`);
    return 2;
  };

  try {
    // Walk down the subcommands: the first word that is not a flag (or a flag's value) names one.
    while (resolved.subCommands && Object.keys(resolved.subCommands).length > 0) {
      const index = firstWord(before, resolved);
      if (index === -1) {
        if (wantsHelp) return write(stdout, await help(stdout, resolved), 0);
        if (wantsVersion) return write(stdout, `${options.version}\n`, 0);
        // Flags before the command name are checked against the parent's flags first.
        const unknown = unknownFlag(before, resolved);
        if (unknown) return usageError(unknown);
        return usageError(`missing command: one of ${Object.keys(resolved.subCommands).join(', ')}`);
      }
      const word = before[index] as string;
      const sub = resolved.subCommands[word];
      if (sub === undefined) {
        const guess = didYouMean(word, Object.keys(resolved.subCommands));
        return usageError(
          `unknown command '${word}'${guess ? ` (did you mean '${guess}'?)` : ''}; commands: ${Object.keys(resolved.subCommands).join(', ')}`,
        );
      }
      before.splice(index, 1);
      command = (await resolveValue(sub)) as AnyCommand;
      resolved = await resolveCommand(command);
      path.push(word);
    }
    if (wantsHelp) return write(stdout, await help(stdout, resolved), 0);
    if (wantsVersion) return write(stdout, `${options.version}\n`, 0);
    const unknown = unknownFlag(before, resolved);
    if (unknown) return usageError(unknown);
    let args: ReturnType<typeof parseArgs>;
    try {
      args = parseArgs(before, resolved.args);
    } catch (error) {
      return usageError((error as Error).message);
    }
    if (!command.run) return usageError('nothing to run');
    const previous = process.exitCode;
    process.exitCode = undefined;
    // biome-ignore lint/suspicious/noExplicitAny: citty's context is generic over the command's args.
    const result: unknown = await command.run({ rawArgs: [...before, ...after], args: args as any, cmd: command, data: undefined });
    const code = typeof result === 'number' ? result : Number(process.exitCode ?? 0);
    process.exitCode = previous;
    return code;
  } catch (error) {
    if (error instanceof CliUsageError) return usageError(error.message);
    const style = createStyle(useColour(stderr, env));
    stderr.write(`${path.join(' ')}: ${style.red('error')}: ${(error as Error)?.message ?? String(error)}\n`);
    return 1;
  }
}

function write(stream: CliStream, text: string, code: number): number {
  stream.write(text);
  return code;
}

/** Whether a flag of this command takes the next word as its value. */
function takesValue(flag: string, command: ResolvedCommand): boolean {
  if (flag.includes('=')) return false;
  const bare = flag.replace(/^--?/, '');
  for (const [name, def] of Object.entries(command.args)) {
    const aliases = 'alias' in def ? [def.alias ?? []].flat() : [];
    if ((name === bare || aliases.includes(bare)) && (def.type === 'string' || def.type === 'enum')) return true;
  }
  return false;
}

/** Index of the first word that is neither a flag nor a flag's value; -1 when there is none. */
function firstWord(args: string[], command: ResolvedCommand): number {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-') && arg !== '-') {
      if (takesValue(arg, command)) i++;
      continue;
    }
    return i;
  }
  return -1;
}

/** The first unknown flag (or a value flag without its value) as a message with a did-you-mean; undefined when all are known. */
function unknownFlag(args: string[], command: ResolvedCommand): string | undefined {
  const known = knownFlags(command.args);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith('-') || arg === '-') continue;
    const flag = arg.split('=')[0] as string;
    if (!known.includes(flag)) {
      const guess = didYouMean(
        flag,
        known.filter((f) => f.startsWith('--')),
      );
      return `unknown option ${flag}${guess ? ` (did you mean ${guess}?)` : ''}`;
    }
    if (takesValue(arg, command)) {
      const value = args[i + 1];
      if (value === undefined || (value.startsWith('-') && value !== '-')) return `option ${flag} needs a value`;
      i++;
    }
  }
  return undefined;
}
