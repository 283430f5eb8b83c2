// The extensions phase's I/O shell: install what a devcontainer asks for into every IDE server
// found in it, as the remote user; offline .vsix files first, then the server's own gallery.
// It never throws: every problem ends up in the report.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { type DockerContext, runDocker } from '@devcontainer-kit/docker-context';
import { detectIdeServers, lastLine, parseListedExtensions } from './servers.js';
import type { ExtensionRef, ExtensionResult, ExtensionsReport, IdeServer, IgnoredExtensionEntry, VsixFile } from './types.js';
import { matchVsix, scanVsixDirectory } from './vsix.js';

export type ExtensionLogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface InstallExtensionsOptions {
  /** Where docker runs, with which environment. */
  ctx: DockerContext;
  containerId: string;
  /** The devcontainer's remote user: installs run as this user (`docker exec -u`). */
  remoteUser: string;
  extensions: readonly ExtensionRef[];
  /** Entries that collectExtensions ignored, carried into the report. */
  ignored?: readonly IgnoredExtensionEntry[];
  /** `DEVCONTAINER_EXTENSIONS_DIR`: a host directory of .vsix files, tried before the gallery. */
  offlineDir?: string;
  /** Try the server's gallery (Open VSX for code-server) for what the offline directory lacks. Default true. */
  gallery?: boolean;
  /** Time limit of one gallery install. Default 120 000 ms. */
  galleryTimeoutMs?: number;
  /** Time limit of one offline (batch) install. Default 300 000 ms. */
  offlineTimeoutMs?: number;
  /** One line per event, for the Coder log. */
  onLog?: (line: string, level: ExtensionLogLevel) => void;
}

/**
 * Pure: what a failed `--install-extension` said, as an outcome and one line. "not found" (the
 * gallery has no such extension) is told apart from other failures (network, incompatible engine).
 */
export function classifyInstallFailure(output: string, id: string): { outcome: 'not-found' | 'failed'; reason: string } {
  const lines = stripVTControlCharacters(output)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const notFound = lines.find((l) => /\bnot found\b|could(?: no|n')t find|no extension (?:found|matching)/i.test(l));
  if (notFound) return { outcome: 'not-found', reason: notFound.slice(0, 300) };
  const telling =
    lines.find((l) => l.toLowerCase().includes(id) && /error|fail|unable|cannot|not /i.test(l)) ??
    lines.find((l) => /error|fail|unable|cannot|ENOTFOUND|ECONN|ETIMEDOUT|EAI_AGAIN/i.test(l)) ??
    lines.at(-1);
  return { outcome: 'failed', reason: (telling ?? 'no output').slice(0, 300) };
}

/** Pure: the human line for one result (Coder log, status file). */
export function formatExtensionResult(r: ExtensionResult): string {
  const what = r.version ? `${r.id}@${r.version}` : r.id;
  const where = r.server ? ` (${r.server.kind})` : '';
  switch (r.outcome) {
    case 'installed':
      return `${what}${where}: installed ${r.installedVersion ?? ''} from ${r.source === 'offline' ? `offline ${basename(r.vsix ?? '')}` : 'gallery'}`.replace(
        '  ',
        ' ',
      );
    case 'already-present':
      return `${what}${where}: already present${r.installedVersion ? ` (${r.installedVersion})` : ''}`;
    case 'not-found':
      return `${what}${where}: not found in gallery${r.reason ? ` — ${r.reason}` : ''}`;
    case 'no-server':
      return `${what}: not installed — no IDE server (code-server, openvscode-server, VS Code Server) in the devcontainer`;
    default:
      return `${what}${where}: failed: ${r.reason ?? 'unknown reason'}`;
  }
}

/** Pure: a one-line summary of a report. */
export function summarizeExtensionsReport(report: ExtensionsReport): string {
  const count = (o: ExtensionResult['outcome']) => report.results.filter((r) => r.outcome === o).length;
  const servers = report.servers.map((s) => s.kind).join(', ') || 'no IDE server';
  return `extensions: ${count('installed')} installed, ${count('already-present')} already present, ${count('not-found')} not found, ${count('failed')} failed (${servers}, ${report.durationMs} ms)`;
}

export async function installExtensions(options: InstallExtensionsOptions): Promise<ExtensionsReport> {
  const started = performance.now();
  const log = options.onLog ?? (() => {});
  const report: ExtensionsReport = {
    servers: [],
    results: [],
    ignored: [...(options.ignored ?? [])],
    offlineProblems: [],
    durationMs: 0,
  };
  const finish = () => {
    report.durationMs = Math.round(performance.now() - started);
    for (const r of report.results) log(formatExtensionResult(r), r.outcome === 'failed' ? 'warn' : 'info');
    log(summarizeExtensionsReport(report), report.results.some((r) => r.outcome === 'failed') ? 'warn' : 'info');
    return report;
  };
  for (const i of report.ignored) log(`ignored extension entry ${JSON.stringify(i.entry)}: ${i.reason}`, 'warn');
  if (options.extensions.length === 0) return finish();

  try {
    let vsixFiles: VsixFile[] = [];
    if (options.offlineDir) {
      const scan = await scanVsixDirectory(options.offlineDir);
      vsixFiles = scan.files;
      report.offlineProblems = scan.problems;
      for (const p of scan.problems) log(`offline extensions: ${p.file}: ${p.reason}`, 'warn');
    }
    report.servers = await detectIdeServers({
      containerId: options.containerId,
      remoteUser: options.remoteUser,
      ctx: options.ctx,
    });
    if (report.servers.length === 0) {
      report.results = options.extensions.map((e) => ({ ...idOf(e), outcome: 'no-server' as const }));
      return finish();
    }
    log(`IDE servers: ${report.servers.map((s) => `${s.kind} (${s.path})`).join(', ')}`, 'info');
    const staging = new Staging(options);
    try {
      for (const server of report.servers) {
        report.results.push(...(await installIntoServer(server, vsixFiles, staging, options, log)));
      }
    } finally {
      await staging.remove();
    }
  } catch (cause) {
    report.error = (cause as Error).message;
    const done = new Set(report.results.map((r) => r.id));
    for (const e of options.extensions) {
      if (!done.has(e.id)) report.results.push({ ...idOf(e), outcome: 'failed', reason: report.error });
    }
  }
  return finish();
}

function idOf(e: ExtensionRef): { id: string; version?: string } {
  return e.version ? { id: e.id, version: e.version } : { id: e.id };
}

/**
 * A directory in the container holding the .vsix files copied in, readable by the remote user.
 * All files go in with one `docker cp` of a host directory (one call, not one per file).
 */
class Staging {
  readonly dir = `/tmp/devcontainer-builder-extensions-${randomUUID().slice(0, 8)}`;
  private readonly copied = new Map<string, string>();
  private hostDir: string | undefined;
  constructor(private readonly options: InstallExtensionsOptions) {}

  /** Copies the files not copied yet into the container. */
  async add(files: readonly VsixFile[]): Promise<void> {
    const fresh = files.filter((f) => !this.copied.has(f.file));
    if (fresh.length === 0) return;
    const batch = await mkdtemp(join(tmpdir(), 'devcontainer-builder-vsix-'));
    this.hostDir ??= batch;
    try {
      for (const f of fresh) {
        // Named by the manifest, not the host file name (which may hold anything).
        const name = `${f.id}-${f.version}.vsix`.replace(/[^A-Za-z0-9._-]/g, '_');
        await copyFile(f.file, join(batch, name));
        this.copied.set(f.file, `${this.dir}/${name}`);
      }
      const { containerId } = this.options;
      await this.docker(['exec', '-u', '0', containerId, 'mkdir', '-p', this.dir]);
      await this.docker(['cp', `${batch}/.`, `${containerId}:${this.dir}`]);
      await this.docker(['exec', '-u', '0', containerId, 'chmod', '-R', 'a+rX', this.dir]);
    } finally {
      await rm(batch, { recursive: true, force: true });
    }
  }

  path(vsix: VsixFile): string {
    const path = this.copied.get(vsix.file);
    if (!path) throw new Error(`${vsix.file} was not copied into the container`);
    return path;
  }

  async remove(): Promise<void> {
    if (this.copied.size > 0)
      await runDocker(this.options.ctx, ['exec', '-u', '0', this.options.containerId, 'rm', '-rf', this.dir], { timeoutMs: 120_000 });
  }

  private async docker(args: string[]): Promise<void> {
    const r = await runDocker(this.options.ctx, args, { timeoutMs: 120_000 });
    if (r.exitCode !== 0) throw new Error(`docker ${args[0]} failed: ${lastLine(r.all)}`);
  }
}

async function installIntoServer(
  server: IdeServer,
  vsixFiles: readonly VsixFile[],
  staging: Staging,
  options: InstallExtensionsOptions,
  log: (line: string, level: ExtensionLogLevel) => void,
): Promise<ExtensionResult[]> {
  const exec = (args: string[], timeoutMs: number) =>
    runDocker(options.ctx, ['exec', '-u', options.remoteUser, options.containerId, server.path, ...args], { timeoutMs });
  const list = async () => {
    const r = await exec(['--list-extensions', '--show-versions'], 120_000);
    if (r.exitCode !== 0) throw new Error(`${server.kind} --list-extensions failed (exit ${r.exitCode}): ${lastLine(r.all)}`);
    return parseListedExtensions(r.stdout);
  };
  const satisfied = (installed: Map<string, string>, e: ExtensionRef) =>
    installed.has(e.id) && (!e.version || installed.get(e.id) === e.version);

  const before = await list();
  const results = new Map<string, ExtensionResult>();
  const offline: { ref: ExtensionRef; vsix: VsixFile; force: boolean }[] = [];
  const gallery: { ref: ExtensionRef; force: boolean }[] = [];
  for (const e of options.extensions) {
    if (satisfied(before, e)) {
      results.set(e.id, { ...idOf(e), server, outcome: 'already-present', installedVersion: before.get(e.id)! });
      continue;
    }
    const force = before.has(e.id); // another version is installed: replace it
    const vsix = matchVsix(vsixFiles, e);
    if (vsix) offline.push({ ref: e, vsix, force });
    else gallery.push({ ref: e, force });
  }

  // Offline: one batch call (one server start-up for all), then each straggler alone for its reason.
  if (offline.length > 0) {
    await staging.add(offline.map((o) => o.vsix));
    const args: string[] = [];
    for (const o of offline) args.push('--install-extension', staging.path(o.vsix));
    if (offline.some((o) => o.force)) args.push('--force');
    log(`${server.kind}: installing ${offline.length} extension(s) from the offline directory`, 'debug');
    await exec(args, options.offlineTimeoutMs ?? 300_000);
    const after = await list();
    for (const o of offline) {
      if (satisfied(after, o.ref)) {
        results.set(o.ref.id, {
          ...idOf(o.ref),
          server,
          outcome: 'installed',
          source: 'offline',
          vsix: o.vsix.file,
          installedVersion: after.get(o.ref.id)!,
        });
        continue;
      }
      const single = await exec(
        ['--install-extension', staging.path(o.vsix), ...(o.force ? ['--force'] : [])],
        options.offlineTimeoutMs ?? 300_000,
      );
      const again = await list();
      results.set(
        o.ref.id,
        satisfied(again, o.ref)
          ? { ...idOf(o.ref), server, outcome: 'installed', source: 'offline', vsix: o.vsix.file, installedVersion: again.get(o.ref.id)! }
          : { ...idOf(o.ref), server, outcome: 'failed', vsix: o.vsix.file, reason: classifyInstallFailure(single.all, o.ref.id).reason },
      );
    }
  }

  // Gallery: one by one, each with its own time limit (an unreachable gallery must fail fast and alone).
  for (const g of gallery) {
    if (options.gallery === false) {
      results.set(g.ref.id, {
        ...idOf(g.ref),
        server,
        outcome: 'not-found',
        reason: 'not in the offline directory and the gallery is disabled',
      });
      continue;
    }
    const spec = g.ref.version ? `${g.ref.id}@${g.ref.version}` : g.ref.id;
    log(`${server.kind}: installing ${spec} from the gallery`, 'debug');
    const r = await exec(['--install-extension', spec, ...(g.force ? ['--force'] : [])], options.galleryTimeoutMs ?? 120_000);
    const after = r.exitCode === 0 ? await list() : undefined;
    if (after && satisfied(after, g.ref)) {
      results.set(g.ref.id, { ...idOf(g.ref), server, outcome: 'installed', source: 'gallery', installedVersion: after.get(g.ref.id)! });
    } else if (r.timedOut) {
      results.set(g.ref.id, {
        ...idOf(g.ref),
        server,
        outcome: 'failed',
        reason: `gallery install timed out after ${options.galleryTimeoutMs ?? 120_000} ms`,
      });
    } else {
      results.set(g.ref.id, { ...idOf(g.ref), server, ...classifyInstallFailure(r.all, g.ref.id) });
    }
  }
  return options.extensions.map((e) => results.get(e.id)!);
}
