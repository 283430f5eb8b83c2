// Test bed access for this package's tests (the shared runTestbed from tests/support/testbed runs
// tests/testbed/*.sh; each prints its result on stdout) and a disposable workspace container started
// from local/debian:bookworm.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export { runTestbed } from '../../../../tests/support/testbed.js';

export function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

export function uniqueName(what: string): string {
  return `dck-workspace-test-${what}-${randomBytes(4).toString('hex')}`;
}

export interface FixtureWorkspace {
  container: string;
  remove(): void;
}

/**
 * A running container shaped like a built devcontainer: user `dev`, /workspaces/app owned by dev,
 * containerEnv, a tmpfs mount, the builder's status file, optional fake `code-server` and `coder agent`.
 */
export function startFixtureWorkspace(options: {
  env?: Record<string, string>;
  status?: unknown;
  extensions?: string[] | false;
  agent?: boolean;
  labels?: Record<string, string>;
}): FixtureWorkspace {
  const container = uniqueName('ws');
  const envFlags = Object.entries(options.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const labelFlags = Object.entries(options.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  docker([
    'run',
    '-d',
    '--name',
    container,
    '--network=host',
    '--tmpfs',
    '/home/dev/.cache',
    ...envFlags,
    ...labelFlags,
    'local/debian:bookworm',
    'sleep',
    'infinity',
  ]);
  const remove = () => {
    try {
      docker(['rm', '-f', container]);
    } catch {}
  };
  try {
    const setup = [
      'set -e',
      'useradd --create-home --shell /bin/bash dev',
      'mkdir -p /workspaces/app/.devcontainer-builder',
      'chown -R dev:dev /workspaces/app /home/dev',
    ];
    if (options.status !== undefined)
      setup.push(`cat > /workspaces/app/.devcontainer-builder/status.json <<'JSON'\n${JSON.stringify(options.status, null, 2)}\nJSON`);
    if (options.extensions) {
      // A stand-in for code-server's --list-extensions (the real server needs a multi-minute image build).
      setup.push(
        `cat > /usr/local/bin/code-server <<'SH'\n#!/bin/sh\n[ "$1" = --list-extensions ] || exit 2\n${options.extensions.map((e) => `echo ${e}`).join('\n')}\nSH`,
        'chmod 0755 /usr/local/bin/code-server',
      );
    }
    docker(['exec', '-i', container, 'bash', '-c', setup.join('\n')]);
    // A process whose command line is `coder agent …`, as the builder's agent has.
    if (options.agent ?? true) docker(['exec', '-d', '-u', 'dev', container, 'bash', '-c', 'exec -a "/tmp/coder agent" sleep infinity']);
  } catch (error) {
    remove();
    throw error;
  }
  return { container, remove };
}
