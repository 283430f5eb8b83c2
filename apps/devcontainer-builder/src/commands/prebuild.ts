import {
  BuilderError,
  checkoutRepository,
  checkoutSettings,
  createRedactor,
  createTerminalStreamPhaseLogs,
  describeLocalEnv,
  localEnvFor,
  type PreparedDockerConfig,
  type PreparedGitSsh,
  parseSettings,
  prepareDockerConfig,
  prepareGitSsh,
  runInitializeCommand,
  withDockerConfig,
  withGitSsh,
  withLocalEnv,
  workspaceIdLabels,
} from '@devcontainer-kit/builder-runner';
import { readDevcontainer } from '@devcontainer-kit/devcontainer-config';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { PrebuildCacheError, prebuild, pullCacheSources } from '@devcontainer-kit/prebuild-cache';
import { defineCommand } from 'citty';
import { applyCaCert, describeRegistryConfig, pickFlags, upArgs } from './up.js';

/**
 * `prebuild`: checkout (same settings as `up`), then build the devcontainer image and push it as
 * `DEVCONTAINER_CACHE_REPO:<cache key>` (nothing is built when the tag exists). stdout: the image
 * reference (or one JSON line with --json); logs on stderr. Returns the exit code.
 */
export async function runPrebuild(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { settings, problems } = parseSettings({ env, flags: pickFlags(flags) });
  if (settings && !settings.cacheRepo)
    problems.push('DEVCONTAINER_CACHE_REPO (--cache-repo): required for prebuild (registry/repository to push to)');
  if (!settings || problems.length > 0) {
    for (const p of problems) process.stderr.write(`devcontainer-builder: ${p}\n`);
    return 2;
  }
  const cacheRepo = settings.cacheRepo as { registry: string; repository: string };
  const redactor = createRedactor([settings.gitToken, settings.coder?.agentToken]);
  // The one Docker context: no token reaches git's environment, docker or `devcontainer build`.
  let docker = createDockerContext({ env, dockerHost: settings.dockerHost });
  const logs = createTerminalStreamPhaseLogs();
  const log = await logs.open('checkout');
  let registryConfig: PreparedDockerConfig | undefined;
  let gitSsh: PreparedGitSsh | undefined;
  try {
    // Registry credentials (pushes, the tag lookup): a private DOCKER_CONFIG directory, never values.
    if (settings.dockerConfigFile) {
      registryConfig = await prepareDockerConfig({ file: settings.dockerConfigFile });
      docker = withDockerConfig(docker, registryConfig.dir);
      log.write(describeRegistryConfig(settings.dockerConfigFile, registryConfig), 'info');
    }
    if (settings.gitSsh) {
      gitSsh = await prepareGitSsh(settings.gitSsh);
      docker = withGitSsh(docker, gitSsh);
    }
    const trusted = await applyCaCert(settings, docker, env);
    docker = trusted.docker;
    for (const line of trusted.lines) log.write(line, line.startsWith('warning:') ? 'warn' : 'info');
    await checkoutRepository({
      ...checkoutSettings(settings),
      log: { write: (l, level) => log.write(redactor(l), level), close: () => log.close() },
      redactor,
      env: docker.env,
    });
    await log.close();
    const up = await logs.open('up');
    const write = (line: string, level: 'trace' | 'debug' | 'info' | 'warn' | 'error') => up.write(redactor(line), level);
    // `devcontainer build` sees what the config's ${localEnv:…} asks for, as `up` does (never a token).
    const read = await readDevcontainer({
      workspaceFolder: settings.workspaceFolder,
      ...(settings.configPath ? { configPath: settings.configPath } : {}),
    }).catch(() => undefined);
    if (read?.config) {
      const localEnv = localEnvFor({ config: read.config, env });
      for (const { text, level } of describeLocalEnv(localEnv)) write(text, level);
      docker = withLocalEnv(docker, localEnv.vars);
      // `devcontainer build` never runs initializeCommand, but `up` runs it before building (and the
      // builder before the cache key): what it writes (files the Dockerfile COPYs) belongs in the image.
      await runInitializeCommand({
        config: read.config as Record<string, unknown>,
        workspaceFolder: settings.workspaceFolder,
        idLabels: workspaceIdLabels(settings, read),
        docker,
        log: { write },
      });
    }
    if (settings.cacheFrom.length > 0) await pullCacheSources(docker, { images: settings.cacheFrom, onLog: write });
    const r = await prebuild(docker, {
      workspaceFolder: settings.workspaceFolder,
      configPath: settings.configPath,
      registry: cacheRepo.registry,
      repository: cacheRepo.repository,
      force: flags.force === true,
      cacheFrom: settings.cacheFrom,
      onLog: write,
    });
    write(
      r.status === 'hit'
        ? `${r.image} exists already: nothing built (--force builds anyway)`
        : `built and pushed ${r.image} in ${(r.durationMs / 1000).toFixed(1)} s${r.alsoPushed.length ? ` (also ${r.alsoPushed.join(', ')})` : ''}`,
      'info',
    );
    await up.close();
    process.stdout.write(flags.json === true ? `${JSON.stringify({ outcome: 'success', ...r })}\n` : `${r.image}\n`);
    return 0;
  } catch (error) {
    if (error instanceof BuilderError || error instanceof PrebuildCacheError) {
      process.stderr.write(`devcontainer-builder: prebuild: ${redactor(error.message)}\n`);
      if (error.outputTail) for (const l of error.outputTail.split('\n').slice(-10)) process.stderr.write(`  ${redactor(l)}\n`);
      if (flags.json === true) process.stdout.write(`${JSON.stringify({ outcome: 'error', code: error.code })}\n`);
      return 1;
    }
    throw error;
  } finally {
    await registryConfig?.remove();
    await gitSsh?.remove();
  }
}

/**
 * `up` flags that prebuild does not read: it starts no container, agent or supervision, writes no status
 * file and pushes the image itself. Left out of its flags (and help); their variables are ignored too.
 */
const UP_ONLY_FLAGS = new Set([
  'agent-url',
  'agent-token-file',
  'init-script',
  'devcontainer-agent-url',
  'agent-mode',
  'hook-failure',
  'status-file',
  'mount',
  'remote-env',
  'extensions',
  'extensions-dir',
  'fallback-image',
  'supervise',
  'docker-wait',
  'cache-to',
  'workspace-name',
]);

export const prebuildCommand = defineCommand({
  meta: {
    name: 'prebuild',
    description:
      'Checkout, build the devcontainer image and push it to DEVCONTAINER_CACHE_REPO tagged by its cache key (stdout: the image reference).',
  },
  args: {
    ...Object.fromEntries(Object.entries(upArgs).filter(([name]) => !UP_ONLY_FLAGS.has(name))),
    force: { type: 'boolean', description: 'Build and push even when the registry has the tag already.' },
    json: {
      type: 'boolean',
      description: 'One JSON line on stdout (status, key, image, alsoPushed, durations) instead of the image reference.',
    },
  },
  async run({ args }) {
    process.exitCode = await runPrebuild(args as Record<string, unknown>);
  },
});
