// A fake `docker` first on the context's PATH (no Docker needed): it records each call's arguments
// and environment and answers from a table of shell glob patterns over its arguments.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext, type DockerContext } from '@devcontainer-kit/docker-context';
import type { PhaseLog } from '../../src/phase-log.js';
import type { PhaseContext } from '../../src/phases/context.js';
import { createRedactor } from '../../src/redact.js';
import { parseSettings } from '../../src/settings.js';
import { createStatus } from '../../src/status.js';

export interface FakeAnswer {
  /** Shell glob over "$*", e.g. `ps -a -q*`. */
  match: string;
  stdout?: string;
  exit?: number;
}

export interface FakeDocker {
  ctx: DockerContext;
  /** Every call's arguments, in order. */
  calls(): string[];
  /** Every call's environment (`env` output), concatenated. */
  environments(): string;
}

export function fakeDocker(answers: FakeAnswer[], o: { signal?: AbortSignal; env?: Record<string, string> } = {}): FakeDocker {
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const cases = answers.map((a, i) => {
    writeFileSync(join(dir, `out-${i}`), a.stdout ?? '');
    return `  ${a.match.replace(/ /g, '\\ ')}) cat '${dir}/out-${i}'; exit ${a.exit ?? 0} ;;`;
  });
  writeFileSync(
    join(dir, 'docker'),
    [
      '#!/bin/sh',
      `printf '%s\\n' "$*" >> '${dir}/calls'`,
      `env >> '${dir}/env'`,
      'case "$*" in',
      ...cases,
      '  *) exit 0 ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch {
      return '';
    }
  };
  return {
    // DOCKER_CONTEXT: the context's Engine API shortcut (docker-context's requestEngine) stays off, so
    // every docker call goes through this fake CLI.
    ctx: createDockerContext({
      env: { PATH: `${dir}:/usr/bin:/bin`, HOME: tmpdir(), DOCKER_CONTEXT: 'fake-docker', ...o.env },
      signal: o.signal,
    }),
    calls: () => read('calls').split('\n').filter(Boolean),
    environments: () => read('env'),
  };
}

export function memoryLog(): PhaseLog & { lines: { line: string; level: string }[]; text(): string } {
  const lines: { line: string; level: string }[] = [];
  return {
    lines,
    write: (line, level) => lines.push({ line, level }),
    close: async () => {},
    text: () => lines.map((l) => l.line).join('\n'),
  };
}

/** A phase context over a fake docker and settings from env (a repository is always set). */
export function phaseContext(
  docker: DockerContext,
  env: Record<string, string> = {},
): PhaseContext & { log: ReturnType<typeof memoryLog> } {
  const ws = mkdtempSync(join(tmpdir(), 'phase-ws-'));
  const { settings, problems } = parseSettings({
    env: { DEVCONTAINER_REPOSITORY: 'https://git.example/app.git', DEVCONTAINER_WORKSPACE_FOLDER: join(ws, 'app'), ...env },
  });
  if (!settings) throw new Error(problems.join('\n'));
  const status = createStatus({ workspace: settings.workspaceName, workspaceFolder: settings.workspaceFolder });
  return {
    settings,
    docker,
    localEnv: env,
    log: memoryLog(),
    status,
    redactor: createRedactor([settings.gitToken, settings.coder?.agentToken]),
    state: { agentRestarts: 0 },
    save: async () => {},
    backoff: { initialMs: 10, maxMs: 20 },
    fetch: async () => {
      throw new TypeError('fetch failed: no network in this test');
    },
  };
}
