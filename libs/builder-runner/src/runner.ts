// The phase runner: one log source per phase, timing, status-file updates, error mapping and abort.
// Phases only do their job; everything around them happens here, the same way for each.
import { BuilderError, type BuilderErrorCode } from './errors.js';
import type { PhaseLog, PhaseLogFactory, PhaseName } from './phase-log.js';
import type { PhaseContext } from './phases/context.js';
import type { PhaseOutcome } from './status.js';

/** A phase as data: its name, what it does, and the code its unexpected failures get. */
export interface PhaseDefinition {
  name: PhaseName;
  /** Returns 'skipped' or 'warning' to say so; anything else counts as success. */
  // biome-ignore lint/suspicious/noConfusingVoidType: phases with nothing to say return nothing.
  run(ctx: PhaseContext): Promise<PhaseOutcome | undefined | void>;
  /** The code of a failure that is not already a BuilderError (e.g. a network error). */
  failureCode: BuilderErrorCode;
  /** Decided before a log source is opened: false records the phase as skipped, silently. */
  wanted?(ctx: Omit<PhaseContext, 'log'>): Promise<boolean>;
  /** Keep the log open after the phase (the agent's log lives on while supervision restarts it). */
  keepLogOpen?: boolean;
  /** Runs alongside later phases: it does not become the status file's `phase`. */
  background?: boolean;
}

/** Maps any failure to the phase's BuilderError (aborted when the signal fired). Pure. */
export function toBuilderError(error: unknown, phase: PhaseName, failureCode: BuilderErrorCode, aborted: boolean): BuilderError {
  if (error instanceof BuilderError)
    return error.phase ? error : new BuilderError(error.message, { ...error, code: error.code, phase, cause: error.cause });
  const message = error instanceof Error ? error.message : String(error);
  return new BuilderError(message, { code: aborted ? 'aborted' : failureCode, phase, cause: error });
}

/** Writes a failure into the phase's log and the status (secrets redacted). */
function reportFailure(ctx: Omit<PhaseContext, 'log'>, log: PhaseLog, e: BuilderError, name: PhaseName): void {
  const r = ctx.redactor;
  log.write(r(e.message), 'error');
  for (const d of e.details) log.write(r(d), 'error');
  if (e.outputTail && e.details.length === 0) for (const l of e.outputTail.split('\n').slice(-5)) log.write(r(l), 'error');
  ctx.status.lastError = { code: e.code, phase: name, message: r(e.message), at: new Date().toISOString() };
  ctx.status.phase = 'failed';
}

/** Runs one phase: abort check, log source, status entry, timing, error mapping. Returns its log. */
export async function runPhase(
  def: PhaseDefinition,
  base: Omit<PhaseContext, 'log'>,
  logs: PhaseLogFactory,
): Promise<PhaseLog | undefined> {
  const { status } = base;
  if (base.docker.signal?.aborted) throw new BuilderError('stopped by a signal', { code: 'aborted', phase: def.name });
  if (def.wanted && !(await def.wanted(base))) {
    status.phases[def.name] = { startedAt: new Date().toISOString(), durationMs: 0, outcome: 'skipped' };
    return undefined;
  }
  const log = await logs.open(def.name);
  const started = Date.now();
  if (!def.background) status.phase = def.name;
  status.phases[def.name] = { startedAt: new Date(started).toISOString(), outcome: 'running' };
  await base.save();
  const entry = status.phases[def.name] as { durationMs?: number; outcome: PhaseOutcome };
  try {
    const outcome = (await def.run({ ...base, log })) ?? undefined;
    entry.durationMs = Date.now() - started;
    if (entry.outcome === 'running') entry.outcome = outcome ?? 'success';
    log.write(`${def.name} ${entry.outcome === 'skipped' ? 'skipped' : 'done'} in ${(entry.durationMs / 1000).toFixed(1)} s`, 'info');
    await base.save();
    if (!def.keepLogOpen) await log.close();
    return log;
  } catch (error) {
    entry.durationMs = Date.now() - started;
    entry.outcome = 'failed';
    const e = toBuilderError(error, def.name, def.failureCode, Boolean(base.docker.signal?.aborted));
    const phaseBefore = status.phase;
    if (e.code !== 'aborted') reportFailure(base, log, e, def.name);
    // A background phase's failure is recorded, but the pipeline goes on.
    if (def.background) status.phase = phaseBefore;
    await base.save();
    await log.close();
    throw e;
  }
}
