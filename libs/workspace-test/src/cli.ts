#!/usr/bin/env node
// workspace-test CLI: `gossfile WORKSPACE`, `run --target T`, `outside --workspace W`.
// Machine output (goss YAML, TAP/JUnit/JSON) on stdout; progress and errors on stderr.
// Exit codes: 0 all checks pass; 1 a check failed, or a problem with the workspace, goss file, transport
// or Coder API; 2 a usage error (unknown command or option, bad option values, bad target).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CliUsageError, runCli } from '@devcontainer-kit/cli-kit';
import { defineCommand } from 'citty';
import { checkCoderWorkspace } from './coder-outside.js';
import { WorkspaceTestError } from './errors.js';
import { CODE_SERVER, type GossfileOptions, gossfileFor, OPENVSCODE_SERVER, parseGossfile, renderGossfile } from './gossfile.js';
import { dockerRemoteEnv } from './remote-env.js';
import { formatResult, REPORT_FORMATS, type ReportFormat } from './report-format.js';
import { runGoss } from './run.js';
import { parseTarget } from './target.js';
import { kubectlDindRemoteEnv } from './transport.js';
import type { IdeServer, ValidateResult } from './types.js';
import { loadWorkspaceConfig } from './workspace-config.js';

const derivationArgs = {
  config: { type: 'string', description: 'devcontainer.json path (relative to WORKSPACE)' },
  'metadata-label': { type: 'string', description: 'a devcontainer.metadata label (JSON) to merge' },
  container: { type: 'string', description: 'a docker container whose devcontainer.metadata label is merged' },
  'workspace-folder': { type: 'string', description: 'workspace folder inside the workspace (default: from the config)' },
  'remote-user': { type: 'string', description: 'remote user (default: from the config)' },
  'status-file': {
    type: 'string',
    description:
      'builder status file inside the workspace (default $DEVCONTAINER_STATUS_FILE or /workspaces/.devcontainer-builder/status.json); "none" disables',
  },
  'phase-outcome': { type: 'string', description: 'outcome of a successful builder phase (default success)' },
  'ide-server': {
    type: 'string',
    description:
      'IDE servers to check extensions in: code-server, openvscode-server, NAME=PATH, none (comma-separated; default code-server)',
  },
  'coder-agent': { type: 'boolean', default: true, description: 'check that the Coder agent process runs (--no-coder-agent: do not)' },
  'user-gossfile': {
    type: 'string',
    description: 'a goss file merged over the derived checks (default: goss.yaml next to devcontainer.json; "none": no merge)',
  },
} as const;

type DerivationArgs = { [K in keyof typeof derivationArgs]?: string | boolean };

function list(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

function ideServers(value: unknown): IdeServer[] | undefined {
  const names = list(value);
  if (names.length === 0) return undefined;
  if (names.includes('none')) return [];
  return names.map((n) => {
    if (n === 'code-server') return CODE_SERVER;
    if (n === 'openvscode-server') return OPENVSCODE_SERVER;
    const eq = n.indexOf('=');
    if (eq > 0) return { name: n.slice(0, eq), paths: [n.slice(eq + 1)] };
    return { name: n, paths: [n] };
  });
}

async function derive(workspace: string, args: DerivationArgs): Promise<string> {
  const { config, userGossfile } = await loadWorkspaceConfig({
    workspaceFolder: workspace,
    ...(typeof args.config === 'string' ? { configPath: args.config } : {}),
    ...(typeof args['metadata-label'] === 'string' ? { metadataLabel: args['metadata-label'] } : {}),
    ...(typeof args.container === 'string' ? { container: args.container } : {}),
  });
  const servers = ideServers(args['ide-server']);
  const options: GossfileOptions = {
    ...(typeof args['workspace-folder'] === 'string' ? { workspaceFolder: args['workspace-folder'] } : {}),
    ...(typeof args['remote-user'] === 'string' ? { remoteUser: args['remote-user'] } : {}),
    ...(typeof args['status-file'] === 'string' ? { statusFile: args['status-file'] === 'none' ? false : args['status-file'] } : {}),
    ...(typeof args['phase-outcome'] === 'string' ? { phaseOutcome: args['phase-outcome'] } : {}),
    ...(servers ? { ideServers: servers } : {}),
    ...(args['coder-agent'] === false ? { coderAgent: false } : {}),
    ...(typeof args['user-gossfile'] === 'string'
      ? args['user-gossfile'] === 'none'
        ? {}
        : { userGossfile: readText(args['user-gossfile']) }
      : userGossfile
        ? { userGossfile: readText(userGossfile) }
        : {}),
    workspaceName: workspace.replace(/\/+$/, '').split('/').pop() ?? 'workspace',
  };
  return renderGossfile(gossfileFor(config, options));
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new WorkspaceTestError(
      'INVALID_OPTIONS',
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

function report(result: ValidateResult, format: ReportFormat): void {
  process.stdout.write(formatResult(result, format));
  for (const c of result.checks) if (!c.successful && !c.skipped) process.stderr.write(`FAIL ${c.message}\n`);
  process.stderr.write(`workspace-test: ${result.target}: ${result.summary.total} checks, ${result.summary.failed} failed\n`);
  process.exitCode = result.ok ? 0 : 1;
}

function format(value: unknown): ReportFormat {
  const f = (value ?? 'tap') as ReportFormat;
  if (!REPORT_FORMATS.includes(f)) throw new WorkspaceTestError('INVALID_OPTIONS', `--format must be one of ${REPORT_FORMATS.join(', ')}`);
  return f;
}

const gossfileCommand = defineCommand({
  meta: { name: 'gossfile', description: 'Print the goss file derived from WORKSPACE/.devcontainer (YAML on stdout)' },
  args: { workspace: { type: 'positional', description: 'local folder with the repository', required: true }, ...derivationArgs },
  async run({ args }) {
    process.stdout.write(await derive(String(args.workspace), args as DerivationArgs));
  },
});

const runCommand = defineCommand({
  meta: { name: 'run', description: 'Copy goss into a workspace, run it, report (tap|junit|json on stdout)' },
  args: {
    target: {
      type: 'string',
      description:
        'docker:<container> | kubectl:<ns>/<pod>[/<container>] | kubectl-dind:<ns>/<pod>/<dind-container>/<devcontainer> | coder:<workspace>',
      required: true,
    },
    gossfile: { type: 'string', description: 'goss file to run (default: derived from --workspace)' },
    workspace: { type: 'string', description: 'local folder with .devcontainer/ to derive checks from (default: .)' },
    format: { type: 'string', description: 'tap | junit | json (default tap)' },
    goss: { type: 'string', description: 'goss binary for the target (default $GOSS_BINARY, else goss on PATH)' },
    user: { type: 'string', description: 'run goss as this user (default: the remote user)' },
    'retry-timeout': { type: 'string', description: 'goss --retry-timeout (default 0s)' },
    sleep: { type: 'string', description: 'goss --sleep (default 1s)' },
    cwd: {
      type: 'string',
      description: 'directory goss runs in, inside the target (default: the workspace folder of a derived goss file)',
    },
    ...derivationArgs,
  },
  async run({ args }) {
    const fmt = format(args.format);
    const target = parseTarget(String(args.target));
    let yaml: string;
    if (typeof args.gossfile === 'string') {
      yaml = readText(args.gossfile);
      parseGossfile(yaml, args.gossfile);
    } else {
      const derivation = { ...(args as DerivationArgs) };
      if (target.kind === 'docker' && derivation.container === undefined && derivation['metadata-label'] === undefined)
        derivation.container = target.container;
      yaml = await derive(typeof args.workspace === 'string' ? args.workspace : '.', derivation);
    }
    const user =
      typeof args.user === 'string' ? args.user : typeof args['remote-user'] === 'string' ? args['remote-user'] : ownerOf(yaml, 'user');
    const cwd = typeof args.cwd === 'string' ? args.cwd : ownerOf(yaml, 'workspace');
    const result = await runGoss({
      target,
      gossfile: yaml,
      ...(user ? { user } : {}),
      ...(cwd ? { cwd } : {}),
      ...(typeof args.goss === 'string' ? { goss: args.goss } : {}),
      ...(typeof args['retry-timeout'] === 'string' ? { retryTimeout: args['retry-timeout'] } : {}),
      ...(typeof args.sleep === 'string' ? { sleep: args.sleep } : {}),
      ...(target.kind === 'docker' ? { env: await dockerRemoteEnv(target.container) } : {}),
      ...(target.kind === 'kubectl-dind' ? { env: await kubectlDindRemoteEnv(target) } : {}),
    });
    report(result, fmt);
  },
});

/** The remote user (`user`) or workspace folder (`workspace`) of a derived goss file: its one resource of that meta.kind. */
function ownerOf(yaml: string, kind: 'user' | 'workspace'): string | undefined {
  const g = parseGossfile(yaml);
  const section = kind === 'user' ? g.user : g.file;
  const found = Object.entries(section ?? {}).filter(([, v]) => (v as { meta?: { kind?: string } }).meta?.kind === kind);
  return found.length === 1 ? found[0]?.[0] : undefined;
}

function duration(value: unknown, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(String(value));
  if (!m) throw new WorkspaceTestError('INVALID_OPTIONS', `invalid duration "${String(value)}" (e.g. 90s, 10m)`);
  const n = Number(m[1]);
  return m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
}

const outsideCommand = defineCommand({
  meta: {
    name: 'outside',
    description: 'Check a Coder workspace from outside (running, healthy, agent connected, apps healthy) with one deadline',
  },
  args: {
    workspace: { type: 'string', description: '[owner/]name', required: true },
    app: { type: 'string', description: 'app slugs that must be healthy (comma-separated)' },
    deadline: { type: 'string', description: 'overall deadline (default 10m)' },
    interval: { type: 'string', description: 'poll interval (default 2s)' },
    format: { type: 'string', description: 'tap | junit | json (default tap)' },
  },
  async run({ args }) {
    const fmt = format(args.format);
    const url = process.env.CODER_URL;
    const token = process.env.CODER_SESSION_TOKEN;
    if (!url || !token)
      throw new WorkspaceTestError(
        'INVALID_OPTIONS',
        'CODER_URL and CODER_SESSION_TOKEN must be set (the token is read from the environment only)',
      );
    const result = await checkCoderWorkspace({
      url,
      token,
      workspace: String(args.workspace),
      apps: list(args.app),
      deadlineMs: duration(args.deadline, 600_000),
      pollIntervalMs: duration(args.interval, 2_000),
      onPoll: (checks, attempt) => {
        const failing = checks.filter((c) => !c.successful);
        process.stderr.write(
          `workspace-test: poll ${attempt}: ${failing.length ? failing.map((c) => c.message).join('; ') : 'all checks pass'}\n`,
        );
      },
    });
    report(result, fmt);
  },
});

const main = defineCommand({
  meta: { name: 'workspace-test', description: 'goss checks of a running workspace, derived from its devcontainer.json' },
  subCommands: { gossfile: gossfileCommand, run: runCommand, outside: outsideCommand },
});

/** Bad options and targets are usage errors (exit 2); every other WorkspaceTestError is a failure (exit 1). */
const USAGE_CODES = new Set(['INVALID_OPTIONS', 'INVALID_TARGET']);

function classified<A>(run: (context: A) => Promise<void>): (context: A) => Promise<void> {
  return async (context) => {
    try {
      await run(context);
    } catch (error) {
      if (!(error instanceof WorkspaceTestError)) throw error;
      const message = `${error.code}: ${error.message}`;
      throw USAGE_CODES.has(error.code) ? new CliUsageError(message, { cause: error }) : new Error(message, { cause: error });
    }
  };
}
type Runnable = { run?: (context: never) => Promise<void> };
for (const command of [gossfileCommand, runCommand, outsideCommand] as Runnable[])
  command.run = classified(command.run as (context: never) => Promise<void>);

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
process.exitCode = await runCli(main, {
  version,
  helpFooter:
    'Exit status: 0 every check passed; 1 a check failed, or a problem with the workspace, goss file, transport or Coder API; 2 usage error (unknown command or option, bad option value or target).',
});
