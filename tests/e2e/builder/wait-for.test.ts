// waitFor: the agent starts once the `waitFor` hook has run; the hooks after it run in the
// background with their output in the "Builder: lifecycle hooks" source and their state in the
// status file. Also: a fresh checkout made writable for a non-root remote user when the builder runs
// as root, and an init script that exits or does not become `coder agent` reported at once; the
// user's shell probed once per start (userEnvProbe), whichever CLI runs run the hooks.
// A "slow" hook here waits for a release file the test writes: ordering, never timing.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { ensureDocker, runTestbed } from '../../support/testbed.js';
import {
  type BuilderRun,
  buildBuilder,
  cleanupDocker,
  dockerExec,
  git,
  readStatus,
  startBuilder,
  stopRuns,
  waitFor,
  waitForHooks,
} from './support.js';

const PREFIX = 'dck-waitfor-e2e';
// The builder fixture's Dockerfile (Docker's layer cache shares its steps): a user `dev`, uid 1000.
const DOCKERFILE = [
  'FROM local/debian:bookworm',
  'ARG WITH_CURL=0',
  'RUN shell=/bin/bash; [ -x /usr/bin/zsh ] && shell=/usr/bin/zsh; useradd --create-home --uid 1000 --shell "$shell" dev',
  // The CLI's userEnvProbe (an interactive login shell) leaves a line per probe, and a variable.
  `RUN printf '%s\\n' 'echo probe >> /tmp/dck-shell-probes' 'export DCK_FROM_BASHRC=probed' | tee -a /home/dev/.bashrc >> /home/dev/.zshrc`,
  '',
].join('\n');
/** A hook that says it started, prints a line, then blocks until `.release-<name>` exists in the workspace. */
const gated = (name: string) =>
  `echo ${name}-output-line; touch $HOME/${name}-started; i=0; while [ ! -f .release-${name} ] && [ $i -lt 1500 ]; do sleep 0.2; i=$((i+1)); done; touch $HOME/${name}-done`;

let root: string;
let standin: CoderStandin;
let agentBinary: string;
const names: string[] = [];
const runs: BuilderRun[] = [];

/** A bare repository (cloned over file://) holding a devcontainer built from DOCKERFILE. */
function remote(name: string, config: Record<string, unknown>): string {
  const work = join(root, `${name}-work`);
  mkdirSync(join(work, '.devcontainer'), { recursive: true });
  writeFileSync(join(work, '.devcontainer/Dockerfile'), DOCKERFILE);
  const base = { build: { dockerfile: 'Dockerfile', options: ['--network=host'] }, runArgs: ['--network=host'], remoteUser: 'dev' };
  writeFileSync(join(work, '.devcontainer/devcontainer.json'), JSON.stringify({ name, ...base, ...config }, null, 2));
  git(work, 'init', '-q');
  git(work, 'add', '-A');
  git(work, 'commit', '-qm', 'fixture');
  const bare = join(root, `${name}.git`);
  git(root, 'clone', '-q', '--bare', work, bare);
  return `file://${bare}`;
}

function env(name: string, repository: string, extra: Record<string, string> = {}): Record<string, string> {
  names.push(`${PREFIX}-${name}`);
  return {
    DEVCONTAINER_REPOSITORY: repository,
    DEVCONTAINER_WORKSPACE_FOLDER: join(root, 'workspaces', `${PREFIX}-${name}`),
    DEVCONTAINER_WORKSPACE_NAME: `${PREFIX}-${name}`,
    DEVCONTAINER_STATUS_FILE: join(root, 'workspaces', `${name}.status.json`),
    CODER_AGENT_URL: standin.url,
    CODER_AGENT_TOKEN: standin.agentToken,
    ...extra,
  };
}

function sourceLines(displayName: string): string[] {
  const ids = standin
    .sources()
    .filter((s) => s.display_name === displayName)
    .map((s) => s.id);
  return standin
    .logs()
    .filter((l) => ids.includes(l.log_source_id))
    .map((l) => l.output);
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field by the assertions
async function waitForAgent(e: Record<string, string>, run: BuilderRun): Promise<Record<string, any>> {
  return await waitFor(
    'the agent to run',
    () => {
      const s = readStatus(e.DEVCONTAINER_STATUS_FILE as string);
      return s && s.pid === run.child.pid && s.agent?.pid > 0 && s.phase === 'supervise' ? s : undefined;
    },
    { run },
  );
}

beforeAll(async () => {
  ensureDocker();
  agentBinary = runTestbed('fake-coder-agent');
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  standin = await startCoderStandin({ agentBinaries: { amd64: agentBinary } });
  buildBuilder();
}, 300_000);

afterAll(async () => {
  await stopRuns(runs);
  await standin?.close();
  try {
    cleanupDocker(names, PREFIX);
  } finally {
    if (root) rmSync(root, { recursive: true, force: true });
  }
});

describe('waitFor', () => {
  it('default waitFor (updateContentCommand): the agent runs while a slow postCreateCommand still runs; a root builder makes the checkout writable for the remote user', async () => {
    const e = env(
      'default',
      remote('default', {
        onCreateCommand: 'echo on-create >> $HOME/on-create',
        // Writes into the workspace as `dev`: only possible once the root-made checkout is dev's.
        postCreateCommand: `echo written-by-dev > written-by-post-create && echo run >> $HOME/post-create-runs && echo "$DCK_FROM_BASHRC" > $HOME/post-create-env && ${gated('post-create')}`,
        postStartCommand: 'echo start >> $HOME/post-start',
      }),
    );
    const run = startBuilder(e);
    runs.push(run);
    const status = await waitForAgent(e, run);
    const c = status.containerId as string;
    // The agent is up, postCreate has started and has not ended: it runs in the background.
    await waitFor('postCreate to start', () => dockerExec(c, 'dev', 'ls $HOME').split('\n').includes('post-create-started') || undefined);
    expect(dockerExec(c, 'dev', 'ls $HOME').split('\n')).not.toContain('post-create-done');
    const now = readStatus(e.DEVCONTAINER_STATUS_FILE as string);
    expect(now?.hooks).toMatchObject({
      waitFor: 'updateContentCommand',
      running: ['postCreateCommand'],
      pending: ['postStartCommand'],
      done: ['onCreateCommand'],
    });
    expect(now?.phase).toBe('supervise');
    // Its output is streamed to its own log source while it runs.
    await waitFor(
      'postCreate output in its log source',
      () => sourceLines('Builder: lifecycle hooks').some((l) => l.includes('post-create-output-line')) || undefined,
    );
    expect(sourceLines('Builder: lifecycle hooks').join('\n')).toMatch(
      /the workspace is usable after updateContentCommand \(waitFor\); running postCreateCommand, postStartCommand in the background/,
    );

    // No CODER_INIT_SCRIPT: binary mode was certain from the start, so the agent binary came while up ran.
    expect(sourceLines('Builder: Coder agent').join('\n')).toMatch(
      /agent binary: [\d.]+ MB in [\d.]+ s \([\d.]+ MB\/s\), size and sha1 verified \(downloaded while devcontainer up ran\)|waiting for the agent binary download started while devcontainer up ran/,
    );

    // Root on the host, remote user dev: the fresh checkout is dev's, and postCreate wrote into it.
    const ws = e.DEVCONTAINER_WORKSPACE_FOLDER as string;
    expect(sourceLines('Builder: devcontainer up').join('\n')).toMatch(
      /the builder runs as root and the remote user dev is not: made the fresh checkout .* writable for it \(chown 1000:1000/,
    );
    expect(statSync(join(ws, 'written-by-post-create')).uid).toBe(1000);
    expect(statSync(join(ws, '.devcontainer/devcontainer.json')).uid).toBe(1000);

    writeFileSync(join(ws, '.release-post-create'), '');
    const done = await waitForHooks(e.DEVCONTAINER_STATUS_FILE as string, run);
    expect(done.hooks).toMatchObject({ done: ['onCreateCommand', 'postCreateCommand', 'postStartCommand'], failed: [] });
    expect(done.phases.hooks.outcome).toBe('success');
    expect(dockerExec(c, 'dev', 'ls $HOME').split('\n')).toEqual(expect.arrayContaining(['on-create', 'post-create-done', 'post-start']));
    // The user's shell was probed once for this start (as by one `devcontainer up`), though two CLI
    // runs ran hooks (onCreate before the agent, the rest after): the second read the first's result.
    expect(dockerExec(c, 'dev', 'cat /tmp/dck-shell-probes')).toBe('probe');
    expect(dockerExec(c, 'dev', 'cat $HOME/post-create-env')).toBe('probed');
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);

    // Upstream moves on (the devcontainer configuration does not).
    const work = join(root, 'default-work');
    writeFileSync(join(work, 'UPDATED'), 'new upstream commit\n');
    git(work, 'add', 'UPDATED');
    git(work, 'commit', '-qm', 'upstream');
    git(work, 'push', '-q', join(root, 'default.git'), 'HEAD:refs/heads/main');
    const upstream = git(work, 'rev-parse', 'HEAD').trim();

    // A warm restart (container stopped, nothing changed): docker start instead of devcontainer up, the
    // agent first (one docker exec, as the first start left it), then the checkout update, then
    // run-user-commands reruns exactly what the spec reruns: postStart (and postAttach).
    const again = startBuilder(e);
    runs.push(again);
    await waitForAgent(e, again);
    const restarted = await waitForHooks(e.DEVCONTAINER_STATUS_FILE as string, again);
    expect(restarted).toMatchObject({ containerId: c, reused: true, cache: 'hit' });
    expect(restarted.hooks).toMatchObject({ failed: [], skipped: [] });
    expect(restarted.hooks.done).toEqual(expect.arrayContaining(['postCreateCommand', 'postStartCommand']));
    await waitFor(
      'the warm start line',
      () =>
        sourceLines('Builder: devcontainer up').some((l) => /^started container [0-9a-f]{12} .*no devcontainer up needed/.test(l)) ||
        undefined,
    );
    expect(dockerExec(c, 'dev', 'cat $HOME/on-create $HOME/post-create-runs $HOME/post-start')).toBe('on-create\nrun\nstart\nstart');
    expect(sourceLines('Builder: Coder agent').join('\n')).toMatch(/started as the last start left it, no preparation needed/);
    // The checkout was not fetched before the start; it was fast-forwarded once the agent ran.
    const checkout = sourceLines('Builder: checkout').join('\n');
    expect(checkout).toMatch(/using the existing checkout at [0-9a-f]{12}; fetching .* after the workspace starts/);
    expect(checkout).toMatch(new RegExp(`fast-forwarded .*: [0-9a-f]{12} → ${upstream.slice(0, 12)}`));
    expect(checkout).not.toMatch(/configuration changed/);
    expect(git(ws, '-c', 'safe.directory=*', 'rev-parse', 'HEAD').trim()).toBe(upstream);
    expect(restarted.commit).toBe(upstream);
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 600_000);

  it('waitFor postStartCommand: postCreate runs before the agent (the spec), the slow postAttachCommand after it', async () => {
    const e = env(
      'poststart',
      remote('poststart', {
        waitFor: 'postStartCommand',
        postCreateCommand: 'echo post-create > $HOME/post-create',
        postStartCommand: 'echo start >> $HOME/post-start',
        postAttachCommand: gated('post-attach'),
      }),
      // The checkout is made dev's at clone time: `devcontainer up` runs the hooks up to waitFor itself.
      { DEVCONTAINER_WORKSPACE_OWNER: '1000:1000' },
    );
    const run = startBuilder(e);
    runs.push(run);
    const status = await waitForAgent(e, run);
    const c = status.containerId as string;
    await waitFor('postAttach to start', () => dockerExec(c, 'dev', 'ls $HOME').split('\n').includes('post-attach-started') || undefined);
    const home = dockerExec(c, 'dev', 'ls $HOME').split('\n');
    expect(home).toEqual(expect.arrayContaining(['post-create', 'post-start']));
    expect(home).not.toContain('post-attach-done');
    expect(readStatus(e.DEVCONTAINER_STATUS_FILE as string)?.hooks).toMatchObject({
      waitFor: 'postStartCommand',
      running: ['postAttachCommand'],
      done: ['postCreateCommand', 'postStartCommand'],
    });
    await waitFor(
      'postAttach output in its log source',
      () => sourceLines('Builder: lifecycle hooks').some((l) => l.includes('post-attach-output-line')) || undefined,
    );
    writeFileSync(join(e.DEVCONTAINER_WORKSPACE_FOLDER as string, '.release-post-attach'), '');
    await waitForHooks(e.DEVCONTAINER_STATUS_FILE as string, run);
    // One probe for the start: `up` probed, the background run-user-commands read its result.
    expect(dockerExec(c, 'dev', 'cat /tmp/dck-shell-probes')).toBe('probe');

    // A restart of the stopped container: postStart and postAttach again (the spec), postCreate not.
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);
    rmSync(join(e.DEVCONTAINER_WORKSPACE_FOLDER as string, '.release-post-attach'));
    const again = startBuilder(e);
    runs.push(again);
    await waitForAgent(e, again);
    writeFileSync(join(e.DEVCONTAINER_WORKSPACE_FOLDER as string, '.release-post-attach'), '');
    const restarted = await waitForHooks(e.DEVCONTAINER_STATUS_FILE as string, again);
    expect(restarted.reused).toBe(true);
    expect(restarted.hooks).toMatchObject({ done: expect.arrayContaining(['postStartCommand', 'postAttachCommand']), failed: [] });
    expect(dockerExec(c, 'dev', 'cat $HOME/post-create')).toBe('post-create');
    expect(dockerExec(c, 'dev', 'cat $HOME/post-start')).toBe('start\nstart');
    // The warm start's one CLI run probed once more.
    expect(dockerExec(c, 'dev', 'cat /tmp/dck-shell-probes')).toBe('probe\nprobe');
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(0);
  }, 600_000);
});

describe('agent start diagnosis', () => {
  const script = (body: string) => `#!/bin/sh\n${body}\n`;
  it('an init script that exits, or that becomes something other than `coder agent`, is reported with its last output', async () => {
    const repository = remote('diag', {});
    for (const [name, body, expected] of [
      ['diag-exit', 'echo first-line-of-init; echo last-line-of-init >&2; exit 7', /the agent exited \(code 7\) before it was running/],
      ['diag-other', 'echo about-to-sleep; exec sleep 600', /runs `sleep 600 ?`, which does not look like `coder agent`/],
    ] as const) {
      const e = env(name, repository, { CODER_INIT_SCRIPT: script(body), DEVCONTAINER_AGENT_MODE: 'script' });
      const run = startBuilder(e);
      runs.push(run);
      const r = await run.exited;
      expect(r.code).toBe(1);
      const status = readStatus(e.DEVCONTAINER_STATUS_FILE as string);
      expect(status?.lastError).toMatchObject({ code: 'agent-failed', phase: 'agent', message: expect.stringMatching(expected) });
      const agentLog = sourceLines('Builder: Coder agent').join('\n');
      expect(agentLog).toMatch(name === 'diag-exit' ? /last-line-of-init/ : /about-to-sleep/);
      expect(agentLog).toMatch(/last output of the init script:/);
    }
  }, 600_000);
});
