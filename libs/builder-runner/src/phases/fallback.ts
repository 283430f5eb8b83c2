// fallback: when checkout, config or up failed and DEVCONTAINER_FALLBACK_IMAGE is set, that image
// becomes the devcontainer (workspace mounted, agent injected next), and the failure is explained
// in the log and in `<workspace>/.devcontainer-builder/FAILED.md` (fallback/start.ts).
import { BuilderError } from '../errors.js';
import { startFallbackWorkspace } from '../fallback/start.js';
import type { PhaseContext } from './context.js';

/** What FAILED.md gets as details: the problems, else the output's tail. Pure. */
export function failureDetails(error: BuilderError): string | undefined {
  if (error.details.length > 0) return error.details.join('\n');
  return error.outputTail || undefined;
}

export async function runFallbackPhase(ctx: PhaseContext): Promise<void> {
  const { settings, log, redactor, status } = ctx;
  const image = settings.fallbackImage as string;
  const failure = ctx.state.failure as { phase: 'checkout' | 'config' | 'up'; error: BuilderError };
  const message = redactor(failure.error.message);
  log.write(`the ${failure.phase} phase failed: ${message}`, 'error');
  log.write(
    `DEVCONTAINER_FALLBACK_IMAGE: starting ${image} as the devcontainer instead, so the repository can be fixed from inside the workspace`,
    'warn',
  );
  const details = failureDetails(failure.error);
  let fb: Awaited<ReturnType<typeof startFallbackWorkspace>>;
  try {
    fb = await startFallbackWorkspace(ctx.docker, {
      image,
      workspaceFolder: settings.workspaceFolder,
      reason: { phase: failure.phase, message, ...(details ? { details: redactor(details) } : {}) },
      labels: { 'devcontainer-kit.workspace': settings.workspaceName },
      secrets: [settings.gitToken, settings.coder?.agentToken],
      onLog: (line, level) => log.write(redactor(line), level),
    });
  } catch (error) {
    const e = error as BuilderError;
    throw new BuilderError(
      `the fallback image ${image} could not be started either (${e.code ?? 'error'}): ${redactor(e.message)}; the ${failure.phase} phase had failed: ${message}`,
      {
        code: e.code ?? 'fallback-start-failed',
        phase: 'fallback',
        cause: error,
        exitCode: e.exitCode,
        outputTail: e.outputTail,
        command: e.command,
      },
    );
  }
  log.write(
    `fallback container ${fb.containerId.slice(0, 12)} ${fb.reused ? 'started again' : 'created'} from ${fb.image}, workspace at ${fb.remoteWorkspaceFolder}, user ${fb.remoteUser}`,
    'info',
  );
  log.write(`the failure is explained in ${fb.explanationFile}; fix the repository, commit and restart the workspace`, 'warn');
  status.fallback = { phase: failure.phase, message, image, explanationFile: fb.explanationFile };
  const container = { containerId: fb.containerId, remoteUser: fb.remoteUser, remoteWorkspaceFolder: fb.remoteWorkspaceFolder };
  Object.assign(status, { ...container, image, reused: fb.reused });
  ctx.state.container = container;
}
