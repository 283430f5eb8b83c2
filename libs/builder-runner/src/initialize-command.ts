// initializeCommand, run by the builder itself where `devcontainer up` would run it: on the host
// (the builder's container), in the workspace folder, with the devcontainer CLI's environment, before
// the container starts — with the CLI's semantics (a string through /bin/sh -c, an array without a
// shell, an object's commands in parallel; variables substituted; a failure stops the start).
// The builder runs it when it must know its effect before `devcontainer up` runs: the prebuilt
// image's cache key (files the Dockerfile COPYs may come from it), `prebuild` (`devcontainer build`
// never runs it) and the warm restart (no `devcontainer up` at all). `up` then gets a configuration
// without it (withoutInitializeCommand), so it runs once per start, as the spec says.
import {
  type CommandStep,
  computeDevcontainerId,
  normalizeLifecycleCommand,
  substituteVariables,
} from '@devcontainer-kit/devcontainer-config';
import { type DockerContext, runCommand } from '@devcontainer-kit/docker-context';
import { BuilderError } from './errors.js';
import type { LogLevel } from './phase-log.js';

export interface RunInitializeCommandOptions {
  /** devcontainer.json as written (variables not substituted yet). */
  config: Record<string, unknown>;
  workspaceFolder: string;
  /** The id labels of the workspace's container (for `${devcontainerId}`). */
  idLabels: Record<string, string>;
  /** Its env is the command's whole environment (what the devcontainer CLI would hand it). */
  docker: DockerContext;
  log: { write(line: string, level: LogLevel): void };
}

/** Whether the configuration has an initializeCommand that would run. Pure. */
export function hasInitializeCommand(config: Record<string, unknown>): boolean {
  return normalizeLifecycleCommand(config.initializeCommand) !== undefined;
}

/** The configuration `devcontainer up --override-config` gets once the builder ran initializeCommand. Pure. */
export function withoutInitializeCommand(config: Record<string, unknown>): Record<string, unknown> {
  const { initializeCommand: _ran, ...rest } = config;
  return rest;
}

async function runStep(o: RunInitializeCommandOptions, step: CommandStep, name: string | undefined): Promise<void> {
  const [file, ...args] = step.kind === 'shell' ? ['/bin/sh', '-c', step.command] : step.args;
  const prefix = name ? `[${name}] ` : '';
  const tail: string[] = [];
  const r = await runCommand(o.docker, file as string, args, {
    cwd: o.workspaceFolder,
    onLine: (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.log.write(`${prefix}${line}`, 'info');
    },
  });
  if (r.exitCode === 0) return;
  const what = name ? `initializeCommand '${name}'` : 'initializeCommand';
  const why = r.startError ?? `exit ${r.exitCode}`;
  throw new BuilderError(`${what} failed (${why}): the container is not started (it runs on the host before every start)`, {
    code: 'lifecycle-hook-failed',
    phase: 'up',
    command: what,
    ...(r.startError ? {} : { exitCode: r.exitCode }),
    outputTail: tail.join('\n'),
  });
}

/**
 * Runs the configuration's initializeCommand (nothing when it has none). Resolves true when it ran;
 * throws a `lifecycle-hook-failed` BuilderError when a command failed (after all parallel ones ended).
 */
export async function runInitializeCommand(o: RunInitializeCommandOptions): Promise<boolean> {
  const substituted = substituteVariables({
    config: o.config,
    localWorkspaceFolder: o.workspaceFolder,
    env: o.docker.env,
    devcontainerId: computeDevcontainerId(o.idLabels),
  });
  const command = normalizeLifecycleCommand(substituted.initializeCommand);
  if (!command) return false;
  const started = performance.now();
  o.log.write('running initializeCommand (on the host, in the workspace folder)', 'info');
  if (command.kind === 'parallel') {
    const results = await Promise.allSettled(command.steps.map((s) => runStep(o, s, s.name)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } else await runStep(o, command, undefined);
  o.log.write(`initializeCommand done in ${((performance.now() - started) / 1000).toFixed(1)} s`, 'info');
  return true;
}
