import type { ArgDef, ArgsDef, CommandDef, CommandMeta, SubCommandsDef } from 'citty';
import { type Style, wrapText } from './style.js';

// biome-ignore lint/suspicious/noExplicitAny: citty's CommandDef is generic over its args; any command fits here.
export type AnyCommand = CommandDef<any>;

/** citty lets meta, args and subCommands be values, promises or functions returning either. */
export async function resolveValue<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === 'function' ? await (value as () => T | Promise<T>)() : await value;
}

export interface ResolvedCommand {
  meta: CommandMeta;
  args: ArgsDef;
  subCommands: SubCommandsDef | undefined;
  /** Each subcommand's meta (for the help's command list; filled by resolveSubCommandMeta). */
  subCommandMeta: Record<string, CommandMeta>;
}

/**
 * The command's own meta, args and subcommand table. Subcommands stay unresolved: a CLI whose
 * subcommands are lazy imports loads only the one that runs (see resolveSubCommandMeta for help).
 */
export async function resolveCommand(command: AnyCommand): Promise<ResolvedCommand> {
  return {
    meta: ((await resolveValue(command.meta)) ?? {}) as CommandMeta,
    args: ((await resolveValue(command.args)) ?? {}) as ArgsDef,
    subCommands: (await resolveValue(command.subCommands)) as SubCommandsDef | undefined,
    subCommandMeta: {},
  };
}

/** Resolves every subcommand for its meta: only the help's command list needs them. */
export async function resolveSubCommandMeta(command: ResolvedCommand): Promise<ResolvedCommand> {
  const subCommandMeta: Record<string, CommandMeta> = {};
  for (const [name, sub] of Object.entries(command.subCommands ?? {})) {
    const def = (await resolveValue(sub)) as AnyCommand;
    subCommandMeta[name] = ((await resolveValue(def.meta)) ?? {}) as CommandMeta;
  }
  return { ...command, subCommandMeta };
}

/** The flags a command accepts, as written on the command line (`--name`, `-a`), plus help and version. */
export function knownFlags(args: ArgsDef): string[] {
  const flags = ['--help', '-h', '--version'];
  for (const [name, def] of Object.entries(args)) {
    if (def.type === 'positional') continue;
    flags.push(`--${name}`);
    if (def.type === 'boolean') flags.push(`--no-${name}`);
    for (const alias of 'alias' in def ? [def.alias ?? []].flat() : []) flags.push(alias.length === 1 ? `-${alias}` : `--${alias}`);
  }
  return flags;
}

function flagLabel(name: string, def: ArgDef): string {
  const aliases = ('alias' in def ? [def.alias ?? []].flat() : []).map((a) => (a.length === 1 ? `-${a}` : `--${a}`));
  const value = def.type === 'string' ? ` <${def.valueHint ?? 'value'}>` : def.type === 'enum' ? ` <${(def.options ?? []).join('|')}>` : '';
  return [...aliases, `--${name}`].join(', ') + value;
}

/**
 * Help for one command: its own description, usage line, subcommands and flags only, wrapped to
 * `width`. Pure.
 */
export function renderHelp(options: {
  /** The words that run this command (`k8s-manifests render`). */
  path: string[];
  command: ResolvedCommand;
  width: number;
  style: Style;
  /** Extra text after the flags (exit codes, environment). */
  footer?: string | undefined;
}): string {
  const { path, command, width, style } = options;
  const out: string[] = [];
  if (command.meta.description) out.push(...wrapText(command.meta.description, width), '');
  const positionals = Object.entries(command.args).filter(([, d]) => d.type === 'positional');
  const flags = Object.entries(command.args).filter(([, d]) => d.type !== 'positional');
  const subs = Object.entries(command.subCommands ?? {});
  const usage = [
    path.join(' '),
    ...(subs.length > 0 ? ['<command>'] : []),
    ...(flags.length > 0 ? ['[options]'] : []),
    ...positionals.map(([n, d]) => (d.required === false || d.default !== undefined ? `[${n.toUpperCase()}]` : n.toUpperCase())),
  ].join(' ');
  out.push(`${style.bold('Usage:')} ${usage}`, '');

  const table = (title: string, rows: Array<[string, string]>) => {
    if (rows.length === 0) return;
    const left = Math.min(Math.max(...rows.map(([l]) => l.length)) + 2, Math.floor(width / 2.5));
    out.push(style.bold(title));
    for (const [label, text] of rows) {
      const room = Math.max(20, width - 2 - left);
      const lines = wrapText(text, room);
      if (label.length + 2 > left) {
        out.push(`  ${style.cyan(label)}`);
        for (const l of lines) out.push(`${' '.repeat(left + 2)}${l}`);
      } else {
        out.push(`  ${style.cyan(label)}${' '.repeat(left - label.length)}${lines[0] ?? ''}`);
        for (const l of lines.slice(1)) out.push(`${' '.repeat(left + 2)}${l}`);
      }
    }
    out.push('');
  };
  table(
    'Commands:',
    subs.map(([name]) => [name, command.subCommandMeta[name]?.description ?? '']),
  );
  table(
    'Arguments:',
    positionals.map(([name, d]) => [name.toUpperCase(), d.description ?? '']),
  );
  table('Options:', [
    ...flags.map(([name, d]): [string, string] => {
      const extra = d.default !== undefined && d.default !== false && d.default !== '' ? ` (default: ${String(d.default)})` : '';
      return [flagLabel(name, d), `${d.description ?? ''}${extra}`];
    }),
    ['-h, --help', 'Show this help'],
    ['--version', 'Show the version'],
  ]);
  if (subs.length > 0) out.push(...wrapText(`Run '${path.join(' ')} <command> --help' for a command's options.`, width), '');
  if (options.footer) out.push(...wrapText(options.footer, width), '');
  return `${out.join('\n').trimEnd()}\n`;
}
