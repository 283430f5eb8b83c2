import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BuilderError,
  type BuilderSettings,
  createCoderPhaseLogs,
  createTerminalStreamPhaseLogs,
  type PreparedDockerConfig,
  type PreparedGitSsh,
  parseSettings,
  prepareCaCert,
  prepareDockerConfig,
  prepareGitSsh,
  runBuilder,
  settingDefinitions,
  withCaCert,
  withDockerConfig,
  withGitSsh,
} from '@devcontainer-kit/builder-runner';
import { createDockerContext, type DockerContext } from '@devcontainer-kit/docker-context';
import { type ArgsDef, defineCommand } from 'citty';

type ArgDef = { type: 'string' | 'boolean'; description: string; default?: boolean };

/** One flag per setting (secrets: a file name, never the value). */
export const upArgs = Object.fromEntries(
  settingDefinitions.map((d) => [
    d.flag,
    d.kind === 'bool'
      ? { type: 'boolean', description: `${d.description} [${d.env}]`, default: true }
      : { type: 'string', description: `${d.description} [${d.env}]` },
  ]),
) as Record<string, ArgDef> as ArgsDef;

/** citty's parsed args → parseSettings flags (shared by `up` and `prebuild`). */
export function pickFlags(flags: Record<string, unknown>): Record<string, string | string[] | boolean | undefined> {
  const picked: Record<string, string | string[] | boolean | undefined> = {};
  for (const d of settingDefinitions) {
    const v = flags[d.flag];
    if (d.kind === 'bool') {
      // citty gives the default when the flag is absent: only an explicit --no-supervise counts.
      if (v === false) picked[d.flag] = 'false';
    } else if (typeof v === 'string' || Array.isArray(v)) picked[d.flag] = v as string | string[];
  }
  return picked;
}

/** Runs `up`; returns the process exit code (the CLI entry sets it). */
export async function runUp(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { settings, problems } = parseSettings({ env, flags: pickFlags(flags) });
  if (!settings) {
    for (const p of problems) process.stderr.write(`devcontainer-builder: ${p}\n`);
    return 2;
  }
  // The complete local log (what Coder's budget may drop too) lives next to the status file.
  mkdirSync(settings.stateDir, { recursive: true });
  const logs = settings.coder
    ? createCoderPhaseLogs({
        agentUrl: settings.coder.agentUrl,
        agentToken: settings.coder.agentToken,
        logFile: join(settings.stateDir, 'builder.log'),
        budgetAccountFile: join(settings.stateDir, 'coder-log-account.json'),
        onWarning: (w) => process.stderr.write(`devcontainer-builder: log streaming: ${w.message}\n`),
      })
    : createTerminalStreamPhaseLogs();
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`devcontainer-builder: ${name}: stopping the agent and the devcontainer\n`);
      controller.abort();
      // The pod's grace period is finite: never outlive it.
      setTimeout(() => process.exit(0), 19_000).unref();
    } else process.exit(130);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let registryConfig: PreparedDockerConfig | undefined;
  let gitSsh: PreparedGitSsh | undefined;
  try {
    // The one Docker context: every docker / devcontainer CLI child gets its allow-listed env only;
    // registry credentials reach them as a private DOCKER_CONFIG directory, never as values.
    let docker = createDockerContext({ env, dockerHost: settings.dockerHost, signal: controller.signal });
    if (settings.dockerConfigFile) {
      registryConfig = await prepareDockerConfig({ file: settings.dockerConfigFile });
      docker = withDockerConfig(docker, registryConfig.dir);
      process.stderr.write(`devcontainer-builder: ${describeRegistryConfig(settings.dockerConfigFile, registryConfig)}\n`);
    }
    // Git over SSH: the key and known_hosts as private copies, named by GIT_SSH_COMMAND.
    if (settings.gitSsh) {
      gitSsh = await prepareGitSsh(settings.gitSsh);
      docker = withGitSsh(docker, gitSsh);
    }
    const trusted = await applyCaCert(settings, docker, env);
    for (const line of trusted.lines) process.stderr.write(`devcontainer-builder: ${line}\n`);
    const result = await runBuilder({ settings: trusted.settings, logs, docker: trusted.docker, localEnv: env });
    if (result.reason === 'completed' && result.status.containerId) {
      const { remoteUser, remoteWorkspaceFolder, containerId } = result.status;
      process.stderr.write(
        `devcontainer-builder: ready; enter it with: docker exec -it${remoteUser ? ` -u ${remoteUser}` : ''}${remoteWorkspaceFolder ? ` -w ${remoteWorkspaceFolder}` : ''} ${containerId.slice(0, 12)} sh\n`,
      );
    }
    process.stdout.write(
      `${JSON.stringify({ outcome: result.reason, containerId: result.status.containerId, statusFile: settings.statusFile })}\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof BuilderError) {
      process.stderr.write(`devcontainer-builder: ${error.phase ? `${error.phase}: ` : ''}${error.message}\n`);
      for (const d of error.details) process.stderr.write(`  ${d}\n`);
      process.stdout.write(
        `${JSON.stringify({ outcome: 'error', code: error.code, phase: error.phase, statusFile: settings.statusFile })}\n`,
      );
      return 1;
    }
    throw error;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await registryConfig?.remove();
    await gitSsh?.remove();
  }
}

/**
 * DEVCONTAINER_CA_CERT: the Docker context's children trust the CA; unless opted out, the devcontainer
 * gets the mounts and remote env. Returns the settings and context to run with, and what to log.
 */
export async function applyCaCert(
  settings: BuilderSettings,
  docker: DockerContext,
  env: NodeJS.ProcessEnv,
): Promise<{ settings: BuilderSettings; docker: DockerContext; lines: string[] }> {
  if (!settings.caCertFile) return { settings, docker, lines: [] };
  const ca = await prepareCaCert({ file: settings.caCertFile, stateDir: settings.stateDir, inContainer: settings.caCertInContainer, env });
  const lines = [
    `trusting ${ca.subjects.length} CA certificate(s) from ${settings.caCertFile} (${ca.subjects.join('; ')}) for git, docker and the devcontainer CLI${settings.caCertInContainer ? `; offered to the devcontainer at /usr/local/share/devcontainer-kit/` : '; not offered to the devcontainer (DEVCONTAINER_CA_CERT_IN_CONTAINER=false)'}`,
  ];
  // Node reads NODE_EXTRA_CA_CERTS once, at start: the builder's own HTTPS trusts the CA only when it was given so.
  let own = '';
  try {
    own = env.NODE_EXTRA_CA_CERTS ? readFileSync(env.NODE_EXTRA_CA_CERTS, 'utf8') : '';
  } catch {}
  const caText = readFileSync(ca.caFile, 'utf8').trim();
  if (!own.includes(caText))
    lines.push(
      `warning: the builder's own HTTPS calls (Coder, the prebuilt-image lookup) do not trust that CA: start the builder with NODE_EXTRA_CA_CERTS=${settings.caCertFile} (the k8s-manifests pod does)`,
    );
  return {
    settings: { ...settings, mounts: [...settings.mounts, ...ca.mounts], remoteEnv: [...settings.remoteEnv, ...ca.remoteEnv] },
    docker: withCaCert(docker, ca),
    lines,
  };
}

/** One log line: which file gave credentials for which registries (never a value). */
export function describeRegistryConfig(file: string, config: PreparedDockerConfig): string {
  const hosts = config.hosts.length > 0 ? config.hosts.join(', ') : 'no registry';
  const dropped = config.droppedHelpers.length > 0 ? `; credential helpers ignored: ${config.droppedHelpers.join(', ')}` : '';
  return `registry credentials from ${file} for ${hosts}${dropped}`;
}

export const upCommand = defineCommand({
  meta: { name: 'up', description: 'Clone, devcontainer up, start the Coder agent and supervise (settings from env vars or flags).' },
  args: upArgs,
  async run({ args }) {
    process.exitCode = await runUp(args as Record<string, unknown>);
  },
});
