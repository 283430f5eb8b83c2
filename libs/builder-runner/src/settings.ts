// Settings from environment variables and flags (a flag wins over its variable). Pure: the caller
// passes env and flags in; every problem is reported at once, one line each.
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { PrebuildCacheError, parseDockerConfig } from '@devcontainer-kit/prebuild-cache';
import { looksLikePrivateKey } from './git-ssh.js';

export type HookFailure = 'fail' | 'continue';
export type AgentMode = 'auto' | 'script' | 'binary';

export interface CoderSettings {
  /** The Coder access URL the builder talks to (logs, agent binary download). Ends with `/`. */
  agentUrl: string;
  agentToken: string;
  /** Coder's bootstrap script; when absent the builder uses binary mode. */
  initScript: string | undefined;
  /** URL the agent inside the devcontainer should use (rewritten into the init script). Ends with `/`. */
  agentUrlInContainer: string;
}

export interface BuilderSettings {
  repository: string;
  /** True when `repository` is a local directory used in place (no clone). */
  repositoryInPlace: boolean;
  branch: string | undefined;
  workspaceFolder: string;
  workspaceName: string;
  configPath: string | undefined;
  gitUsername: string;
  gitToken: string | undefined;
  /** Clone depth; 0 = full history. */
  gitDepth: number;
  cacheFrom: string[];
  cacheTo: string | undefined;
  dockerHost: string | undefined;
  dockerWaitSeconds: number;
  coder: CoderSettings | undefined;
  hookFailure: HookFailure;
  agentMode: AgentMode;
  statusFile: string;
  /** Builder state (agent binary cache, config hashes): next to the status file. */
  stateDir: string;
  mounts: string[];
  remoteEnv: string[];
  workspaceOwner: { uid: number; gid: number } | undefined;
  supervise: boolean;
  /** DEVCONTAINER_CACHE_REPO: where prebuilt images live (`registry/repository`). */
  cacheRepo: { registry: string; repository: string } | undefined;
  /** DEVCONTAINER_DOCKER_CONFIG: a docker config.json with registry credentials (the path; never its content). */
  dockerConfigFile: string | undefined;
  /** DEVCONTAINER_CA_CERT: a PEM bundle of CAs to trust (the path). */
  caCertFile: string | undefined;
  /** DEVCONTAINER_CA_CERT_IN_CONTAINER: offer the CA to the devcontainer (mounts + env). */
  caCertInContainer: boolean;
  /** DEVCONTAINER_DOTFILES_*: the devcontainer CLI's dotfiles flags. */
  dotfiles: { repository: string; installCommand: string | undefined; targetPath: string | undefined } | undefined;
  /** DEVCONTAINER_USER_STORAGE (+ _TARGET): a directory shared with the Docker daemon, bind-mounted into the devcontainer. */
  userStorage: { source: string; target: string } | undefined;
  /** DEVCONTAINER_GIT_SSH_KEY_FILE / _KNOWN_HOSTS / _HOST_KEY_CHECK: git over SSH (paths; never the key). */
  gitSsh: { keyFile: string; knownHostsFile: string | undefined; hostKeyCheck: 'strict' | 'accept-new' } | undefined;
  /** DEVCONTAINER_EXTENSIONS: extension ids beyond the configuration (`-id` removes). */
  extensions: string[];
  /** DEVCONTAINER_EXTENSIONS_DIR: host directory of `.vsix` files, tried before the gallery. */
  extensionsDir: string | undefined;
  /** DEVCONTAINER_FALLBACK_IMAGE: started as the devcontainer when checkout, config or up fails. */
  fallbackImage: string | undefined;
}

type Kind = 'string' | 'url' | 'bool' | 'int' | 'list' | 'secret-file';

export interface SettingDefinition {
  env: string;
  flag: string;
  kind: Kind;
  description: string;
  default?: string;
}

/** Every setting, in README order. Secrets have no value flag (argv is readable by every process): their flag names a file. */
export const settingDefinitions: readonly SettingDefinition[] = [
  {
    env: 'DEVCONTAINER_REPOSITORY',
    flag: 'repository',
    kind: 'string',
    description: 'Git URL (http(s), ssh, file) or local directory of the repository. Required.',
  },
  {
    env: 'DEVCONTAINER_BRANCH',
    flag: 'branch',
    kind: 'string',
    description:
      'Branch, tag, full commit SHA, or pull/merge-request ref (`pull/123/head`, `refs/pull/123/head`, `merge-requests/7/head`).',
    default: "the remote's default branch",
  },
  {
    env: 'DEVCONTAINER_WORKSPACE_FOLDER',
    flag: 'workspace-folder',
    kind: 'string',
    description: 'Where the checkout lives (shared with the Docker daemon in the pod).',
    default: '`/workspaces/<repo name>`; a local repository without a branch is used in place',
  },
  {
    env: 'DEVCONTAINER_WORKSPACE_NAME',
    flag: 'workspace-name',
    kind: 'string',
    description: 'Name for the `devcontainer-kit.workspace` container label.',
    default: '`CODER_WORKSPACE_NAME`, else the repo name',
  },
  {
    env: 'DEVCONTAINER_CONFIG',
    flag: 'config',
    kind: 'string',
    description: 'Path of devcontainer.json inside the repository.',
    default: 'the spec locations',
  },
  {
    env: 'DEVCONTAINER_GIT_USERNAME',
    flag: 'git-username',
    kind: 'string',
    description: 'User name sent with the token.',
    default: '`x-access-token`',
  },
  {
    env: 'DEVCONTAINER_GIT_TOKEN',
    flag: 'git-token-file',
    kind: 'secret-file',
    description:
      'Token for HTTPS clones (falls back to `GH_TOKEN`). Reaches git only through GIT_ASKPASS. The flag names a file holding it.',
  },
  { env: 'DEVCONTAINER_GIT_DEPTH', flag: 'git-depth', kind: 'int', description: 'Clone depth; 0 clones the full history.', default: '1' },
  {
    env: 'DEVCONTAINER_CACHE_FROM',
    flag: 'cache-from',
    kind: 'list',
    description:
      "Images to use as build cache (`--cache-from`), comma or newline separated; pulled before the build. With BuildKit (buildx in the builder image) an image carrying inline cache — what `DEVCONTAINER_CACHE_TO` pushes — gives its cached steps; the legacy builder uses the pulled image's layers.",
  },
  {
    env: 'DEVCONTAINER_CACHE_TO',
    flag: 'cache-to',
    kind: 'string',
    description:
      "Build cache export (`--cache-to`). `type=registry,ref=REF` on buildx's docker driver (the DinD daemon's BuildKit, which cannot export cache) is done as inline cache + a push of the built image to REF — read it back with `DEVCONTAINER_CACHE_FROM=REF`; other drivers get it as given. Not for compose configs; the legacy builder exports nothing.",
  },
  {
    env: 'DOCKER_HOST',
    flag: 'docker-host',
    kind: 'string',
    description: 'Docker daemon to use (e.g. `unix:///run/dind/docker.sock`).',
    default: "docker's default",
  },
  {
    env: 'DEVCONTAINER_DOCKER_WAIT',
    flag: 'docker-wait',
    kind: 'int',
    description: 'Seconds to wait for the Docker daemon in preflight.',
    default: '120',
  },
  {
    env: 'CODER_AGENT_URL',
    flag: 'agent-url',
    kind: 'url',
    description: 'Coder access URL: log streaming and agent download. Without it logs go to the terminal and no agent starts.',
  },
  {
    env: 'CODER_AGENT_TOKEN',
    flag: 'agent-token-file',
    kind: 'secret-file',
    description: "The workspace agent's token (environment only; the flag names a file holding it).",
  },
  {
    env: 'CODER_INIT_SCRIPT',
    flag: 'init-script',
    kind: 'string',
    description: "Coder's bootstrap script for the agent (run with `sh` inside the devcontainer).",
    default: 'binary mode',
  },
  {
    env: 'DEVCONTAINER_AGENT_URL',
    flag: 'devcontainer-agent-url',
    kind: 'url',
    description: 'URL the agent inside the devcontainer uses; rewritten into the init script.',
    default: '`CODER_AGENT_URL`',
  },
  {
    env: 'DEVCONTAINER_AGENT_MODE',
    flag: 'agent-mode',
    kind: 'string',
    description: '`auto` (script when the devcontainer has curl/wget/busybox, else binary), `script` or `binary`.',
    default: '`auto`',
  },
  {
    env: 'DEVCONTAINER_HOOK_FAILURE',
    flag: 'hook-failure',
    kind: 'string',
    description:
      'A failing hook up to `waitFor`: `fail` stops, `continue` logs an error and goes on. A hook after `waitFor` runs in the background and never stops the workspace: the hooks after it are not run, the status says `failed` (`fail`) or `warning` (`continue`).',
    default: '`fail`',
  },
  {
    env: 'DEVCONTAINER_STATUS_FILE',
    flag: 'status-file',
    kind: 'string',
    description: 'Status JSON path.',
    default:
      '`<parent of workspace folder>/.devcontainer-builder/status.json` (`/workspaces/.devcontainer-builder/status.json` in the pod)',
  },
  {
    env: 'DEVCONTAINER_MOUNTS',
    flag: 'mount',
    kind: 'list',
    description: 'Extra `--mount` specs for `devcontainer up`, newline separated (the flag repeats).',
  },
  {
    env: 'DEVCONTAINER_REMOTE_ENV',
    flag: 'remote-env',
    kind: 'list',
    description: 'Extra `NAME=VALUE` for lifecycle hooks, newline separated (the flag repeats).',
  },
  {
    env: 'DEVCONTAINER_WORKSPACE_OWNER',
    flag: 'workspace-owner',
    kind: 'string',
    description:
      "`UID:GID` to chown a fresh checkout to. Unset, a builder running as root chowns a fresh checkout to the remote user's UID:GID read in the built container (when that user is not root), and says so in the log.",
  },
  {
    env: 'DEVCONTAINER_CACHE_REPO',
    flag: 'cache-repo',
    kind: 'string',
    description:
      'Registry and repository of prebuilt images (`host[:port]/path`, e.g. `registry.example.com/acme/api-devcontainer`); `up` starts `<repo>:<cache key>` when it exists, `prebuild` pushes it.',
  },
  {
    env: 'DEVCONTAINER_DOCKER_CONFIG',
    flag: 'docker-config',
    kind: 'string',
    description:
      "Path of a docker `config.json` with registry credentials (e.g. a `kubernetes.io/dockerconfigjson` Secret's `.dockerconfigjson` mounted as a file): copied into a private DOCKER_CONFIG directory for every docker and devcontainer CLI child (the DinD daemon's pulls, builds and pushes, OCI features) and used by the prebuilt-image lookup (Basic and Bearer token auth). A path, never the credentials.",
  },
  {
    env: 'DEVCONTAINER_DOTFILES_REPOSITORY',
    flag: 'dotfiles-repository',
    kind: 'string',
    description:
      "Dotfiles repository (the devcontainer CLI's `--dotfiles-repository`: a git URL, or `owner/repo` for GitHub), cloned inside the devcontainer as the remote user after `postCreateCommand` (the image needs git), once per container. No credentials in the URL.",
  },
  {
    env: 'DEVCONTAINER_DOTFILES_INSTALL_COMMAND',
    flag: 'dotfiles-install-command',
    kind: 'string',
    description: 'Command run in the dotfiles checkout (`--dotfiles-install-command`).',
    default: 'the first of `install.sh`, `install`, `bootstrap.sh`, `bootstrap`, `setup.sh`, `setup` found',
  },
  {
    env: 'DEVCONTAINER_DOTFILES_TARGET_PATH',
    flag: 'dotfiles-target-path',
    kind: 'string',
    description: 'Where the dotfiles repository is cloned in the devcontainer (`--dotfiles-target-path`).',
    default: '`~/dotfiles`',
  },
  {
    env: 'DEVCONTAINER_USER_STORAGE',
    flag: 'user-storage',
    kind: 'string',
    description:
      "Absolute path, as the Docker daemon sees it, of the user's persistent storage (in the pod: the per-owner PVC, mounted in the builder and dind at `/var/lib/devcontainer-kit/user-storage`): bind-mounted into the devcontainer at `DEVCONTAINER_USER_STORAGE_TARGET`.",
  },
  {
    env: 'DEVCONTAINER_USER_STORAGE_TARGET',
    flag: 'user-storage-target',
    kind: 'string',
    description:
      'Where the user storage appears in the devcontainer (absolute path); also in its remote env as `DEVCONTAINER_USER_STORAGE`.',
    default: '`/mnt/user-storage`',
  },
  {
    env: 'DEVCONTAINER_GIT_SSH_KEY_FILE',
    flag: 'git-ssh-key-file',
    kind: 'string',
    description:
      'Path of the private key for ssh:// and `git@host:path` repositories (a Secret mounted as a file): copied into a private directory (0600) and used through `GIT_SSH_COMMAND` for the clone and every later fetch. A path, never the key.',
  },
  {
    env: 'DEVCONTAINER_GIT_SSH_KNOWN_HOSTS',
    flag: 'git-ssh-known-hosts',
    kind: 'string',
    description:
      "Path of a known_hosts file with the git server's host key (`ssh-keyscan -p PORT HOST`, checked out of band). Required with `DEVCONTAINER_GIT_SSH_KEY_FILE` unless `DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK=accept-new`; only this file is consulted.",
  },
  {
    env: 'DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK',
    flag: 'git-ssh-host-key-check',
    kind: 'string',
    description:
      '`strict`: ssh connects only to a host whose key is in `DEVCONTAINER_GIT_SSH_KNOWN_HOSTS`; `accept-new`: a host not in it is trusted on first use (a changed key is still refused).',
    default: '`strict`',
  },
  {
    env: 'DEVCONTAINER_CA_CERT',
    flag: 'ca-cert',
    kind: 'string',
    description:
      "Path of a PEM bundle of CA certificates to trust (a corporate CA from a Secret or ConfigMap): git (`GIT_SSL_CAINFO`), the devcontainer CLI (`NODE_EXTRA_CA_CERTS`) and OpenSSL tools (`SSL_CERT_FILE`) among the builder's children trust it, and it is offered into the devcontainer. The builder's own HTTPS calls (Coder, the prebuilt-image lookup) trust it when the builder starts with `NODE_EXTRA_CA_CERTS` naming it, as the manifests do.",
  },
  {
    env: 'DEVCONTAINER_CA_CERT_IN_CONTAINER',
    flag: 'ca-cert-in-container',
    kind: 'bool',
    description:
      'With `DEVCONTAINER_CA_CERT`: bind-mount it read-only into the devcontainer (`/usr/local/share/devcontainer-kit/ca.crt`, and `ca-bundle.crt` with the system CAs) and set `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE` and `GIT_SSL_CAINFO` for hooks and the agent; `false` keeps the devcontainer as it is.',
    default: 'true',
  },
  {
    env: 'DEVCONTAINER_EXTENSIONS',
    flag: 'extensions',
    kind: 'list',
    description:
      'Extension ids installed beyond `customizations.vscode.extensions` (`publisher.name[@version]`, `-id` removes), comma or newline separated.',
  },
  {
    env: 'DEVCONTAINER_EXTENSIONS_DIR',
    flag: 'extensions-dir',
    kind: 'string',
    description: "Directory of `.vsix` files (matched by the manifest's publisher.name[@version]), tried before the IDE server's gallery.",
  },
  {
    env: 'DEVCONTAINER_FALLBACK_IMAGE',
    flag: 'fallback-image',
    kind: 'string',
    description:
      'Image started as the devcontainer when checkout, config or up fails (needs `/bin/sh` and `sleep`); the failure is explained in the log and in `.devcontainer-builder/FAILED.md`.',
    default: 'none: the builder exits non-zero',
  },
  {
    env: 'DEVCONTAINER_SUPERVISE',
    flag: 'supervise',
    kind: 'bool',
    description: 'Stay in the foreground supervising the agent and container; `false` exits after the agent phase.',
    default: 'true',
  },
];

export interface ParseSettingsOptions {
  env: Record<string, string | undefined>;
  /** Flag values by flag name (see settingDefinitions); a flag wins over its variable. */
  flags?: Record<string, string | string[] | boolean | undefined>;
  /** Base for relative paths. Default process.cwd(). */
  cwd?: string;
  /** Reads a secret file (injectable for tests). */
  readFile?: (path: string) => string;
}

export interface ParseSettingsResult {
  settings: BuilderSettings | undefined;
  /** One line per problem; empty when settings is defined. */
  problems: string[];
}

const SHA = /^[0-9a-f]{40}$/i;

/** Checks a git ref name given as DEVCONTAINER_BRANCH (no option injection, no ref-syntax tricks). */
export function checkRefName(ref: string): string | undefined {
  if (ref.startsWith('-')) return 'must not start with "-"';
  if (/[\s~^:?*[\\]|\.\.|@\{|\/\/|\.lock$|\/$|^\//.test(ref)) return 'is not a valid git ref name';
  if (/^[0-9a-f]{7,39}$/i.test(ref)) return 'looks like an abbreviated commit SHA: give all 40 hex digits';
  return undefined;
}

export function isCommitSha(ref: string): boolean {
  return SHA.test(ref);
}

/** The repository's name from a URL or path: last path segment without `.git`. */
export function repositoryName(repository: string): string {
  const trimmed = repository.replace(/[?#].*$/, '').replace(/\/+$/, '');
  const last = trimmed.split(/[/:]/).pop() ?? '';
  return last.replace(/\.git$/, '') || 'workspace';
}

function isLocalPath(repository: string): boolean {
  return repository.startsWith('/') || repository.startsWith('./') || repository.startsWith('../') || repository === '.';
}

function hasPassword(repository: string): boolean {
  if (!/^https?:\/\//i.test(repository)) return false;
  try {
    return new URL(repository).password !== '';
  } catch {
    return false;
  }
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** Reads settings by environment name (a flag wins; an empty value means unset); problems collect in `problems`. */
function settingReaders(options: ParseSettingsOptions, problems: string[]) {
  const { env } = options;
  const flags = options.flags ?? {};
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const byEnv = new Map(settingDefinitions.map((d) => [d.env, d]));

  const label = (name: string) => {
    const d = byEnv.get(name);
    return d ? `${d.env} (--${d.flag})` : name;
  };
  const raw = (name: string): string | undefined => {
    const d = byEnv.get(name);
    const f = d ? flags[d.flag] : undefined;
    if (d && f !== undefined && f !== false) {
      if (d.kind === 'secret-file') {
        try {
          return readFile(String(f)).trim();
        } catch (error) {
          problems.push(`${label(name)}: cannot read ${String(f)}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
          return undefined;
        }
      }
      const value = Array.isArray(f) ? f.join('\n') : String(f);
      if (value !== '') return value;
    }
    const v = env[name];
    return v === undefined || v === '' ? undefined : v;
  };
  const list = (name: string): string[] => {
    const v = raw(name);
    if (!v) return [];
    const sep = name === 'DEVCONTAINER_CACHE_FROM' || name === 'DEVCONTAINER_EXTENSIONS' ? /[\n,]/ : /\n/;
    return v
      .split(sep)
      .map((s) => s.trim())
      .filter(Boolean);
  };
  const int = (name: string, fallback: number, min: number): number => {
    const v = raw(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min) {
      problems.push(`${label(name)}: must be an integer ≥ ${min}, got '${v}'`);
      return fallback;
    }
    return Number(v);
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = raw(name);
    if (v === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    problems.push(`${label(name)}: must be true or false, got '${v}'`);
    return fallback;
  };
  const url = (name: string): string | undefined => {
    const v = raw(name);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      if (u.username || u.password) {
        problems.push(`${label(name)}: must not contain credentials`);
        return undefined;
      }
      return withSlash(u.toString());
    } catch {
      problems.push(`${label(name)}: must be an http(s) URL, got '${v}'`);
      return undefined;
    }
  };
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const v = raw(name);
    if (v === undefined) return fallback;
    if ((values as readonly string[]).includes(v)) return v as T;
    problems.push(`${label(name)}: must be ${values.join(' or ')}, got '${v}'`);
    return fallback;
  };
  return { label, raw, list, int, bool, url, oneOf };
}

type Readers = ReturnType<typeof settingReaders>;

/** CODER_AGENT_URL, CODER_AGENT_TOKEN, CODER_INIT_SCRIPT, DEVCONTAINER_AGENT_URL: all or nothing. */
function coderSettings(env: ParseSettingsOptions['env'], r: Readers, problems: string[]): CoderSettings | undefined {
  const agentUrl = r.url('CODER_AGENT_URL');
  const agentToken = r.raw('CODER_AGENT_TOKEN');
  const initScript = r.raw('CODER_INIT_SCRIPT');
  const agentUrlInContainer = r.url('DEVCONTAINER_AGENT_URL');
  if (agentUrl && !agentToken) problems.push(`${r.label('CODER_AGENT_TOKEN')}: required when CODER_AGENT_URL is set`);
  if (!agentUrl && agentToken && !env.CODER_AGENT_URL)
    problems.push(`${r.label('CODER_AGENT_URL')}: required when CODER_AGENT_TOKEN is set`);
  if (!agentUrl && initScript) problems.push(`${r.label('CODER_AGENT_URL')}: required when CODER_INIT_SCRIPT is set`);
  return agentUrl && agentToken ? { agentUrl, agentToken, initScript, agentUrlInContainer: agentUrlInContainer ?? agentUrl } : undefined;
}

function coderMode(r: Readers, coder: CoderSettings | undefined, problems: string[]): { agentMode: AgentMode } {
  const agentMode = r.oneOf('DEVCONTAINER_AGENT_MODE', ['auto', 'script', 'binary'] as const, 'auto');
  if (agentMode === 'script' && coder && !coder.initScript)
    problems.push(`${r.label('DEVCONTAINER_AGENT_MODE')}: 'script' needs CODER_INIT_SCRIPT`);
  return { agentMode };
}

/** The status file's folder name, next to the workspace folders. */
export const STATUS_DIR_NAME = '.devcontainer-builder';
/** The status file in the pod (workspaces under /workspaces): what workspace checks read by default. */
export const DEFAULT_STATUS_FILE = `/workspaces/${STATUS_DIR_NAME}/status.json`;

/** The default DEVCONTAINER_STATUS_FILE for a workspace folder: `<parent>/.devcontainer-builder/status.json`. Pure. */
export function defaultStatusFile(workspaceFolder: string): string {
  return join(dirname(workspaceFolder), STATUS_DIR_NAME, 'status.json');
}

/** Every environment variable the builder reads, in README order (the names k8s-manifests sets). */
export const BUILDER_ENV_NAMES: readonly string[] = settingDefinitions.map((d) => d.env);

export function parseSettings(options: ParseSettingsOptions): ParseSettingsResult {
  const { env } = options;
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const readers = settingReaders(options, problems);
  const { label, raw, list, int, bool, oneOf } = readers;

  // Repository.
  const repository = raw('DEVCONTAINER_REPOSITORY');
  if (!repository) problems.push(`${label('DEVCONTAINER_REPOSITORY')}: required (a git URL or a local directory)`);
  else if (hasPassword(repository)) {
    problems.push(`${label('DEVCONTAINER_REPOSITORY')}: must not contain a password or token; use DEVCONTAINER_GIT_TOKEN`);
  }
  const branch = raw('DEVCONTAINER_BRANCH');
  if (branch) {
    const bad = checkRefName(branch);
    if (bad) problems.push(`${label('DEVCONTAINER_BRANCH')}: '${branch}' ${bad}`);
  }
  const local = repository !== undefined && isLocalPath(repository);
  const repoName = repository ? repositoryName(local ? resolve(cwd, repository) : repository) : 'workspace';
  const workspaceRaw = raw('DEVCONTAINER_WORKSPACE_FOLDER');
  let workspaceFolder: string;
  let repositoryInPlace = false;
  if (workspaceRaw) workspaceFolder = resolve(cwd, workspaceRaw);
  else if (local && !branch && repository) {
    workspaceFolder = resolve(cwd, repository);
    repositoryInPlace = true;
  } else workspaceFolder = `/workspaces/${repoName}`;
  if (local && repository && resolve(cwd, repository) === workspaceFolder) repositoryInPlace = true;
  if (workspaceRaw && !isAbsolute(workspaceRaw) && !workspaceRaw.startsWith('.')) {
    problems.push(`${label('DEVCONTAINER_WORKSPACE_FOLDER')}: must be an absolute path, got '${workspaceRaw}'`);
  }
  const configPath = raw('DEVCONTAINER_CONFIG');
  if (configPath && (isAbsolute(configPath) || configPath.split('/').includes('..'))) {
    problems.push(`${label('DEVCONTAINER_CONFIG')}: must be a path inside the repository, got '${configPath}'`);
  }

  const gitToken = raw('DEVCONTAINER_GIT_TOKEN') ?? (env.GH_TOKEN || undefined);
  const gitUsername = raw('DEVCONTAINER_GIT_USERNAME') ?? 'x-access-token';
  const gitDepth = int('DEVCONTAINER_GIT_DEPTH', 1, 0);
  const cacheFrom = list('DEVCONTAINER_CACHE_FROM');
  const cacheTo = raw('DEVCONTAINER_CACHE_TO');
  const dockerHost = raw('DOCKER_HOST');
  if (dockerHost && !/^(unix|tcp|ssh|npipe|fd):\/\//.test(dockerHost)) {
    problems.push(`${label('DOCKER_HOST')}: must be a unix://, tcp:// or ssh:// address, got '${dockerHost}'`);
  }
  const dockerWaitSeconds = int('DEVCONTAINER_DOCKER_WAIT', 120, 1);

  const coder = coderSettings(env, readers, problems);
  const { agentMode } = coderMode(readers, coder, problems);
  const hookFailure = oneOf('DEVCONTAINER_HOOK_FAILURE', ['fail', 'continue'] as const, 'fail');

  const statusRaw = raw('DEVCONTAINER_STATUS_FILE');
  const statusFile = statusRaw ? resolve(cwd, statusRaw) : defaultStatusFile(workspaceFolder);
  const mounts = list('DEVCONTAINER_MOUNTS');
  const remoteEnv = list('DEVCONTAINER_REMOTE_ENV');
  for (const e of remoteEnv)
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) problems.push(`${label('DEVCONTAINER_REMOTE_ENV')}: '${e.split('=')[0]}' is not NAME=VALUE`);
  const ownerRaw = raw('DEVCONTAINER_WORKSPACE_OWNER');
  let workspaceOwner: BuilderSettings['workspaceOwner'];
  if (ownerRaw) {
    const m = /^(\d+):(\d+)$/.exec(ownerRaw);
    if (m) workspaceOwner = { uid: Number(m[1]), gid: Number(m[2]) };
    else problems.push(`${label('DEVCONTAINER_WORKSPACE_OWNER')}: must be UID:GID, got '${ownerRaw}'`);
  }
  const supervise = bool('DEVCONTAINER_SUPERVISE', true);
  const workspaceName = (raw('DEVCONTAINER_WORKSPACE_NAME') ?? env.CODER_WORKSPACE_NAME ?? repoName) || repoName;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(workspaceName))
    problems.push(`${label('DEVCONTAINER_WORKSPACE_NAME')}: '${workspaceName}' must be letters, digits, '.', '_' or '-'`);

  const cacheRepoRaw = raw('DEVCONTAINER_CACHE_REPO');
  const cacheRepo = cacheRepoRaw ? parseCacheRepo(cacheRepoRaw) : undefined;
  if (cacheRepoRaw && !cacheRepo)
    problems.push(`${label('DEVCONTAINER_CACHE_REPO')}: must be host[:port]/repository (lower case, no tag), got '${cacheRepoRaw}'`);
  const dockerConfigRaw = raw('DEVCONTAINER_DOCKER_CONFIG');
  const dockerConfigFile = dockerConfigRaw ? resolve(cwd, dockerConfigRaw) : undefined;
  if (dockerConfigFile) {
    // Checked now (exit 2 before any work); read again when used, never kept in the settings.
    const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
    try {
      parseDockerConfig(readFile(dockerConfigFile));
    } catch (error) {
      const why =
        error instanceof PrebuildCacheError ? error.message : `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
      problems.push(`${label('DEVCONTAINER_DOCKER_CONFIG')}: ${dockerConfigFile}: ${why}`);
    }
  }
  const dotfilesRepository = raw('DEVCONTAINER_DOTFILES_REPOSITORY');
  if (dotfilesRepository && hasPassword(dotfilesRepository))
    problems.push(`${label('DEVCONTAINER_DOTFILES_REPOSITORY')}: must not contain a password or token`);
  const dotfilesInstall = raw('DEVCONTAINER_DOTFILES_INSTALL_COMMAND');
  const dotfilesTarget = raw('DEVCONTAINER_DOTFILES_TARGET_PATH');
  if (!dotfilesRepository && (dotfilesInstall || dotfilesTarget))
    problems.push(`${label('DEVCONTAINER_DOTFILES_REPOSITORY')}: required with DEVCONTAINER_DOTFILES_INSTALL_COMMAND or _TARGET_PATH`);
  const dotfiles = dotfilesRepository
    ? { repository: dotfilesRepository, installCommand: dotfilesInstall, targetPath: dotfilesTarget }
    : undefined;
  const userStorageRaw = raw('DEVCONTAINER_USER_STORAGE');
  const userStorageTarget = raw('DEVCONTAINER_USER_STORAGE_TARGET') ?? '/mnt/user-storage';
  let userStorage: BuilderSettings['userStorage'];
  if (userStorageRaw) {
    if (!isAbsolute(userStorageRaw))
      problems.push(`${label('DEVCONTAINER_USER_STORAGE')}: must be an absolute path, got '${userStorageRaw}'`);
    if (!isAbsolute(userStorageTarget) || /[,=]/.test(userStorageTarget))
      problems.push(
        `${label('DEVCONTAINER_USER_STORAGE_TARGET')}: must be an absolute path without ',' or '=', got '${userStorageTarget}'`,
      );
    if (/[,=]/.test(userStorageRaw)) problems.push(`${label('DEVCONTAINER_USER_STORAGE')}: must not contain ',' or '='`);
    userStorage = { source: userStorageRaw, target: userStorageTarget };
  }
  const sshKeyRaw = raw('DEVCONTAINER_GIT_SSH_KEY_FILE');
  const sshKnownRaw = raw('DEVCONTAINER_GIT_SSH_KNOWN_HOSTS');
  const hostKeyCheck = oneOf('DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK', ['strict', 'accept-new'] as const, 'strict');
  let gitSsh: BuilderSettings['gitSsh'];
  if (sshKeyRaw) {
    const keyFile = resolve(cwd, sshKeyRaw);
    const knownHostsFile = sshKnownRaw ? resolve(cwd, sshKnownRaw) : undefined;
    const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
    // Checked now (exit 2 before any work); read again when used, never kept in the settings.
    try {
      if (!looksLikePrivateKey(readFile(keyFile)))
        problems.push(`${label('DEVCONTAINER_GIT_SSH_KEY_FILE')}: ${keyFile} is not a private key (no -----BEGIN … PRIVATE KEY----- line)`);
    } catch (error) {
      problems.push(
        `${label('DEVCONTAINER_GIT_SSH_KEY_FILE')}: ${keyFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (knownHostsFile) {
      try {
        readFile(knownHostsFile);
      } catch (error) {
        problems.push(
          `${label('DEVCONTAINER_GIT_SSH_KNOWN_HOSTS')}: ${knownHostsFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
    } else if (hostKeyCheck === 'strict')
      problems.push(
        `${label('DEVCONTAINER_GIT_SSH_KNOWN_HOSTS')}: required with DEVCONTAINER_GIT_SSH_KEY_FILE (strict host key checking): a known_hosts file with the server's key (ssh-keyscan -p PORT HOST, checked out of band), or DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK=accept-new`,
      );
    gitSsh = { keyFile, knownHostsFile, hostKeyCheck };
  } else if (sshKnownRaw) problems.push(`${label('DEVCONTAINER_GIT_SSH_KNOWN_HOSTS')}: only used with DEVCONTAINER_GIT_SSH_KEY_FILE`);
  const caCertRaw = raw('DEVCONTAINER_CA_CERT');
  const caCertFile = caCertRaw ? resolve(cwd, caCertRaw) : undefined;
  const caCertInContainer = bool('DEVCONTAINER_CA_CERT_IN_CONTAINER', true);
  const extensions = list('DEVCONTAINER_EXTENSIONS');
  const extensionsDirRaw = raw('DEVCONTAINER_EXTENSIONS_DIR');
  const fallbackImage = raw('DEVCONTAINER_FALLBACK_IMAGE');
  if (fallbackImage && (/\s/.test(fallbackImage) || fallbackImage.startsWith('-')))
    problems.push(`${label('DEVCONTAINER_FALLBACK_IMAGE')}: '${fallbackImage}' is not an image reference`);

  if (problems.length > 0 || !repository) return { settings: undefined, problems };
  return {
    problems,
    settings: {
      repository: local ? resolve(cwd, repository) : repository,
      repositoryInPlace,
      branch,
      workspaceFolder,
      workspaceName,
      configPath,
      gitUsername,
      gitToken,
      gitDepth,
      cacheFrom,
      cacheTo,
      dockerHost,
      dockerWaitSeconds,
      coder,
      hookFailure,
      agentMode,
      statusFile,
      stateDir: join(dirname(statusFile), `${basename(workspaceFolder)}.state`),
      // The user's storage is one more bind mount, and its path is in the devcontainer's remote env.
      mounts: userStorage ? [...mounts, `type=bind,source=${userStorage.source},target=${userStorage.target}`] : mounts,
      remoteEnv: userStorage ? [...remoteEnv, `DEVCONTAINER_USER_STORAGE=${userStorage.target}`] : remoteEnv,
      workspaceOwner,
      supervise,
      cacheRepo,
      dockerConfigFile,
      caCertFile,
      caCertInContainer,
      gitSsh,
      dotfiles,
      userStorage,
      extensions,
      extensionsDir: extensionsDirRaw ? resolve(cwd, extensionsDirRaw) : undefined,
      fallbackImage,
    },
  };
}

/** `host[:port]/path` → registry and repository; undefined when malformed. Pure. */
export function parseCacheRepo(value: string): { registry: string; repository: string } | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0) return undefined;
  const registry = value.slice(0, slash);
  const repository = value.slice(slash + 1);
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(registry)) return undefined;
  if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository)) return undefined;
  return { registry, repository };
}

/** The checkout step's options from the settings (log, redactor and env come from the caller). Pure. */
export function checkoutSettings(settings: BuilderSettings) {
  return {
    repository: settings.repository,
    inPlace: settings.repositoryInPlace,
    branch: settings.branch,
    workspaceFolder: settings.workspaceFolder,
    depth: settings.gitDepth,
    username: settings.gitUsername,
    token: settings.gitToken,
    owner: settings.workspaceOwner,
  };
}
