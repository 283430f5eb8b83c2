// The pipeline: preflight → checkout → config → up (→ fallback) → extensions → agent → supervise. Each phase is timed,
// logged to its own sink and recorded in the status file.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type AgentHandle, startAgent } from './agent.js';
import { readAgentEnv } from './agent-env.js';
import { lookupPrebuiltImage, type PrebuiltLookup, pullCacheFrom } from './cache-phase.js';
import { type ConfigStepResult, runConfigStep } from './config-step.js';
import { failedLifecycleHook, runDevcontainerUp } from './devcontainer-cli.js';
import { type DockerContext, docker, findContainers, inspectContainer, waitForDocker } from './docker.js';
import { BuilderError } from './errors.js';
import { planExtensions, runExtensionsPhase } from './extensions-phase.js';
import { clearFallbackExplanation } from './fallback/start.js';
import { type FallbackUp, runFallbackPhase } from './fallback-phase.js';
import { checkoutRepository } from './git-checkout.js';
import { createRedactingPhaseLogs, type PhaseLog, type PhaseLogFactory, type PhaseName } from './phase-log.js';
import { createRedactor, type Redactor } from './redact.js';
import { type BuilderSettings, checkoutSettings } from './settings.js';
import { type BuilderStatus, type CacheState, createStatus, writeStatusFile } from './status.js';

/** Environment variables children never see (the agent's docker exec gets the token by name only). */
export const SECRET_ENV_NAMES = ['CODER_AGENT_TOKEN', 'DEVCONTAINER_GIT_TOKEN', 'GH_TOKEN', 'GITHUB_TOKEN', 'CODER_INIT_SCRIPT'] as const;

export interface RunBuilderOptions {
  settings: BuilderSettings;
  logs: PhaseLogFactory;
  /** The builder's environment (default process.env); secrets are removed before children see it. */
  env?: Record<string, string | undefined>;
  /** Abort = SIGTERM: stop the agent and the devcontainer (per shutdownAction), then return. */
  signal?: AbortSignal;
  /** Agent restart backoff (ms): first delay and cap. */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface RunBuilderResult {
  status: BuilderStatus;
  /** 'completed': supervision was off; 'stopped': a signal ended supervision. */
  reason: 'completed' | 'stopped';
}

interface UpState {
  containerId: string;
  remoteUser: string;
  remoteWorkspaceFolder: string | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export function childEnv(env: Record<string, string | undefined>, settings: BuilderSettings): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of SECRET_ENV_NAMES) delete out[name];
  if (settings.dockerHost) out.DOCKER_HOST = settings.dockerHost;
  return out;
}

export async function runBuilder(options: RunBuilderOptions): Promise<RunBuilderResult> {
  const { settings, signal } = options;
  const env = childEnv(options.env ?? process.env, settings);
  const redactor: Redactor = createRedactor([settings.gitToken, settings.coder?.agentToken]);
  const logs = createRedactingPhaseLogs(options.logs, redactor);
  const ctx: DockerContext = { env };
  const status = createStatus({ workspace: settings.workspaceName, workspaceFolder: settings.workspaceFolder });
  const save = () => writeStatusFile(settings.statusFile, status).catch(() => {});
  const statePath = join(settings.stateDir, 'state.json');
  const cacheDir = join(dirname(settings.statusFile), 'cache');

  const aborted = () => {
    if (signal?.aborted) throw new BuilderError('stopped by a signal', { code: 'aborted' });
  };

  async function phase<T>(
    name: PhaseName,
    fn: (log: PhaseLog) => Promise<T>,
    opts: { keepOpen?: boolean } = {},
  ): Promise<{ value: T; log: PhaseLog }> {
    aborted();
    const log = await logs.open(name);
    const started = Date.now();
    status.phase = name;
    status.phases[name] = { startedAt: new Date(started).toISOString(), outcome: 'running' };
    await save();
    try {
      const value = await fn(log);
      const entry = status.phases[name];
      if (entry) {
        entry.durationMs = Date.now() - started;
        if (entry.outcome === 'running') entry.outcome = 'success';
      }
      log.write(`${name} ${entry?.outcome === 'skipped' ? 'skipped' : 'done'} in ${((Date.now() - started) / 1000).toFixed(1)} s`, 'info');
      await save();
      if (!opts.keepOpen) await log.close();
      return { value, log };
    } catch (error) {
      const entry = status.phases[name];
      if (entry) {
        entry.durationMs = Date.now() - started;
        entry.outcome = 'failed';
      }
      const e =
        error instanceof BuilderError
          ? error
          : new BuilderError((error as Error).message ?? String(error), {
              code: signal?.aborted ? 'aborted' : 'devcontainer-up-failed',
              phase: name,
              cause: error,
            });
      if (e.code !== 'aborted') {
        log.write(redactor(e.message), 'error');
        for (const d of e.details) log.write(redactor(d), 'error');
        if (e.stderrTail && e.details.length === 0) for (const l of e.stderrTail.split('\n').slice(-5)) log.write(redactor(l), 'error');
        status.lastError = { code: e.code, phase: name, message: redactor(e.message), at: new Date().toISOString() };
        status.phase = 'failed';
      }
      await save();
      await log.close();
      throw e;
    }
  }

  let config: ConfigStepResult | undefined;
  let up: UpState | undefined;
  let agent: AgentHandle | undefined;
  let agentRestarts = 0;

  async function doUp(log: PhaseLog, cfg: ConfigStepResult): Promise<UpState> {
    const configFile = cfg.file;
    const idLabels = {
      'devcontainer.local_folder': settings.workspaceFolder,
      'devcontainer.config_file': configFile,
      'devcontainer-kit.workspace': settings.workspaceName,
    };
    let previous: { containerId?: string; configHash?: string } = {};
    try {
      previous = JSON.parse(await readFile(statePath, 'utf8'));
    } catch {}
    const existing = await findContainers(ctx, idLabels);
    let removeExisting = false;
    if (existing.length > 0) {
      const id = existing[0] as string;
      if (previous.containerId === id && previous.configHash && previous.configHash !== cfg.configHash) {
        removeExisting = true;
        log.write(
          `devcontainer.json, its Dockerfile or a local feature changed since container ${id.slice(0, 12)} was built: rebuilding`,
          'info',
        );
      } else {
        log.write(`reusing container ${id.slice(0, 12)} (configuration unchanged)`, 'info');
      }
    }
    // Build cache: the prebuilt image (DEVCONTAINER_CACHE_REPO) first, else pulled --cache-from sources.
    let prebuilt: PrebuiltLookup | undefined;
    if (settings.cacheRepo) {
      prebuilt = await lookupPrebuiltImage({
        cacheRepo: settings.cacheRepo,
        workspaceFolder: settings.workspaceFolder,
        configFile,
        config: cfg.config,
        stateDir: settings.stateDir,
        dockerHost: settings.dockerHost,
        log,
      });
      if (prebuilt.image)
        status.prebuilt = {
          image: prebuilt.image,
          status: prebuilt.status,
          ...(prebuilt.status === 'miss' && prebuilt.reason ? { reason: prebuilt.reason } : {}),
        };
    }
    if (prebuilt?.status !== 'hit' && (existing.length === 0 || removeExisting))
      await pullCacheFrom({ images: settings.cacheFrom, dockerHost: settings.dockerHost, log });
    let stepsBuilt = 0;
    let stepsCached = 0;
    const r = await runDevcontainerUp({
      workspaceFolder: settings.workspaceFolder,
      configFile,
      idLabels,
      cacheFrom: settings.cacheFrom,
      cacheTo: settings.cacheTo,
      // The status directory at the same path, so the agent's metadata scripts and the workspace
      // checks read the status file from inside the devcontainer. (The devcontainer CLI's --mount
      // has no read-only option; the file holds no secrets.)
      mounts: [...settings.mounts, `type=bind,source=${dirname(settings.statusFile)},target=${dirname(settings.statusFile)}`],
      remoteEnv: settings.remoteEnv,
      removeExistingContainer: removeExisting,
      overrideConfig: prebuilt?.status === 'hit' ? prebuilt.overrideConfig : undefined,
      log,
      env,
      ...(signal ? { signal } : {}),
      onLine: (l) => {
        if (/^\s*---> Running in /.test(l.text)) stepsBuilt++;
        else if (/^\s*---> Using cache/.test(l.text)) stepsCached++;
      },
    });
    aborted();
    const result = r.result;
    // The CLI's result line, kept as is (containerId, remoteUser, remoteWorkspaceFolder, …).
    if (result) {
      await mkdir(settings.stateDir, { recursive: true });
      await writeFile(join(settings.stateDir, 'up-result.json'), `${redactor(JSON.stringify(result, null, 2))}\n`);
    }
    if (result?.outcome !== 'success') {
      const hook = result ? failedLifecycleHook(result) : undefined;
      const what = redactor(
        `${result?.description ?? ''} ${result?.message ?? ''}`.trim() || r.stderrTail.split('\n').pop() || `exit ${r.exitCode}`,
      );
      if (hook && settings.hookFailure === 'continue' && result?.containerId) {
        log.write(`${hook} failed: ${what}`, 'error');
        log.write(`DEVCONTAINER_HOOK_FAILURE=continue: going on with container ${result.containerId.slice(0, 12)}`, 'warn');
        const entry = status.phases.up;
        if (entry) entry.outcome = 'warning';
        status.lastError = { code: 'lifecycle-hook-failed', phase: 'up', message: `${hook} failed: ${what}`, at: new Date().toISOString() };
      } else if (hook) {
        throw new BuilderError(`${hook} failed: ${what}`, {
          code: 'lifecycle-hook-failed',
          phase: 'up',
          exitCode: r.exitCode,
          stderrTail: r.stderrTail,
          details: [`${hook} failed (DEVCONTAINER_HOOK_FAILURE=fail stops here; set it to continue to go on)`],
        });
      } else {
        throw new BuilderError(`devcontainer up failed: ${what}`, {
          code: 'devcontainer-up-failed',
          phase: 'up',
          exitCode: r.exitCode,
          stderrTail: r.stderrTail,
        });
      }
    }
    const containerId = result?.containerId as string;
    const state = await inspectContainer(ctx, containerId);
    const reused = existing.includes(containerId);
    const cache: CacheState =
      reused || prebuilt?.status === 'hit' ? 'hit' : prebuilt ? 'miss' : stepsBuilt > 0 ? 'built' : stepsCached > 0 ? 'hit' : 'unknown';
    Object.assign(status, {
      containerId,
      image: state?.imageName,
      cache,
      reused,
      remoteUser: result?.remoteUser,
      remoteWorkspaceFolder: result?.remoteWorkspaceFolder,
    });
    await mkdir(settings.stateDir, { recursive: true });
    await writeFile(
      statePath,
      `${JSON.stringify({ containerId, configHash: cfg.configHash, configFile, updatedAt: new Date().toISOString() }, null, 2)}\n`,
    );
    log.write(
      `container ${containerId.slice(0, 12)} ${reused ? 'reused' : 'created'} from ${state?.imageName ?? 'unknown image'} (cache: ${cache}); remote user ${result?.remoteUser}`,
      'info',
    );
    return { containerId, remoteUser: result?.remoteUser ?? 'root', remoteWorkspaceFolder: result?.remoteWorkspaceFolder };
  }

  /** remoteEnv for the agent's sessions (names logged, values not). */
  async function agentEnvFor(u: UpState, log: PhaseLog): Promise<Record<string, string>> {
    const r = await readAgentEnv(
      { ...ctx, containerId: u.containerId },
      {
        workspaceFolder: settings.workspaceFolder,
        extra: [...settings.remoteEnv, `DEVCONTAINER_STATUS_FILE=${settings.statusFile}`],
        localEnv: env,
      },
    );
    if (r.problem) log.write(`remoteEnv not applied to the agent: ${r.problem}`, 'warn');
    if (r.reserved.length) log.write(`remoteEnv cannot set ${r.reserved.join(', ')} for the agent (the builder sets them)`, 'warn');
    const names = Object.keys(r.env);
    if (names.length) log.write(`the agent starts with remoteEnv ${names.join(', ')}`, 'info');
    return r.env;
  }

  async function doAgent(log: PhaseLog, u: UpState): Promise<AgentHandle | undefined> {
    if (!settings.coder) {
      log.write('no CODER_AGENT_URL: no agent started (local mode)', 'info');
      const entry = status.phases.agent;
      if (entry) entry.outcome = 'skipped';
      return undefined;
    }
    const handle = await startAgent({
      env,
      containerId: u.containerId,
      remoteUser: u.remoteUser,
      workdir: u.remoteWorkspaceFolder,
      coder: settings.coder,
      mode: settings.agentMode,
      cacheDir,
      log,
      redactor,
      detach: !settings.supervise,
      agentEnv: await agentEnvFor(u, log),
    });
    status.agent = { mode: handle.mode, pid: handle.pid, uid: handle.uid, restarts: agentRestarts };
    return handle;
  }

  try {
    await save();
    await phase('preflight', async (log) => {
      const version = await waitForDocker({ ...ctx, timeoutSeconds: settings.dockerWaitSeconds, log, ...(signal ? { signal } : {}) }).catch(
        (error: Error & { target?: string }) => {
          aborted();
          throw new BuilderError(
            `the Docker daemon at ${error.target ?? 'the default socket'} did not answer within ${settings.dockerWaitSeconds} s: ${error.message}`,
            { code: 'docker-unavailable', phase: 'preflight', cause: error },
          );
        },
      );
      log.write(`Docker ${version} answers${settings.dockerHost ? ` at ${settings.dockerHost}` : ''}`, 'info');
      if (settings.coder) {
        const url = new URL('api/v2/buildinfo', settings.coder.agentUrl);
        let lastError = '';
        for (let attempt = 1; attempt <= 5; attempt++) {
          try {
            const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
            if (r.ok) {
              const v = ((await r.json()) as { version?: string }).version;
              log.write(`Coder ${v ?? ''} answers at ${settings.coder.agentUrl}`, 'info');
              return;
            }
            lastError = `HTTP ${r.status}`;
          } catch (error) {
            lastError = (error as Error).message;
          }
          aborted();
          await sleep(1000 * attempt, signal);
        }
        throw new BuilderError(`Coder at ${settings.coder.agentUrl} does not answer: ${lastError}`, {
          code: 'coder-unreachable',
          phase: 'preflight',
        });
      }
    });
    // checkout → config → up; with DEVCONTAINER_FALLBACK_IMAGE a failure there starts the fallback instead.
    let cfg: ConfigStepResult | undefined;
    let fallback: FallbackUp | undefined;
    let restartFallback: ((log: PhaseLog) => Promise<FallbackUp>) | undefined;
    try {
      const checkout = await phase('checkout', (log) =>
        checkoutRepository({
          ...checkoutSettings(settings),
          log,
          redactor,
          env,
        }),
      );
      if (checkout.value.commit) status.commit = checkout.value.commit;
      if (checkout.value.action === 'kept-dirty' || checkout.value.action === 'kept-diverged') {
        const entry = status.phases.checkout;
        if (entry) entry.outcome = 'warning';
        await save();
      }
      config = (
        await phase('config', (log) => runConfigStep({ workspaceFolder: settings.workspaceFolder, configPath: settings.configPath, log }))
      ).value;
      cfg = config;
      const c = config;
      up = (await phase('up', (log) => doUp(log, c))).value;
      await clearFallbackExplanation(settings.workspaceFolder).catch(() => {});
    } catch (error) {
      const failedPhase = status.lastError?.phase;
      if (
        !settings.fallbackImage ||
        !(error instanceof BuilderError) ||
        error.code === 'aborted' ||
        !failedPhase ||
        !['checkout', 'config', 'up'].includes(failedPhase)
      )
        throw error;
      const image = settings.fallbackImage;
      const start = (log: PhaseLog) =>
        runFallbackPhase({
          image,
          workspaceFolder: settings.workspaceFolder,
          workspaceName: settings.workspaceName,
          failedPhase,
          error,
          secrets: [settings.gitToken, settings.coder?.agentToken],
          dockerHost: settings.dockerHost,
          redactor,
          log,
        });
      restartFallback = start;
      fallback = (await phase('fallback', start)).value;
      status.fallback = { phase: failedPhase, message: redactor(error.message), image, explanationFile: fallback.explanationFile };
      Object.assign(status, {
        containerId: fallback.containerId,
        image,
        reused: fallback.reused,
        remoteUser: fallback.remoteUser,
        remoteWorkspaceFolder: fallback.remoteWorkspaceFolder,
      });
      up = { containerId: fallback.containerId, remoteUser: fallback.remoteUser, remoteWorkspaceFolder: fallback.remoteWorkspaceFolder };
      await save();
    }

    // Extensions: never fails the workspace; no log source when nothing is asked for.
    const target = up;
    const plan = await planExtensions({ ...ctx, containerId: target.containerId, extra: settings.extensions }).catch(() => undefined);
    if (plan && (plan.extensions.length > 0 || plan.ignored.length > 0 || plan.labelProblem)) {
      status.extensions = (
        await phase('extensions', (log) =>
          runExtensionsPhase({
            ...ctx,
            containerId: target.containerId,
            remoteUser: target.remoteUser,
            plan,
            offlineDir: settings.extensionsDir,
            log,
          }).catch((e: Error) => ({
            servers: [],
            summary: `extensions: not run (${e.message})`,
            results: [],
            ignored: [],
            error: e.message,
          })),
        )
      ).value;
      const entry = status.phases.extensions;
      if (entry && status.extensions.results.some((r) => r.outcome !== 'installed' && r.outcome !== 'already-present'))
        entry.outcome = 'warning';
      await save();
    } else {
      status.phases.extensions = { startedAt: new Date().toISOString(), durationMs: 0, outcome: 'skipped' };
    }
    const agentPhase = await phase('agent', (log) => doAgent(log, up as UpState), { keepOpen: true });
    agent = agentPhase.value;
    const agentLog = agentPhase.log;

    if (!settings.supervise) {
      status.phase = 'done';
      await save();
      await logs.close();
      return { status, reason: 'completed' };
    }

    // Supervise: the builder is the pod's main process from here on.
    const sup = await logs.open('supervise');
    status.phase = 'supervise';
    status.phases.supervise = { startedAt: new Date().toISOString(), outcome: 'running' };
    await save();
    sup.write(
      `supervising ${agent ? `the agent (pid ${agent.pid}) and ` : ''}container ${up.containerId.slice(0, 12)}; SIGTERM stops both`,
      'info',
    );
    const initialMs = options.backoff?.initialMs ?? 1000;
    const maxMs = options.backoff?.maxMs ?? 30_000;
    let delay = initialMs;
    const stopWaiter = new Promise<'stop'>((resolve) => {
      if (signal?.aborted) resolve('stop');
      signal?.addEventListener('abort', () => resolve('stop'), { once: true });
    });
    while (!signal?.aborted) {
      const agentStartedAt = Date.now();
      const event = await Promise.race([
        stopWaiter,
        agent
          ? agent.exited.then(() => 'agent-exit' as const)
          : waitForContainerStop(ctx, up.containerId, signal).then(() => 'container-stop' as const),
      ]);
      if (event === 'stop') break;
      if (Date.now() - agentStartedAt > 60_000) delay = initialMs;
      if (event === 'agent-exit' && agent) {
        const code = (await agent.exited).exitCode;
        sup.write(`the agent exited (code ${code}); restarting in ${(delay / 1000).toFixed(1)} s`, 'warn');
        // Backoff first: when the devcontainer is being stopped, its state has settled by then.
        await sleep(delay, signal);
        delay = Math.min(delay * 2, maxMs);
        if (signal?.aborted) break;
      }
      const state = await inspectContainer(ctx, up.containerId);
      if (!state?.running) {
        sup.write(
          `the devcontainer ${up.containerId.slice(0, 12)} stopped: ${restartFallback ? 'starting the fallback workspace again' : 'running devcontainer up again'}`,
          'warn',
        );
        try {
          if (restartFallback) {
            const fb = await restartFallback(sup);
            up = { containerId: fb.containerId, remoteUser: fb.remoteUser, remoteWorkspaceFolder: fb.remoteWorkspaceFolder };
            status.containerId = fb.containerId;
          } else up = await doUp(sup, cfg as ConfigStepResult);
          status.phase = 'supervise';
          await save();
        } catch (error) {
          sup.write(`devcontainer up failed: ${redactor((error as Error).message)}; retrying in ${delay / 1000} s`, 'error');
          status.lastError = {
            code: (error as BuilderError).code ?? 'devcontainer-up-failed',
            phase: 'supervise',
            message: redactor((error as Error).message),
            at: new Date().toISOString(),
          };
          await save();
          await sleep(delay, signal);
          delay = Math.min(delay * 2, maxMs);
          continue;
        }
      }
      if (signal?.aborted) break;
      if (settings.coder) {
        try {
          agent = await startAgent({
            env,
            containerId: up.containerId,
            remoteUser: up.remoteUser,
            workdir: up.remoteWorkspaceFolder,
            coder: settings.coder,
            mode: settings.agentMode,
            cacheDir,
            log: agentLog,
            redactor,
            agentEnv: await agentEnvFor(up, agentLog),
          });
          agentRestarts++;
          status.agent = { mode: agent.mode, pid: agent.pid, uid: agent.uid, restarts: agentRestarts };
          sup.write(`agent running again (pid ${agent.pid})`, 'info');
          await save();
        } catch (error) {
          sup.write(`agent restart failed: ${redactor((error as Error).message)}`, 'error');
          status.lastError = {
            code: 'agent-failed',
            phase: 'supervise',
            message: redactor((error as Error).message),
            at: new Date().toISOString(),
          };
          agent = { ...(agent as AgentHandle), exited: Promise.resolve({ exitCode: undefined }) };
          await save();
        }
      }
    }

    // SIGTERM: agent, then the container (per shutdownAction), then the logs.
    sup.write('stopping: SIGTERM received', 'info');
    if (agent) await agent.stop(5000).catch(() => {});
    const shutdownAction =
      (cfg?.config.shutdownAction as string | undefined) ?? (cfg?.config.dockerComposeFile ? 'stopCompose' : 'stopContainer');
    if (shutdownAction === 'none') sup.write('shutdownAction is none: leaving the devcontainer running', 'info');
    else {
      const r = await docker(ctx, ['stop', '--time', '8', up.containerId]);
      sup.write(
        r.exitCode === 0 ? `stopped the devcontainer ${up.containerId.slice(0, 12)}` : `docker stop failed: ${r.stderr}`,
        r.exitCode === 0 ? 'info' : 'warn',
      );
    }
    const entry = status.phases.supervise;
    if (entry) {
      entry.outcome = 'success';
      entry.durationMs = Date.now() - Date.parse(entry.startedAt);
    }
    status.phase = 'stopped';
    await save();
    await logs.close();
    return { status, reason: 'stopped' };
  } catch (error) {
    if (agent) await agent.stop(3000).catch(() => {});
    if (error instanceof BuilderError && error.code === 'aborted') {
      status.phase = 'stopped';
      await save();
      await logs.close().catch(() => {});
      return { status, reason: 'stopped' };
    }
    await logs.close().catch(() => {});
    throw error;
  }
}

async function waitForContainerStop(ctx: DockerContext, id: string, signal?: AbortSignal): Promise<void> {
  while (!signal?.aborted) {
    const s = await inspectContainer(ctx, id);
    if (!s?.running) return;
    await sleep(2000, signal);
  }
}
