// extensions (between up and agent): what the devcontainer asks for (its `devcontainer.metadata`
// label + DEVCONTAINER_EXTENSIONS), installed into every IDE server found in it as the remote user.
// Never fails the workspace: every problem is a report line; no log source when nothing is asked for.
import { inspectContainer, parseMetadataLabel } from '../container.js';
import { collectExtensions } from '../extensions/collect.js';
import { formatExtensionResult, installExtensions, summarizeExtensionsReport } from '../extensions/install.js';
import type { ExtensionRef, ExtensionsReport, IgnoredExtensionEntry } from '../extensions/types.js';
import type { PhaseOutcome } from '../status.js';
import type { ContainerRef, PhaseContext } from './context.js';

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

/** Reads the container's metadata label and collects the extensions to install. */
export async function planExtensions(
  ctx: Pick<PhaseContext, 'docker' | 'settings'> & { state?: Pick<PhaseContext['state'], 'inspected'> },
  container: ContainerRef,
): Promise<ExtensionsPlan> {
  // The container as `up` inspected it, else one inspect now.
  const known = ctx.state?.inspected?.id === container.containerId ? ctx.state.inspected : undefined;
  const inspected = known ?? (await inspectContainer(ctx.docker, container.containerId));
  const parsed = inspected
    ? parseMetadataLabel(inspected.labels['devcontainer.metadata'])
    : { configs: [], problem: `cannot inspect the devcontainer ${container.containerId.slice(0, 12)}` };
  const { extensions, ignored } = collectExtensions({ configs: parsed.configs, extra: ctx.settings.extensions.join(',') });
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

/** Whether the phase has anything to do (plans it; a failed plan means nothing to do). */
export async function wantsExtensions(ctx: Omit<PhaseContext, 'log'>): Promise<boolean> {
  const plan = await planExtensions(ctx, ctx.state.container as ContainerRef).catch(() => undefined);
  if (plan) ctx.state.extensionsPlan = plan;
  return Boolean(plan && (plan.extensions.length > 0 || plan.ignored.length > 0 || plan.labelProblem));
}

/** Installs the plan; one line per extension and server in the log, then the summary. Never throws. */
export async function runExtensionsPhase(ctx: PhaseContext): Promise<PhaseOutcome | undefined> {
  const { log, settings } = ctx;
  const plan = ctx.state.extensionsPlan as ExtensionsPlan;
  const target = ctx.state.container as ContainerRef;
  if (plan.labelProblem) log.write(plan.labelProblem, 'warn');
  const dir = settings.extensionsDir;
  log.write(
    `${plan.extensions.length} extension${plan.extensions.length === 1 ? '' : 's'} requested: ${plan.extensions.map((e) => e.spec).join(', ') || 'none'}${dir ? `; offline directory ${dir}` : ''}`,
    'info',
  );
  let result: ExtensionsStatus;
  try {
    const report = await installExtensions({
      ctx: ctx.docker,
      containerId: target.containerId,
      remoteUser: target.remoteUser,
      extensions: plan.extensions,
      ignored: plan.ignored,
      ...(dir ? { offlineDir: dir } : {}),
      onLog: (line, level) => log.write(line, level),
    });
    result = toExtensionsStatus(report);
  } catch (e) {
    result = {
      servers: [],
      summary: `extensions: not run (${(e as Error).message})`,
      results: [],
      ignored: [],
      error: (e as Error).message,
    };
  }
  ctx.status.extensions = result;
  return result.results.some((r) => r.outcome !== 'installed' && r.outcome !== 'already-present') ? 'warning' : undefined;
}
