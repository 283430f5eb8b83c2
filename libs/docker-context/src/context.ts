// The one Docker context: where the daemon is, the environment every child gets, and the abort
// signal. The environment is built once, from an allow-list: a name that is not on it (a token, a
// password, anything the builder happens to hold) never reaches docker or the devcontainer CLI.

/** What every part that runs docker or the devcontainer CLI receives. */
export interface DockerContext {
  /** DOCKER_HOST (also in `env` when set); undefined: docker's default socket. */
  readonly dockerHost: string | undefined;
  /** The complete environment of every child process (nothing inherited from the parent). */
  readonly env: Readonly<Record<string, string>>;
  /** Aborts running children (SIGTERM) and waits. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Names copied from the caller's environment. Everything a docker client, the devcontainer CLI
 * (Node) and git need to find binaries, configuration, certificates and proxies — nothing else.
 */
export const DOCKER_ENV_ALLOW_LIST = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TERM',
  'NO_COLOR',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CONTEXT',
  'DOCKER_API_VERSION',
  'DOCKER_BUILDKIT',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'SSH_AUTH_SOCK',
  'GIT_SSH_COMMAND',
  'GIT_SSL_CAINFO',
] as const;

export interface CreateDockerContextOptions {
  /** The caller's environment (the app passes its own; libraries never read the parent's). */
  env: Readonly<Record<string, string | undefined>>;
  /** DOCKER_HOST; wins over env.DOCKER_HOST. An empty string means unset. */
  dockerHost?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Builds the context: allow-listed names only, DOCKER_HOST from the option or env. Pure. */
export function createDockerContext({ env, dockerHost, signal }: CreateDockerContextOptions): DockerContext {
  const out: Record<string, string> = {};
  for (const name of DOCKER_ENV_ALLOW_LIST) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  const host = dockerHost || env.DOCKER_HOST || undefined;
  if (host) out.DOCKER_HOST = host;
  return Object.freeze({ dockerHost: host, env: Object.freeze(out), ...(signal ? { signal } : {}) });
}
