// Pure: derive goss checks from a devcontainer configuration, merge a user goss file in, render YAML.
import { DEFAULT_STATUS_FILE } from '@devcontainer-kit/builder-runner';
import { getExtensions } from '@devcontainer-kit/devcontainer-config';
import { parse, stringify } from 'yaml';
import { WorkspaceTestError } from './errors.js';
import type { CheckKind, DevcontainerConfig, GossCommand, Gossfile, IdeServer } from './types.js';

/** The builder's status file in the pod (builder-runner owns the path). */
export { DEFAULT_STATUS_FILE };
export const LIFECYCLE_HOOKS = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;

export const CODE_SERVER: IdeServer = {
  name: 'code-server',
  paths: ['code-server', '/tmp/code-server/bin/code-server', '/usr/lib/code-server/bin/code-server'],
};
export const OPENVSCODE_SERVER: IdeServer = {
  name: 'openvscode-server',
  paths: ['openvscode-server', '/opt/openvscode-server/bin/openvscode-server'],
};

export interface GossfileOptions {
  /** Path of the workspace folder inside the workspace. Default: the config's `workspaceFolder`, else `/workspaces/<workspaceName>`. */
  workspaceFolder?: string;
  /** Used for the default workspace folder. */
  workspaceName?: string;
  /** Default: the config's `remoteUser`, else `containerUser`, else `root`. */
  remoteUser?: string;
  /**
   * The builder's status file inside the workspace. Default: `$DEVCONTAINER_STATUS_FILE`, else
   * /workspaces/.devcontainer-builder/status.json (evaluated inside the workspace). `false`: no lifecycle check.
   */
  statusFile?: string | false;
  /**
   * Builder phases whose outcome proves the lifecycle hooks up to `waitFor` ran (the devcontainer CLI
   * runs them in `up`; the ones after `waitFor` run in the background, see backgroundHooksTimeout). Default ['up'].
   */
  lifecyclePhases?: string[];
  /**
   * Seconds the check waits for the builder's background hooks (those after `waitFor`, listed in the
   * status file's `hooks`) to finish; a status file without `hooks` passes at once. Default 600.
   */
  backgroundHooksTimeout?: number;
  /** The outcome the builder writes for a phase that succeeded. Default 'success'. */
  phaseOutcome?: string;
  /** Extensions expected in every IDE server. Default: `customizations.vscode.extensions` of the config (`-id` removes). */
  extensions?: string[];
  /** IDE servers to ask with `--list-extensions`. Default [code-server]. `[]` disables the extension checks. */
  ideServers?: IdeServer[];
  /** Check that the Coder agent runs. Default true. */
  coderAgent?: boolean;
  /** Extended regular expression matched against each process's command line. Default `(^|/)coder agent`. */
  agentPattern?: string;
  /** A user goss file (object, or YAML text) merged over the derived checks (same key: the user's wins). */
  userGossfile?: Gossfile | string;
}

/** Quotes a string for POSIX sh. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Extensions of `customizations.vscode.extensions` of a plain or merged configuration (merged ones keep a list per
 * metadata entry); a `-id` entry removes `id`. Delegates to devcontainer-config's getExtensions.
 */
export function extensionsOf(config: DevcontainerConfig): string[] {
  return getExtensions(config);
}

interface MountSpec {
  target: string;
  type?: string;
}

function parseMount(value: unknown): MountSpec | undefined {
  if (isRecord(value)) {
    const target = value.target ?? value.destination ?? value.dst;
    return typeof target === 'string' ? { target, ...(typeof value.type === 'string' ? { type: value.type } : {}) } : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const target = fields.get('target') ?? fields.get('destination') ?? fields.get('dst');
  const type = fields.get('type');
  return target ? { target, ...(type ? { type } : {}) } : undefined;
}

function substituteContainerPaths(value: string, workspaceFolder: string): string {
  return value
    .replaceAll('${containerWorkspaceFolder}', workspaceFolder)
    .replaceAll('${containerWorkspaceFolderBasename}', workspaceFolder.split('/').filter(Boolean).pop() ?? '');
}

function stringRecord(value: unknown): Record<string, string | null> {
  if (!isRecord(value)) return {};
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' || v === null) out[k] = v;
  return out;
}

/**
 * Waits until the status file's `hooks` has nothing pending or running (the builder runs the hooks
 * after `waitFor` while the workspace is in use), then says whether one failed. POSIX sh, no jq:
 * the builder writes the lists in a fixed order, so the file without blanks has `"pending":[],"running":[]`.
 */
function backgroundHooksScript(file: string, seconds: number): string {
  const idle = `*'"pending":[],"running":[]'*`;
  return [
    `i=0; while :; do s=$(tr -d ' \n\t' < ${file}) || exit 1`,
    `case "$s" in *'"hooks":'*) ;; *) echo 'background hooks: none'; exit 0 ;; esac`,
    `case "$s" in ${idle}) break ;; esac`,
    `[ $i -ge ${seconds} ] && { echo 'still running after ${seconds} s'; exit 1; }`,
    'i=$((i+1)); sleep 1; done',
    `case "$s" in *'"failed":[]'*) echo 'background hooks: done' ;; *) echo 'a background hook failed'; exit 1 ;; esac`,
  ].join('\n');
}

function hasHook(config: DevcontainerConfig, hook: string): boolean {
  // A merged configuration (mergeWithImageMetadata) keeps every source's hooks as `<hook>s`.
  const merged = config[`${hook}s`];
  if (Array.isArray(merged) && merged.some((v) => hasHook({ [hook]: v }, hook))) return true;
  const value = config[hook];
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return false;
}

const meta = (kind: CheckKind) => ({ kind });

/**
 * Derives goss checks from a (merged) devcontainer configuration. Pure: no I/O.
 * Every derived resource carries `meta.kind` (user, workspace, env, mount, lifecycle, extensions, agent).
 */
export function gossfileFor(config: DevcontainerConfig, options: GossfileOptions = {}): Gossfile {
  const remoteUser =
    options.remoteUser ??
    (typeof config.remoteUser === 'string' ? config.remoteUser : undefined) ??
    (typeof config.containerUser === 'string' ? config.containerUser : undefined) ??
    'root';
  const workspaceFolder =
    options.workspaceFolder ??
    (typeof config.workspaceFolder === 'string' && !config.workspaceFolder.includes('${') ? config.workspaceFolder : undefined) ??
    (options.workspaceName ? `/workspaces/${options.workspaceName}` : undefined);
  if (!workspaceFolder) {
    throw new WorkspaceTestError(
      'INVALID_OPTIONS',
      'no workspace folder: the configuration has no workspaceFolder; pass workspaceFolder or workspaceName',
    );
  }

  const gossfile: Gossfile = { user: {}, file: {}, command: {}, mount: {} };
  const commands = gossfile.command as Record<string, GossCommand>;

  gossfile.user = {
    [remoteUser]: { exists: true, title: `remote user ${remoteUser} exists`, meta: meta('user') },
  };
  gossfile.file = {
    [workspaceFolder]: {
      exists: true,
      filetype: 'directory',
      owner: remoteUser,
      title: `workspace folder ${workspaceFolder} exists and is owned by ${remoteUser}`,
      meta: meta('workspace'),
    },
  };

  // Environment as the remote user sees it: remoteEnv wins over containerEnv for the same name.
  const env = new Map<string, { value: string | null; source: string }>();
  for (const [name, value] of Object.entries(stringRecord(config.containerEnv))) env.set(name, { value, source: 'containerEnv' });
  for (const [name, value] of Object.entries(stringRecord(config.remoteEnv))) env.set(name, { value, source: 'remoteEnv' });
  for (const [name, { value, source }] of env) {
    const exec = `printenv ${shellQuote(name)}`;
    if (value === null) {
      commands[`env ${name}`] = { exec, 'exit-status': 1, title: `${source} ${name} is unset`, meta: meta('env') };
    } else if (value.includes('${')) {
      // Unresolved variables (e.g. ${containerEnv:PATH}) cannot be predicted here: require it set.
      commands[`env ${name}`] = { exec, 'exit-status': 0, title: `${source} ${name} is set (value has variables)`, meta: meta('env') };
    } else {
      commands[`env ${name}`] = {
        exec,
        'exit-status': 0,
        stdout: { equal: `${value}\n` },
        title: `${source} ${name}=${value}`,
        meta: meta('env'),
      };
    }
  }

  const mounts = Array.isArray(config.mounts) ? config.mounts : [];
  for (const raw of mounts) {
    const mount = parseMount(raw);
    if (!mount) continue;
    const target = substituteContainerPaths(mount.target, workspaceFolder);
    if (target.includes('${')) continue;
    (gossfile.mount as Record<string, unknown>)[target] = {
      exists: true,
      title: `mount ${target}${mount.type ? ` (${mount.type})` : ''} present`,
      meta: meta('mount'),
    };
  }

  const hooks = LIFECYCLE_HOOKS.filter((hook) => hasHook(config, hook));
  if (hooks.length > 0 && options.statusFile !== false) {
    const file = options.statusFile ? shellQuote(options.statusFile) : `"\${DEVCONTAINER_STATUS_FILE:-${DEFAULT_STATUS_FILE}}"`;
    const shownFile = options.statusFile || `$DEVCONTAINER_STATUS_FILE or ${DEFAULT_STATUS_FILE}`;
    const outcome = options.phaseOutcome ?? 'success';
    for (const phase of options.lifecyclePhases ?? ['up']) {
      commands[`lifecycle phase ${phase}`] = {
        exec: `cat ${file}`,
        'exit-status': 0,
        stdout: { gjson: { [`phases.${phase}.outcome`]: outcome } },
        title: `lifecycle hooks ${hooks.join(', ')} completed: builder phase ${phase} is ${outcome} in ${shownFile}`,
        meta: meta('lifecycle'),
      };
    }
    const wait = options.backgroundHooksTimeout ?? 600;
    commands['lifecycle background hooks'] = {
      exec: backgroundHooksScript(file, wait),
      'exit-status': 0,
      stdout: ['background hooks: '],
      timeout: (wait + 10) * 1000,
      title: `the background lifecycle hooks (after waitFor) finished without a failure within ${wait} s (hooks in ${shownFile})`,
      meta: meta('lifecycle'),
    };
    commands['lifecycle no error'] = {
      exec: `cat ${file}`,
      'exit-status': 0,
      // null and absent both mean no error (gjson: "null" and "" after @tostr).
      stdout: { gjson: { 'lastError|@tostr': { or: ['null', ''] } } },
      title: `no lastError in ${shownFile}`,
      meta: meta('lifecycle'),
    };
  }

  const extensions = options.extensions ?? extensionsOf(config);
  const servers = options.ideServers ?? [CODE_SERVER];
  if (extensions.length > 0) {
    for (const server of servers) {
      const candidates = server.paths.map(shellQuote).join(' ');
      commands[`extensions ${server.name}`] = {
        exec:
          `for c in ${candidates}; do b=$(command -v "$c" 2>/dev/null) && break; done; ` +
          `[ -n "$b" ] || { echo "${server.name} not found (tried ${server.paths.join(', ')})" >&2; exit 127; }; ` +
          `"$b" --list-extensions`,
        'exit-status': 0,
        stdout: extensions.map((id) => `/(?i)^${escapeRegExp(id.replace(/@.*$/, ''))}$/`),
        timeout: 60_000,
        title: `${server.name} lists extensions ${extensions.join(', ')}`,
        meta: meta('extensions'),
      };
    }
  }

  if (options.coderAgent ?? true) {
    const pattern = options.agentPattern ?? '(^|/)coder agent';
    commands['coder agent running'] = {
      exec: `for f in /proc/[0-9]*/cmdline; do tr '\\000' ' ' < "$f" 2>/dev/null; echo; done | grep -E -c ${shellQuote(pattern)}`,
      'exit-status': 0,
      title: `Coder agent process running (command line matches ${pattern})`,
      meta: meta('agent'),
    };
  }

  for (const key of Object.keys(gossfile)) {
    const section = gossfile[key];
    if (section && Object.keys(section).length === 0) delete gossfile[key];
  }
  // Everything above comes from the config; the user's goss file (merged below) may use templates on purpose.
  const derived = escapeTemplates(gossfile) as Gossfile;
  return options.userGossfile === undefined ? derived : mergeGossfiles(derived, parseUserGossfile(options.userGossfile));
}

/**
 * goss renders a goss file as a Go template before it reads the YAML, so `{{` copied from a config (an extension id,
 * an env value, a path) would run as a template action. Each `{{` becomes {{`{{`}} — an action printing a raw string
 * — which goss renders back to `{{`. The raw string needs no quotes, so the YAML quoting of the value cannot break it.
 */
export function escapeGoTemplate(value: string): string {
  return value.replaceAll('{{', '{{`{{`}}');
}

/** escapeGoTemplate on every string and key of a derived goss file (a shallow structure this module built). */
function escapeTemplates(value: unknown): unknown {
  if (typeof value === 'string') return escapeGoTemplate(value);
  if (Array.isArray(value)) return value.map(escapeTemplates);
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[escapeGoTemplate(k)] = escapeTemplates(v);
    return out;
  }
  return value;
}

/** Deepest nesting (block indentation plus flow brackets) accepted in a goss file; real ones stay below 8. */
export const MAX_GOSSFILE_DEPTH = 64;

/**
 * The 1-based line and column where a YAML text first nests deeper than `limit`, or undefined. The YAML parser
 * recurses per level (and a few thousand `[` exhaust the process), so this linear scan runs first. It counts block
 * levels by indentation (and `- ` entries on one line) and flow levels by `[`/`{` that open a value, outside quotes
 * and comments; block scalars (`|`, `>`) are skipped.
 */
export function findDeepYamlNesting(text: string, limit = MAX_GOSSFILE_DEPTH): { line: number; column: number } | undefined {
  const indents: number[] = [];
  let flow = 0;
  let blockScalarIndent = -1;
  const lines = text.split(/\r\n|\r|\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    let i = 0;
    while (line.charCodeAt(i) === 0x20) i++;
    if (i === line.length || line[i] === '#') continue;
    if (blockScalarIndent >= 0) {
      if (i > blockScalarIndent) continue;
      blockScalarIndent = -1;
    }
    if (flow === 0) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= i) indents.pop();
      indents.push(i);
    }
    let dashes = 0;
    let valueStart = true;
    for (let c = i; c < line.length; c++) {
      const ch = line[c] as string;
      if (ch === '"' || ch === "'") {
        // A quoted scalar: skip to its end on this line ('' and \" escape).
        for (c++; c < line.length; c++) {
          if (ch === '"' && line[c] === '\\') c++;
          else if (line[c] === ch) {
            if (ch === "'" && line[c + 1] === "'") c++;
            else break;
          }
        }
        valueStart = false;
      } else if (ch === '#' && (c === 0 || line[c - 1] === ' ')) break;
      else if (flow === 0 && ch === '-' && valueStart && (line[c + 1] === ' ' || c + 1 === line.length)) dashes++;
      else if ((ch === '[' || ch === '{') && (flow > 0 || valueStart)) {
        flow++;
        valueStart = true;
      } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
      else if (ch === ',' && flow > 0) valueStart = true;
      else if (ch === ':' && (line[c + 1] === ' ' || c + 1 === line.length)) valueStart = true;
      else if ((ch === '|' || ch === '>') && valueStart && flow === 0) {
        blockScalarIndent = i;
        break;
      } else if (ch !== ' ') valueStart = false;
      if (indents.length + dashes + flow > limit) return { line: n + 1, column: c + 1 };
    }
  }
  return undefined;
}

function parseUserGossfile(value: Gossfile | string): Gossfile {
  return typeof value === 'string' ? parseGossfile(value) : value;
}

/** Parses goss YAML into an object; throws INVALID_GOSSFILE with the YAML error. */
export function parseGossfile(text: string, file = 'gossfile'): Gossfile {
  // A UTF-8 byte order mark is not part of the YAML (editors write it; goss reads past it).
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const deep = findDeepYamlNesting(source);
  if (deep !== undefined) {
    throw new WorkspaceTestError(
      'INVALID_GOSSFILE',
      `${file}:${deep.line}:${deep.column}: nested more than ${MAX_GOSSFILE_DEPTH} levels deep; not read further`,
    );
  }
  let value: unknown;
  try {
    value = parse(source);
  } catch (error) {
    throw new WorkspaceTestError('INVALID_GOSSFILE', `${file}: ${(error as Error).message.split('\n')[0]}`, { cause: error });
  }
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) throw new WorkspaceTestError('INVALID_GOSSFILE', `${file}: a goss file is a mapping of resource types`);
  for (const [type, section] of Object.entries(value)) {
    if (!isRecord(section)) {
      throw new WorkspaceTestError('INVALID_GOSSFILE', `${file}: "${type}" must be a mapping of resources`);
    }
  }
  return value as Gossfile;
}

/** Merges goss files left to right: for the same resource type and key, the later file's entry wins. */
export function mergeGossfiles(...files: Gossfile[]): Gossfile {
  const out: Gossfile = {};
  for (const file of files) {
    for (const [type, section] of Object.entries(file)) {
      if (!section) continue;
      out[type] = { ...(out[type] ?? {}), ...section };
    }
  }
  return out;
}

/** Renders a goss file as YAML (stable key order as given, no line folding). */
export function renderGossfile(gossfile: Gossfile): string {
  return stringify(gossfile, { lineWidth: 0 });
}
