// Git over SSH (DEVCONTAINER_GIT_SSH_KEY_FILE, DEVCONTAINER_GIT_SSH_KNOWN_HOSTS): a private key and a
// known_hosts file from a Secret. ssh refuses a key others can read (a Secret mount is often 0644) and
// the mount is read-only, so the builder copies both into a private directory (0700, files 0600) and
// gives git a GIT_SSH_COMMAND naming those copies: no user ssh config, only that key, no agent, batch
// mode (never a prompt), and strict host key checking against that known_hosts alone unless
// DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK=accept-new. The key's content is never in argv, an environment
// variable or a log line — argv holds its path.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DockerContext } from '@devcontainer-kit/docker-context';
import { BuilderError } from './errors.js';

export type HostKeyCheck = 'strict' | 'accept-new';

export interface PreparedGitSsh {
  dir: string;
  /** GIT_SSH_COMMAND for git's children. */
  env: { GIT_SSH_COMMAND: string };
  remove: () => Promise<void>;
}

/** Pure: whether a file's text looks like a private key (OpenSSH or PEM), without keeping any of it. */
export function looksLikePrivateKey(text: string): boolean {
  return /-----BEGIN (OPENSSH |RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----/.test(text);
}

/** Pure: a single-quoted shell word (GIT_SSH_COMMAND is run by a shell). */
function quote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/** Pure: the ssh command line git runs. */
export function gitSshCommand({ key, knownHosts, hostKeyCheck }: { key: string; knownHosts: string; hostKeyCheck: HostKeyCheck }): string {
  return [
    'ssh',
    '-F',
    '/dev/null',
    '-i',
    quote(key),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${quote(knownHosts)}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    `StrictHostKeyChecking=${hostKeyCheck === 'strict' ? 'yes' : 'accept-new'}`,
    '-o',
    'ConnectTimeout=30',
  ].join(' ');
}

async function read(setting: string, file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new BuilderError(`${setting}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`, {
      code: 'settings',
      phase: 'checkout',
    });
  }
}

/** Copies the key and known_hosts into a new private directory; throws `BuilderError` (`settings`) naming the file. */
export async function prepareGitSsh({
  keyFile,
  knownHostsFile,
  hostKeyCheck = 'strict',
  parent = tmpdir(),
}: {
  keyFile: string;
  knownHostsFile?: string | undefined;
  hostKeyCheck?: HostKeyCheck;
  parent?: string;
}): Promise<PreparedGitSsh> {
  const key = await read('DEVCONTAINER_GIT_SSH_KEY_FILE', keyFile);
  if (!looksLikePrivateKey(key))
    throw new BuilderError(`DEVCONTAINER_GIT_SSH_KEY_FILE: ${keyFile} is not a private key (no -----BEGIN … PRIVATE KEY----- line)`, {
      code: 'settings',
      phase: 'checkout',
    });
  const knownHosts = knownHostsFile ? await read('DEVCONTAINER_GIT_SSH_KNOWN_HOSTS', knownHostsFile) : '';
  const dir = await mkdtemp(join(parent, 'devcontainer-builder-ssh-'));
  const keyCopy = join(dir, 'id');
  const knownCopy = join(dir, 'known_hosts');
  await writeFile(keyCopy, key.endsWith('\n') ? key : `${key}\n`, { mode: 0o600 });
  await writeFile(knownCopy, knownHosts, { mode: 0o600 });
  return {
    dir,
    env: { GIT_SSH_COMMAND: gitSshCommand({ key: keyCopy, knownHosts: knownCopy, hostKeyCheck }) },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Pure: the same Docker context with GIT_SSH_COMMAND set (git gets the context's environment). */
export function withGitSsh(ctx: DockerContext, prepared: Pick<PreparedGitSsh, 'env'>): DockerContext {
  return Object.freeze({ ...ctx, env: Object.freeze({ ...ctx.env, ...prepared.env }) });
}
