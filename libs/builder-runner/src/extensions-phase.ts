// The extensions phase (between `up` and `agent`): which extensions the devcontainer asks for
// (its `devcontainer.metadata` label + DEVCONTAINER_EXTENSIONS), installed into every IDE server
// found in it as the remote user. Never fails the workspace: every problem is a report line.
import { type DockerContext, docker } from './docker.js';
import { collectExtensions } from './extensions/collect.js';
import { formatExtensionResult, installExtensions, summarizeExtensionsReport } from './extensions/install.js';
import type { ExtensionRef, ExtensionsReport, IgnoredExtensionEntry } from './extensions/types.js';
import type { PhaseLog } from './phase-log.js';

/** What the status file keeps of the extensions phase. */
export interface ExtensionsStatus {
  /** IDE servers found, e.g. `code-server (/usr/local/bin/code-server)`. */
  servers: string[];
  summary: string;
  results: { id: string; server?: string; outcome: string; reason?: string }[];
  ignored: string[];
  error?: string;
}

export interface ExtensionsPlan {
  extensions: ExtensionRef[];
  ignored: IgnoredExtensionEntry[];
  /** Why the label could not be read (the plan then holds DEVCONTAINER_EXTENSIONS only). */
  labelProblem?: string;
}

/**
 * Parses a `devcontainer.metadata` label: the devcontainer CLI writes the merged metadata there
 * as a JSON array (features first, devcontainer.json last); a single object is accepted. Pure.
 */
export function parseMetadataLabel(label: string | undefined): { configs: unknown[]; problem?: string } {
  if (!label) return { configs: [] };
  try {
    const v = JSON.parse(label) as unknown;
    return { configs: Array.isArray(v) ? v : [v] };
  } catch (error) {
    return { configs: [], problem: `devcontainer.metadata label is not JSON: ${(error as Error).message}` };
  }
}

/** Reads the container's metadata label and collects the extensions to install. */
export async function planExtensions(ctx: DockerContext & { containerId: string; extra: string[] }): Promise<ExtensionsPlan> {
  const r = await docker(ctx, ['inspect', '--format', '{{index .Config.Labels "devcontainer.metadata"}}', ctx.containerId]);
  const labelText = r.exitCode === 0 ? r.stdout.trim() : undefined;
  const parsed =
    r.exitCode === 0
      ? parseMetadataLabel(labelText === '<no value>' ? undefined : labelText)
      : { configs: [], problem: `docker inspect failed: ${r.stderr.trim()}` };
  const { extensions, ignored } = collectExtensions({ configs: parsed.configs, extra: ctx.extra.join(',') });
  return { extensions, ignored, ...(parsed.problem ? { labelProblem: parsed.problem } : {}) };
}

/** The status file's form of a report. Pure. */
export function toExtensionsStatus(report: ExtensionsReport): ExtensionsStatus {
  return {
    servers: report.servers.map((s) => `${s.kind} (${s.path})`),
    summary: summarizeExtensionsReport(report),
    results: report.results.map((r) => ({
      id: r.version ? `${r.id}@${r.version}` : r.id,
      ...(r.server ? { server: r.server.kind } : {}),
      outcome: r.outcome,
      ...(r.reason
        ? { reason: r.reason }
        : r.outcome === 'installed' || r.outcome === 'already-present'
          ? {}
          : { reason: formatExtensionResult(r) }),
    })),
    ignored: report.ignored.map((i) => `${JSON.stringify(i.entry)}: ${i.reason}`),
    ...(report.error ? { error: report.error } : {}),
  };
}

export interface RunExtensionsPhaseOptions extends DockerContext {
  containerId: string;
  remoteUser: string;
  plan: ExtensionsPlan;
  offlineDir: string | undefined;
  log: PhaseLog;
}

/** Installs the plan; one line per extension and server in the log, then the summary. Never throws. */
export async function runExtensionsPhase(o: RunExtensionsPhaseOptions): Promise<ExtensionsStatus> {
  if (o.plan.labelProblem) o.log.write(o.plan.labelProblem, 'warn');
  o.log.write(
    `${o.plan.extensions.length} extension${o.plan.extensions.length === 1 ? '' : 's'} requested: ${o.plan.extensions.map((e) => e.spec).join(', ') || 'none'}${o.offlineDir ? `; offline directory ${o.offlineDir}` : ''}`,
    'info',
  );
  const report = await installExtensions({
    containerId: o.containerId,
    remoteUser: o.remoteUser,
    extensions: o.plan.extensions,
    ignored: o.plan.ignored,
    ...(o.offlineDir ? { offlineDir: o.offlineDir } : {}),
    onLog: (line, level) => o.log.write(line, level),
  });
  return toExtensionsStatus(report);
}
