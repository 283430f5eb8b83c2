// up: `devcontainer up` with the pinned CLI. Reuses the workspace's container unless the config
// changed; starts a prebuilt image (DEVCONTAINER_CACHE_REPO) without a build on a cache hit, else
// pulls DEVCONTAINER_CACHE_FROM first. Also what supervision runs when the devcontainer stopped.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runDevcontainerCli, runDocker } from '@devcontainer-kit/docker-context';
import { computeImageCacheKey, createPrebuiltOverrideConfig, findPrebuiltImage, pullCacheSources } from '@devcontainer-kit/prebuild-cache';
import { startBuildCache } from '../buildkit.js';
import { composeBuildContext, isComposeConfig } from '../compose.js';
import { type ContainerState, findContainers, inspectContainer, parseMetadataLabel } from '../container.js';
import {
  backgroundHooks,
  blockingHooks,
  buildRunUserCommandsArgs,
  buildUpArgs,
  effectiveWaitFor,
  failedLifecycleHook,
  parseHookProgress,
  sessionDataFolder,
  type UpResult,
} from '../devcontainer-up.js';
import { BuilderError } from '../errors.js';
import { chownTree } from '../git-checkout.js';
import { hasInitializeCommand, runInitializeCommand, withoutInitializeCommand } from '../initialize-command.js';
import type { CacheState, HooksStatus, PhaseOutcome } from '../status.js';
import { type ConfigResult, type ContainerRef, type PhaseContext, throwIfAborted } from './context.js';
import { moveHook } from './hooks.js';
import { findWarmStart, warmStart } from './warm-start.js';

type Prebuilt =
  | { status: 'hit'; image: string; overrideConfig: string; durationMs: number }
  | { status: 'miss'; image?: string; reason?: string };

/** Key → registry lookup (pull on a hit) → override config on a hit. Never throws. */
async function lookupPrebuilt(
  ctx: PhaseContext,
  cfg: ConfigResult,
  cacheRepo: { registry: string; repository: string },
  config: Record<string, unknown>,
): Promise<Prebuilt> {
  const { log, settings } = ctx;
  let key: string;
  try {
    const k = await computeImageCacheKey({ workspaceFolder: settings.workspaceFolder, configPath: cfg.file });
    key = k.key;
    for (const n of k.notes) log.write(`cache key: ${n}`, 'debug');
  } catch (error) {
    const reason = `cannot compute the cache key: ${(error as Error).message}`;
    log.write(`image cache miss: ${reason}`, 'warn');
    return { status: 'miss', reason };
  }
  const found = await findPrebuiltImage(ctx.docker, { ...cacheRepo, key, onLog: (line, level) => log.write(line, level) });
  if (found.status !== 'hit') return { status: 'miss', image: found.image, ...(found.reason ? { reason: found.reason } : {}) };
  log.write(
    `prebuilt image ${found.image} ${found.pulled ? `pulled in ${(found.durationMs / 1000).toFixed(1)} s` : 'already present'}: starting it without a build`,
    'info',
  );
  const overrideConfig = join(settings.stateDir, 'prebuilt-override.json');
  await mkdir(settings.stateDir, { recursive: true });
  await writeFile(
    overrideConfig,
    `${JSON.stringify(createPrebuiltOverrideConfig(config, found.image, { updateRemoteUserUID: false }), null, 2)}\n`,
  );
  return { status: 'hit', image: found.image, overrideConfig, durationMs: found.durationMs };
}

/** The config `devcontainer up` gets when the builder ran initializeCommand itself (paths still resolve from devcontainer.json's folder). */
async function writeUpOverride(ctx: PhaseContext, config: Record<string, unknown>): Promise<string> {
  const file = join(ctx.settings.stateDir, 'up-override.json');
  await mkdir(ctx.settings.stateDir, { recursive: true });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** The workspace's container, and whether the config changed since it was built. */
async function existingContainer(ctx: PhaseContext, cfg: ConfigResult, idLabels: Record<string, string>) {
  const statePath = join(ctx.settings.stateDir, 'state.json');
  let previous: { containerId?: string; configHash?: string } = {};
  try {
    previous = JSON.parse(await readFile(statePath, 'utf8'));
  } catch {}
  const ids = await findContainers(ctx.docker, idLabels);
  const id = ids[0];
  if (!id) return { ids, removeExisting: false };
  const removeExisting = previous.containerId === id && Boolean(previous.configHash) && previous.configHash !== cfg.configHash;
  ctx.log.write(
    removeExisting
      ? `devcontainer.json, its Dockerfile or a local feature changed since container ${id.slice(0, 12)} was built: rebuilding`
      : `reusing container ${id.slice(0, 12)} (configuration unchanged)`,
    'info',
  );
  return { ids, removeExisting };
}

/** A failed result: a hook failure may go on (DEVCONTAINER_HOOK_FAILURE=continue), anything else throws. */
function checkResult(
  ctx: PhaseContext,
  result: UpResult | undefined,
  r: { exitCode: number; outputTail: string },
): PhaseOutcome | undefined {
  if (result?.outcome === 'success') return undefined;
  const hook = result ? failedLifecycleHook(result) : undefined;
  const what = ctx.redactor(
    `${result?.description ?? ''} ${result?.message ?? ''}`.trim() || r.outputTail.split('\n').pop() || `exit ${r.exitCode}`,
  );
  const context = { phase: 'up' as const, command: 'devcontainer up', exitCode: r.exitCode, outputTail: r.outputTail };
  if (hook && ctx.settings.hookFailure === 'continue' && result?.containerId) {
    ctx.log.write(`${hook} failed: ${what}`, 'error');
    ctx.log.write(`DEVCONTAINER_HOOK_FAILURE=continue: going on with container ${result.containerId.slice(0, 12)}`, 'warn');
    ctx.status.lastError = { code: 'lifecycle-hook-failed', phase: 'up', message: `${hook} failed: ${what}`, at: new Date().toISOString() };
    return 'warning';
  }
  if (hook)
    throw new BuilderError(`${hook} failed: ${what}`, {
      ...context,
      code: 'lifecycle-hook-failed',
      details: [`${hook} failed (DEVCONTAINER_HOOK_FAILURE=fail stops here; set it to continue to go on)`],
    });
  throw new BuilderError(`devcontainer up failed: ${what}`, { ...context, code: 'devcontainer-up-failed' });
}

/** The CLI's lines to the up log; hook progress to the status (the hooks up to `waitFor`). */
function upLineHandler(ctx: PhaseContext, hooks: HooksStatus, steps: { built: number; cached: number }) {
  return (l: { text: string; level: 'trace' | 'debug' | 'info' | 'warn' | 'error' }) => {
    const p = parseHookProgress(l.text);
    if (p) moveHook(hooks, p.hook, p.state === 'running' ? 'running' : p.state === 'succeeded' ? 'done' : 'failed');
    ctx.log.write(l.text, l.level);
    if (/^\s*---> Running in /.test(l.text)) steps.built++;
    else if (/^\s*---> Using cache/.test(l.text)) steps.cached++;
  };
}

/**
 * Root on the host, a non-root remote user, a fresh checkout: the CLI skips UID matching when run as
 * root, so the user could not write the root-owned checkout. Reads the user's UID/GID from the
 * built container and chowns the checkout to it (DEVCONTAINER_WORKSPACE_OWNER overrides).
 */
async function ownWorkspaceForRemoteUser(ctx: PhaseContext, containerId: string, remoteUser: string): Promise<void> {
  const { log, settings } = ctx;
  const r = await runDocker(ctx.docker, ['exec', '-u', remoteUser, containerId, 'sh', '-c', 'id -u; id -g']);
  const [uid, gid] = r.stdout.split('\n').map((x) => Number.parseInt(x, 10));
  if (r.exitCode !== 0 || uid === undefined || gid === undefined || Number.isNaN(uid) || Number.isNaN(gid)) {
    log.write(
      `cannot read the remote user ${remoteUser}'s UID/GID in the container (${r.stderr.trim() || `exit ${r.exitCode}`}): the checkout stays root-owned; set DEVCONTAINER_WORKSPACE_OWNER=UID:GID`,
      'warn',
    );
    return;
  }
  if (uid === 0) return;
  try {
    await chownTree(settings.workspaceFolder, uid, gid);
  } catch (error) {
    // e.g. a volume that refuses chown (NFS root_squash): the hooks may still manage; say why if not.
    log.write(
      `cannot make the checkout ${settings.workspaceFolder} ${remoteUser}'s (chown ${uid}:${gid}: ${(error as Error).message}); hooks that write into it may fail`,
      'warn',
    );
    return;
  }
  log.write(
    `the builder runs as root and the remote user ${remoteUser} is not: made the fresh checkout ${settings.workspaceFolder} writable for it (chown ${uid}:${gid}; DEVCONTAINER_WORKSPACE_OWNER overrides)`,
    'info',
  );
}

/** The labels `devcontainer up` finds this workspace's container by. Pure. */
export function workspaceIdLabels(settings: PhaseContext['settings'], cfg: Pick<ConfigResult, 'file'>): Record<string, string> {
  return {
    'devcontainer.local_folder': settings.workspaceFolder,
    'devcontainer.config_file': cfg.file,
    'devcontainer-kit.workspace': settings.workspaceName,
  };
}

export async function runUpPhase(ctx: PhaseContext): Promise<PhaseOutcome | undefined> {
  const { settings, log, status } = ctx;
  const cfg = ctx.state.config as ConfigResult;
  const idLabels = workspaceIdLabels(settings, cfg);
  // initializeCommand runs on the host before every start. The builder runs it itself when it must
  // see its effect first — before the prebuilt image's cache key (its files may be in the build
  // context) and on a warm start (no `devcontainer up`) — and `up` then gets the config without it.
  const initialize = hasInitializeCommand(cfg.config);
  let initializeRan = false;
  const runInitialize = async () => {
    if (!initialize || initializeRan) return;
    await runInitializeCommand({ config: cfg.config, workspaceFolder: settings.workspaceFolder, idLabels, docker: ctx.docker, log });
    initializeRan = true;
    throwIfAborted(ctx);
  };
  // Warm restart (container unchanged since its last successful up): docker start, hooks in the background.
  // A candidate the pipeline found before `up` (for a deferred checkout) is used once, never by a later up.
  const found = ctx.state.warmStart;
  ctx.state.warmStart = undefined;
  const warm = found ?? (await findWarmStart(ctx, cfg, idLabels));
  if (warm) await runInitialize();
  if (warm && (await warmStart(ctx, warm))) {
    const configs = parseMetadataLabel(warm.labels['devcontainer.metadata']).configs;
    const waitFor = effectiveWaitFor(configs.length ? configs : [cfg.config]);
    const background = backgroundHooks(waitFor, configs.length ? configs : [cfg.config]);
    status.hooks = { waitFor, pending: [...background], running: [], done: [], failed: [], skipped: [] };
    ctx.state.hooksPlan = {
      waitFor,
      background,
      args: buildRunUserCommandsArgs({
        workspaceFolder: settings.workspaceFolder,
        configFile: cfg.file,
        idLabels,
        remoteEnv: settings.remoteEnv,
        dotfiles: settings.dotfiles,
        // A container started from a prebuilt image: its hooks come from the image's metadata.
        overrideConfig: warm.overrideConfig,
      }),
    };
    ctx.state.inspected = warm.inspected;
    await recordContainer(
      ctx,
      {
        containerId: warm.containerId,
        remoteUser: warm.result.remoteUser ?? 'root',
        remoteWorkspaceFolder: warm.result.remoteWorkspaceFolder,
      },
      { cache: 'hit', reused: true, inspected: warm.inspected, overrideConfig: warm.overrideConfig },
    );
    return undefined;
  }
  if (settings.cacheRepo) await runInitialize();
  const existing = await existingContainer(ctx, cfg, idLabels);
  const config = initializeRan ? withoutInitializeCommand(cfg.config) : cfg.config;
  const prebuilt = settings.cacheRepo ? await lookupPrebuilt(ctx, cfg, settings.cacheRepo, config) : undefined;
  if (prebuilt?.image)
    status.prebuilt = {
      image: prebuilt.image,
      status: prebuilt.status,
      ...(prebuilt.status === 'miss' && prebuilt.reason ? { reason: prebuilt.reason } : {}),
      ...(prebuilt.status === 'hit' ? { durationMs: prebuilt.durationMs } : {}),
    };
  if (prebuilt?.status !== 'hit' && (existing.ids.length === 0 || existing.removeExisting) && settings.cacheFrom.length > 0)
    await pullCacheSources(ctx.docker, { images: settings.cacheFrom, onLog: (line, level) => log.write(line, level) });
  const steps = { built: 0, cached: 0 };
  const buildCache = await startBuildCache({
    docker: ctx.docker,
    cacheTo: settings.cacheTo,
    compose: isComposeConfig(cfg.config),
    config: cfg,
    log,
  });
  const statusDir = dirname(settings.statusFile);
  // The prebuilt image's config on a hit (also for later run-user-commands); else, when the builder
  // ran initializeCommand already, the config without it, for this `up` only.
  const overrideConfig = prebuilt?.status === 'hit' ? prebuilt.overrideConfig : undefined;
  const upOverrideConfig = overrideConfig ?? (initializeRan ? await writeUpOverride(ctx, config) : undefined);
  // A fresh checkout as root: create the container without hooks, own the checkout, then the hooks.
  const ownFirst = settings.workspaceOwner === undefined && process.getuid?.() === 0 && ctx.state.checkoutAction === 'cloned';
  const hooks: HooksStatus = {
    waitFor: effectiveWaitFor([cfg.config]),
    pending: [],
    running: [],
    done: [],
    failed: [],
    skipped: [],
  };
  status.hooks = hooks;
  const onLine = upLineHandler(ctx, hooks, steps);
  // This start's CLI runs share one userEnvProbe (the first probes, the others read its result).
  const session = sessionDataFolder(randomBytes(6).toString('hex'));
  const r = await runDevcontainerCli(
    composeBuildContext(buildCache.docker, cfg.config),
    buildUpArgs({
      workspaceFolder: settings.workspaceFolder,
      configFile: cfg.file,
      idLabels,
      cacheFrom: settings.cacheFrom,
      cacheTo: buildCache.cliCacheTo,
      // The status directory at the same path, so the agent's metadata scripts and the workspace
      // checks read the status file from inside the devcontainer (it holds no secrets).
      mounts: [...settings.mounts, `type=bind,source=${statusDir},target=${statusDir}`],
      remoteEnv: settings.remoteEnv,
      dotfiles: settings.dotfiles,
      removeExistingContainer: existing.removeExisting,
      overrideConfig: upOverrideConfig,
      // The hooks after waitFor run in the background (phases/hooks.ts) while the agent starts.
      skipNonBlocking: true,
      skipPostCreate: ownFirst,
      sessionDataFolder: session,
    }).concat(buildCache.cliArgs),
    {
      onLine: (l) => {
        buildCache.progress.push(l.text);
        onLine(l);
      },
    },
  );
  throwIfAborted(ctx);
  let result = r.result as UpResult | undefined;
  let outcome: PhaseOutcome | undefined;
  await mkdir(settings.stateDir, { recursive: true });
  const runArgs = buildRunUserCommandsArgs({
    workspaceFolder: settings.workspaceFolder,
    configFile: cfg.file,
    idLabels,
    remoteEnv: settings.remoteEnv,
    dotfiles: settings.dotfiles,
    overrideConfig,
    sessionDataFolder: session,
  });
  let created: ContainerState | undefined;
  if (ownFirst && result?.outcome === 'success' && result.containerId) {
    if (result.remoteUser && result.remoteUser !== 'root') await ownWorkspaceForRemoteUser(ctx, result.containerId, result.remoteUser);
    // The hooks up to waitFor now (the merged metadata: features included); none defined and no
    // dotfiles: no second CLI run on the agent's path (the background run does the rest).
    created = await inspectContainer(ctx.docker, result.containerId);
    const meta = parseMetadataLabel(created?.labels['devcontainer.metadata']).configs;
    const configs = meta.length ? meta : [cfg.config];
    if (!created || settings.dotfiles || blockingHooks(effectiveWaitFor(configs), configs).length > 0) {
      const h = await runDevcontainerCli(ctx.docker, [...runArgs, '--skip-non-blocking-commands'], { onLine });
      throwIfAborted(ctx);
      const hr = h.result as UpResult | undefined;
      if (hr?.outcome !== 'success') {
        // The hook failure, reported like one of `up` (same container).
        result = { ...result, ...(hr ?? { outcome: 'error' }), containerId: result.containerId };
        outcome = checkResult(ctx, result, h);
      }
    } else log.write(`no hook up to waitFor (${effectiveWaitFor(configs)}) is defined: nothing to run before the agent`, 'debug');
  }
  // The CLI's result line, kept as is (containerId, remoteUser, remoteWorkspaceFolder, …).
  if (result) await writeFile(join(settings.stateDir, 'up-result.json'), `${ctx.redactor(JSON.stringify(result, null, 2))}\n`);
  outcome ??= checkResult(ctx, result, r);
  const containerId = result?.containerId as string;
  const reused = existing.ids.includes(containerId);
  // BuildKit's steps (the legacy builder's are counted by the line handler).
  steps.built += buildCache.progress.built;
  steps.cached += buildCache.progress.cached;
  if (!reused) await buildCache.finish();
  const cache: CacheState =
    reused || prebuilt?.status === 'hit' ? 'hit' : prebuilt ? 'miss' : steps.built > 0 ? 'built' : steps.cached > 0 ? 'hit' : 'unknown';
  const labels = await recordContainer(
    ctx,
    { containerId, remoteUser: result?.remoteUser ?? 'root', remoteWorkspaceFolder: result?.remoteWorkspaceFolder },
    { cache, reused, ...(created ? { inspected: created } : {}), ...(overrideConfig ? { overrideConfig } : {}) },
  );
  // What is left for the background: the hooks after waitFor (from the merged metadata, features included).
  const meta = parseMetadataLabel(labels?.['devcontainer.metadata']).configs;
  const configs = meta.length ? meta : [cfg.config];
  hooks.waitFor = effectiveWaitFor(configs);
  const background = outcome === 'warning' ? [] : backgroundHooks(hooks.waitFor, configs);
  for (const h of background) if (!hooks.done.includes(h) && !hooks.failed.includes(h)) moveHook(hooks, h, 'pending');
  ctx.state.hooksPlan = { waitFor: hooks.waitFor, background, args: runArgs };
  return outcome;
}

/** Status, state.json and the log line for the container `up` produced. */
async function recordContainer(
  ctx: PhaseContext,
  c: ContainerRef,
  o: { cache: CacheState; reused: boolean; inspected?: ContainerState; overrideConfig?: string | undefined },
): Promise<Record<string, string> | undefined> {
  const { settings, status } = ctx;
  const cfg = ctx.state.config as ConfigResult;
  const state = o.inspected ?? (await inspectContainer(ctx.docker, c.containerId));
  // Later phases (extensions, the agent's remoteEnv) read labels and env from this answer.
  ctx.state.inspected = state;
  Object.assign(status, {
    containerId: c.containerId,
    image: state?.imageName,
    cache: o.cache,
    reused: o.reused,
    remoteUser: c.remoteUser,
    remoteWorkspaceFolder: c.remoteWorkspaceFolder,
  });
  await writeFile(
    join(settings.stateDir, 'state.json'),
    `${JSON.stringify(
      {
        containerId: c.containerId,
        configHash: cfg.configHash,
        configFile: cfg.file,
        // The prebuilt image's config the container was created with (its hooks' run-user-commands need it).
        ...(o.overrideConfig ? { overrideConfig: o.overrideConfig } : {}),
        updatedAt: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
  ctx.log.write(
    `container ${c.containerId.slice(0, 12)} ${o.reused ? 'reused' : 'created'} from ${state?.imageName ?? 'unknown image'} (cache: ${o.cache}); remote user ${c.remoteUser}`,
    'info',
  );
  ctx.state.container = c;
  return state?.labels;
}
