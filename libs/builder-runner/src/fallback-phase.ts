// The fallback workspace phase: when checkout, config or up failed and DEVCONTAINER_FALLBACK_IMAGE
// is set, that image becomes the devcontainer (workspace mounted, agent injected next), and the
// failure is explained in the Coder log and in `<workspace>/.devcontainer-builder/FAILED.md`.
import { BuilderError } from './errors.js';
import type { FallbackError } from './fallback/errors.js';
import { type FallbackWorkspace, startFallbackWorkspace } from './fallback/start.js';
import type { PhaseLog } from './phase-log.js';
import type { Redactor } from './redact.js';

export interface FallbackPhaseOptions {
  image: string;
  workspaceFolder: string;
  workspaceName: string;
  /** The phase that failed and its error. */
  failedPhase: string;
  error: BuilderError;
  secrets: (string | undefined)[];
  dockerHost: string | undefined;
  redactor: Redactor;
  log: PhaseLog;
}

/** The fallback container the agent phase goes on with. */
export type FallbackUp = FallbackWorkspace;

/** What FAILED.md gets as details: the problems, else the output's tail. Pure. */
export function failureDetails(error: BuilderError): string | undefined {
  if (error.details.length > 0) return error.details.join('\n');
  if (error.stderrTail) return error.stderrTail;
  return undefined;
}

export async function runFallbackPhase(o: FallbackPhaseOptions): Promise<FallbackUp> {
  const message = o.redactor(o.error.message);
  o.log.write(`the ${o.failedPhase} phase failed: ${message}`, 'error');
  o.log.write(
    `DEVCONTAINER_FALLBACK_IMAGE: starting ${o.image} as the devcontainer instead, so the repository can be fixed from inside the workspace`,
    'warn',
  );
  const details = failureDetails(o.error);
  try {
    const fb = await startFallbackWorkspace({
      image: o.image,
      workspaceFolder: o.workspaceFolder,
      reason: { phase: o.failedPhase, message, ...(details ? { details: o.redactor(details) } : {}) },
      labels: { 'devcontainer-kit.workspace': o.workspaceName },
      secrets: o.secrets,
      ...(o.dockerHost ? { dockerHost: o.dockerHost } : {}),
      onLog: (line, level) => o.log.write(o.redactor(line), level),
    });
    o.log.write(
      `fallback container ${fb.containerId.slice(0, 12)} ${fb.reused ? 'started again' : 'created'} from ${fb.image}, workspace at ${fb.remoteWorkspaceFolder}, user ${fb.remoteUser}`,
      'info',
    );
    o.log.write(`the failure is explained in ${fb.explanationFile}; fix the repository, commit and restart the workspace`, 'warn');
    return fb;
  } catch (error) {
    const e = error as FallbackError;
    throw new BuilderError(
      `the fallback image ${o.image} could not be started either (${e.code ?? 'error'}): ${o.redactor(e.message)}; the ${o.failedPhase} phase had failed: ${message}`,
      {
        code: o.error.code,
        phase: 'fallback',
        cause: error,
      },
    );
  }
}
