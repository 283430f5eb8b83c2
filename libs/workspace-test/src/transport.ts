// Thin shells that run a shell script inside a workspace: docker exec, kubectl exec, kubectl exec +
// docker exec (a devcontainer inside a pod's DinD container), coder ssh.
// Files are copied by streaming them to `cat` over the same channel, so every transport needs
// only `sh` and `cat` in the target (no tar, no docker cp, no scp).
import { type CommandResult, type CommandRunner, runCommand } from './command.js';
import { WorkspaceTestError } from './errors.js';
import { shellQuote } from './gossfile.js';
import { dockerRemoteEnv } from './remote-env.js';
import { formatTarget, parseTarget, type Target } from './target.js';

export interface ExecOptions {
  /** Text or a file for the script's stdin. */
  input?: string;
  inputFile?: string;
  /**
   * Environment for the script. docker: passed as `-e NAME` with the value taken from the docker
   * client's own environment (never on a command line). kubectl-dind: sent as `NAME=value` lines on stdin and exported by the script (never on a command line;
   * not with `input`/`inputFile`, values without newlines). kubectl, coder: not supported (the session's own environment applies).
   */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface Transport {
  readonly target: Target;
  /** `docker:…`, `kubectl:…`, `kubectl-dind:…`, `coder:…`. */
  readonly name: string;
  /** The argv (program first) that would run `script`; for logs and errors. */
  argv(script: string, options?: ExecOptions): string[];
  exec(script: string, options?: ExecOptions): Promise<CommandResult>;
}

export interface TransportOptions {
  /** Run as this user. docker: `docker exec -u`; kubectl: `su` inside the container when it runs as another user; coder: the agent's user (ignored). */
  user?: string;
  /** Program names or paths (defaults: docker, kubectl, coder from PATH). */
  docker?: string;
  kubectl?: string;
  coder?: string;
  /** kubectl: `--context`. */
  kubeContext?: string;
  /** kubectl-dind: the DinD daemon's socket, as the docker CLI inside the DinD container reaches it. Default {@link DEFAULT_DIND_HOST}. */
  dindHost?: string;
  runner?: CommandRunner;
}

/** Where devcontainer-kit's rendered pod puts the DinD daemon's socket (k8s-manifests' default). */
export const DEFAULT_DIND_HOST = 'unix:///var/run/dind/docker.sock';

/** Wraps a script so it runs as `user` when the session is someone else (needs root and `su` there). */
function asUser(script: string, user: string | undefined): string {
  if (!user) return script;
  const u = shellQuote(user);
  return `if [ "$(id -un)" = ${u} ]; then sh -c ${shellQuote(script)}; else su -s /bin/sh ${u} -c ${shellQuote(script)}; fi`;
}

/** kubectl-dind: the environment as `NAME=value` lines for the script's stdin (see ExecOptions.env). */
function envLines(exec: ExecOptions): string | undefined {
  const entries = Object.entries(exec.env ?? {});
  if (entries.length === 0) return undefined;
  if (exec.input !== undefined || exec.inputFile !== undefined)
    throw new WorkspaceTestError('INVALID_OPTIONS', 'kubectl-dind: env travels on stdin, so it cannot be combined with input or inputFile');
  for (const [name, value] of entries) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new WorkspaceTestError('INVALID_OPTIONS', `kubectl-dind: "${name}" is not an environment variable name`);
    if (/[\n\0]/.test(value)) throw new WorkspaceTestError('INVALID_OPTIONS', `kubectl-dind: the value of ${name} holds a newline or NUL`);
  }
  return entries.map(([name, value]) => `${name}=${value}\n`).join('');
}

/** kubectl arguments that run `docker --host <dind socket>` in a kubectl-dind target's DinD container. Pure. */
function dindDockerArgs(
  target: Extract<Target, { kind: 'kubectl-dind' }>,
  options: TransportOptions,
  { stdin }: { stdin: boolean },
): string[] {
  return [
    ...(options.kubeContext ? ['--context', options.kubeContext] : []),
    'exec',
    ...(stdin ? ['-i'] : []),
    '-n',
    target.namespace,
    target.pod,
    '-c',
    target.container,
    '--',
    'docker',
    '--host',
    options.dindHost ?? DEFAULT_DIND_HOST,
  ];
}

/**
 * remoteEnv of the devcontainer a kubectl-dind target names, from its `devcontainer.metadata` label
 * (docker inspect through kubectl exec into the DinD container), for `ExecOptions.env`.
 */
export async function kubectlDindRemoteEnv(
  target: Extract<Target, { kind: 'kubectl-dind' }>,
  options: TransportOptions = {},
): Promise<Record<string, string>> {
  const runner = options.runner ?? runCommand;
  const prefix = dindDockerArgs(target, options, { stdin: false });
  return dockerRemoteEnv(target.devcontainer, {
    docker: options.kubectl ?? 'kubectl',
    runner: (file, args, o) => runner(file, [...prefix, ...args], o),
  });
}

export function createTransport(targetSpec: string | Target, options: TransportOptions = {}): Transport {
  const target = typeof targetSpec === 'string' ? parseTarget(targetSpec) : targetSpec;
  const runner = options.runner ?? runCommand;
  const name = formatTarget(target);

  const argv = (script: string, exec: ExecOptions = {}): string[] => {
    if (target.kind === 'docker') {
      const envFlags = Object.keys(exec.env ?? {}).flatMap((k) => ['-e', k]);
      return [
        options.docker ?? 'docker',
        'exec',
        '-i',
        ...(options.user ? ['-u', options.user] : []),
        ...envFlags,
        target.container,
        'sh',
        '-c',
        script,
      ];
    }
    if (target.kind === 'kubectl') {
      return [
        options.kubectl ?? 'kubectl',
        ...(options.kubeContext ? ['--context', options.kubeContext] : []),
        'exec',
        '-i',
        '-n',
        target.namespace,
        target.pod,
        ...(target.container ? ['-c', target.container] : []),
        '--',
        'sh',
        '-c',
        asUser(script, options.user),
      ];
    }
    if (target.kind === 'kubectl-dind') {
      const names = Object.keys(exec.env ?? {});
      const body = names.length > 0 ? `while IFS= read -r dck_env; do export "$dck_env"; done; unset dck_env; ${script}` : script;
      // The user switch is docker exec's own (-u): the devcontainer need not have su.
      return [
        options.kubectl ?? 'kubectl',
        ...dindDockerArgs(target, options, { stdin: true }),
        'exec',
        '-i',
        ...(options.user ? ['-u', options.user] : []),
        target.devcontainer,
        'sh',
        '-c',
        body,
      ];
    }
    // coder ssh joins the remote command like ssh does and runs it in the user's shell: one quoted argument.
    return [options.coder ?? 'coder', 'ssh', target.workspace, '--', `sh -c ${shellQuote(script)}`];
  };

  return {
    target,
    name,
    argv,
    async exec(script, exec = {}) {
      const [file, ...args] = argv(script, exec);
      const envInput = target.kind === 'kubectl-dind' ? envLines(exec) : undefined;
      return runner(file as string, args, {
        ...(envInput !== undefined ? { input: envInput } : {}),
        ...(exec.input !== undefined ? { input: exec.input } : {}),
        ...(exec.inputFile !== undefined ? { inputFile: exec.inputFile } : {}),
        ...(target.kind === 'docker' && exec.env ? { env: exec.env } : {}),
        ...(exec.timeoutMs ? { timeoutMs: exec.timeoutMs } : {}),
      });
    },
  };
}
