import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import { ensureDocker, runTestbed } from '../../support/testbed.js';
import {
  type BuilderRun,
  buildBuilder,
  cleanupDocker,
  createFixtureRemote,
  dockerExec,
  dockerOut,
  type FixtureRemote,
  readStatus,
  renderInitScript,
  startBuilder,
  stopRuns,
  waitFor,
  waitForHooks,
} from './support.js';

const PREFIX = 'dck-builder-e2e';
const GIT_TOKEN = `gittok-${crypto.randomUUID()}`;
// coderd agent tokens are UUIDs (the stand-in refuses anything else, as coderd does).
const AGENT_TOKEN = crypto.randomUUID();
const PHASE_NAMES = [
  'Builder: preflight',
  'Builder: checkout',
  'Builder: devcontainer.json',
  'Builder: devcontainer up',
  'Builder: Coder agent',
  'Builder: supervise',
];

let root: string;
let remote: FixtureRemote;
let gitServer: GitServer;
let agentBinary: string;
const workspaceNames: string[] = [];
const allOutput: string[] = [];
const runs: BuilderRun[] = [];

function track(run: BuilderRun): BuilderRun {
  runs.push(run);
  return run;
}

function builderEnv(o: { name: string; branch?: string; standin?: CoderStandin; extra?: Record<string, string> }): Record<string, string> {
  workspaceNames.push(o.name);
  const env: Record<string, string> = {
    DEVCONTAINER_REPOSITORY: `${gitServer.url}fixture.git`,
    DEVCONTAINER_WORKSPACE_FOLDER: join(root, 'workspaces', `${PREFIX}-${o.name}`),
    DEVCONTAINER_WORKSPACE_NAME: `${PREFIX}-${o.name}`,
    DEVCONTAINER_STATUS_FILE: join(root, 'workspaces', `${o.name}.status.json`),
    DEVCONTAINER_GIT_TOKEN: GIT_TOKEN,
    ...(o.branch ? { DEVCONTAINER_BRANCH: o.branch } : {}),
    ...(o.standin
      ? { CODER_AGENT_URL: o.standin.url, CODER_AGENT_TOKEN: o.standin.agentToken, CODER_INIT_SCRIPT: renderInitScript(o.standin.url) }
      : {}),
    ...o.extra,
  };
  return env;
}

async function stop(run: BuilderRun): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  run.child.kill('SIGTERM');
  const r = await run.exited;
  allOutput.push(run.stdout(), run.stderr());
  return { code: r.code, ms: r.at - t0 };
}

/** A TCP relay on 127.0.0.1 to another loopback port: a second address for the same server. */
async function startRelay(targetPort: number): Promise<{ url: string; close(): void }> {
  const server = createServer((socket) => {
    const upstream = connect(targetPort, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

/** The status file of this very run says supervise (not a previous run's). */
// biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field by the assertions
async function waitForSupervise(env: Record<string, string>, run: BuilderRun): Promise<Record<string, any>> {
  return await waitFor(
    'the supervise phase',
    () => {
      const s = readStatus(env.DEVCONTAINER_STATUS_FILE as string);
      return s?.phase === 'supervise' && s.pid === run.child.pid ? s : undefined;
    },
    { run },
  );
}

function expectNoSecrets(texts: Iterable<string>): void {
  for (const t of texts) {
    expect(t).not.toContain(AGENT_TOKEN);
    expect(t).not.toContain(GIT_TOKEN);
  }
}

function standinOutputs(s: CoderStandin): string[] {
  return s.logs().map((l) => l.output);
}

beforeAll(async () => {
  ensureDocker();
  agentBinary = runTestbed('fake-coder-agent');
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  remote = createFixtureRemote(root);
  gitServer = await startGitServer({ root, token: GIT_TOKEN });
  buildBuilder();
}, 300_000);

// A test that failed before stopping its builder leaves it running: stop it here, or the next test
// on the same workspace would meet it (a second builder, a failure that is only this one's echo).
afterEach(async () => {
  await stopRuns(runs);
}, 30_000);

afterAll(async () => {
  await stopRuns(runs);
  await gitServer?.close();
  try {
    cleanupDocker(
      workspaceNames.map((n) => `${PREFIX}-${n}`),
      PREFIX,
    );
  } finally {
    // Workspaces may hold files the containers' users wrote.
    if (root) rmSync(root, { recursive: true, force: true });
  }
});

describe('script mode: a devcontainer with curl (and zsh as login shell)', () => {
  let standin: CoderStandin;
  let env: Record<string, string>;
  let firstContainer: string;
  let relay: { url: string; close(): void };

  beforeAll(async () => {
    standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
    // The agent inside reaches Coder at another address (a TCP relay to the stand-in, as a cluster-internal
    // Service would be): the builder rewrites the script's access URL.
    relay = await startRelay(standin.port);
    env = builderEnv({
      name: 'curl',
      branch: 'with-curl',
      standin,
      extra: { DEVCONTAINER_AGENT_URL: relay.url },
    });
  });
  afterAll(async () => {
    relay?.close();
    await standin?.close();
  });

  it('builds, runs every hook, starts the agent as the remote user, logs each phase to Coder, and stops on SIGTERM', async () => {
    const run = track(startBuilder(env));
    const status = await waitForSupervise(env, run);
    const container = status.containerId as string;
    firstContainer = container;
    // 'built', or 'hit' when Docker's layer cache already holds every step from an earlier run.
    expect(['built', 'hit']).toContain(status.cache);
    expect(status.reused).toBe(false);
    expect(status.agent.mode).toBe('script');
    expect(status.agent.uid).toBe(1000);

    // The agent called Coder with the right URL and token, as `dev`, with the script's env.
    await waitFor('the agent to connect', () => standin.agentCalls().length > 0 || undefined);
    const call = standin.agentCalls()[0];
    expect(call?.userAgent).toMatch(/uid=1000 user=dev auth=token devcontainers=false home=\/home\/dev url=http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(call?.userAgent.endsWith(`url=${relay.url}`)).toBe(true);
    // The agent (and so every Coder terminal and app) starts with the devcontainer's remoteEnv, as
    // VS Code's terminals do locally; the token reached it by name, the value only in its environment.
    // (Read as `dev`, the agent's own user: root in the container has no CAP_SYS_PTRACE for it.)
    const agentEnv = dockerExec(container, 'dev', `tr '\\0' '\\n' < /proc/$(cat /tmp/.devcontainer-builder/agent.pid)/environ`);
    expect(agentEnv.split('\n')).toContain('FIXTURE_REMOTE_ENV=remote-env-value');
    // The status file is readable inside the devcontainer, where the agent's metadata scripts run.
    const statusPath = agentEnv
      .split('\n')
      .find((l) => l.startsWith('DEVCONTAINER_STATUS_FILE='))
      ?.slice('DEVCONTAINER_STATUS_FILE='.length);
    expect(statusPath).toBeTruthy();
    expect(JSON.parse(dockerExec(container, 'dev', `cat '${statusPath}'`)).containerId).toBe(container);
    expect(standinOutputs(standin).join('\n')).toMatch(/the agent starts with remoteEnv [^\n]*FIXTURE_REMOTE_ENV/);
    // The init script downloaded the agent itself (through the rewritten URL).
    await waitFor(
      'the download request to be recorded',
      () => standin.requests().some((r) => r.path === '/bin/coder-linux-amd64' && r.status === 200) || undefined,
      { timeoutMs: 10_000 },
    );

    // Hooks: onCreate/updateContent/postCreate/postStart/postAttach in the container, initialize on the host
    // (those after waitFor — updateContentCommand by default — in the background, once the agent started).
    const hooks = (await waitForHooks(env.DEVCONTAINER_STATUS_FILE as string, run)).hooks;
    expect(hooks).toEqual({
      waitFor: 'updateContentCommand',
      pending: [],
      running: [],
      done: ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'],
      failed: [],
      skipped: [],
    });
    for (const hook of ['onCreate', 'updateContent', 'postCreate', 'postStart', 'postAttach']) {
      expect(dockerExec(container, 'dev', `cat $HOME/markers/${hook}`)).toBe('dev container=container-env-value remote=remote-env-value');
    }
    expect(readFileSync(join(env.DEVCONTAINER_WORKSPACE_FOLDER as string, '.markers/initialize'), 'utf8')).toBe('initialize\n');
    expect(dockerExec(container, 'dev', 'cat /usr/local/share/marker-feature/greeting')).toBe('hello-from-option');
    expect(dockerExec(container, 'dev', 'echo $FIXTURE_CONTAINER_ENV $MARKER_FEATURE')).toBe('container-env-value installed');
    expect(dockerExec(container, 'dev', 'cat /mnt/fixture/hello.txt')).toBe('mounted-from-workspace');
    expect(dockerOut('inspect', container, '--format', '{{index .Config.Labels "devcontainer-kit.workspace"}}')).toBe(`${PREFIX}-curl`);

    // One log source per phase, in phase order, each with lines.
    await waitFor(
      'lines in all six log sources',
      () =>
        PHASE_NAMES.every((name) => standin.sources().some((src) => src.display_name === name && standin.logs(src.id).length > 0)) ||
        undefined,
      { timeoutMs: 10_000 },
    );
    // Other phases (e.g. extensions) may sit between them. A source reaches Coder with its first lines,
    // and preflight runs side by side with checkout and config (either may reach Coder first, as the
    // machine's load decides); the rest come in phase order, and preflight before up.
    const sources = standin.sources().filter((src) => PHASE_NAMES.includes(src.display_name));
    const names = sources.map((src) => src.display_name);
    expect([...names].sort()).toEqual([...PHASE_NAMES].sort());
    const sequential = names.filter((n) => n !== 'Builder: preflight');
    expect(sequential).toEqual(PHASE_NAMES.slice(1));
    expect(names.indexOf('Builder: preflight')).toBeLessThan(names.indexOf('Builder: devcontainer up'));
    const logs = standin.logs();
    const firstIndex = sources.map((src) => logs.findIndex((l) => l.log_source_id === src.id));
    expect(firstIndex, JSON.stringify(sources)).not.toContain(-1);
    expect([...firstIndex].sort((a, b) => a - b)).toEqual(firstIndex);
    expect(standinOutputs(standin).join('\n')).toMatch(/agent running \(pid \d+ in the devcontainer, uid 1000, script mode\)/);

    const stopped = await stop(run);
    expect(stopped.code).toBe(0);
    expect(stopped.ms).toBeLessThan(20_000);
    expect(dockerOut('inspect', container, '--format', '{{.State.Running}}')).toBe('false');
    const final = readStatus(env.DEVCONTAINER_STATUS_FILE as string);
    expect(final?.phase).toBe('stopped');

    // Secrets: not in any process's argv, nor the logs, nor the status file, nor git's config.
    expectNoSecrets(run.cmdlines());
    expectNoSecrets(standinOutputs(standin));
    expectNoSecrets([run.stdout(), run.stderr(), readFileSync(env.DEVCONTAINER_STATUS_FILE as string, 'utf8')]);
    expectNoSecrets([readFileSync(join(env.DEVCONTAINER_WORKSPACE_FOLDER as string, '.git/config'), 'utf8')]);
    // The builder's complete local log (next to the status file) has every phase, and no token.
    const localLog = readFileSync(join(root, 'workspaces', `${PREFIX}-curl.state`, 'builder.log'), 'utf8');
    expect(localLog).toMatch(/agent running/);
    expectNoSecrets([localLog]);
  }, 600_000);

  it('a restart reuses the container: only postStart/postAttach rerun, the agent runs again', async () => {
    const callsBefore = standin.agentCalls().length;
    const run = track(startBuilder(env));
    const status = await waitForSupervise(env, run);
    expect(status.containerId).toBe(firstContainer);
    expect(status.reused).toBe(true);
    expect(status.cache).toBe('hit');
    await waitFor('the restarted agent to call Coder', () => standin.agentCalls().length > callsBefore || undefined);
    await waitForHooks(env.DEVCONTAINER_STATUS_FILE as string, run);
    expect(dockerExec(firstContainer, 'dev', 'wc -l < $HOME/markers/onCreate').trim()).toBe('1');
    expect(dockerExec(firstContainer, 'dev', 'wc -l < $HOME/markers/postCreate').trim()).toBe('1');
    expect(dockerExec(firstContainer, 'dev', 'wc -l < $HOME/markers/postStart').trim()).toBe('2');
    expect(dockerExec(firstContainer, 'dev', 'wc -l < $HOME/markers/postAttach').trim()).toBe('2');
    // initializeCommand ran once more, on the host, before the container started (a warm start).
    expect(readFileSync(join(env.DEVCONTAINER_WORKSPACE_FOLDER as string, '.markers/initialize'), 'utf8')).toBe('initialize\ninitialize\n');
    expect(standinOutputs(standin).join('\n')).toMatch(/no devcontainer up needed/);
    const stopped = await stop(run);
    expect(stopped.code).toBe(0);
    expectNoSecrets(run.cmdlines());
  }, 600_000);

  it('a changed Dockerfile (fetched and fast-forwarded after a warm start) rebuilds the container at the next start', async () => {
    const dockerfile = readFileSync(join(remote.work, '.devcontainer/Dockerfile'), 'utf8');
    const marker = crypto.randomUUID();
    remote.change('with-curl', { '.devcontainer/Dockerfile': `${dockerfile}LABEL fixture.changed=${marker}\n` }, 'change the Dockerfile');
    // The restart is warm (initializeCommand first, then docker start); the update comes after the
    // agent and says the new configuration applies at the next start.
    const warm = track(startBuilder(env));
    const warmStatus = await waitForSupervise(env, warm);
    expect(warmStatus.containerId).toBe(firstContainer);
    await waitFor('the deferred update', () => /restart the workspace to rebuild/.test(standinOutputs(standin).join('\n')) || undefined);
    expect((await stop(warm)).code).toBe(0);
    const run = track(startBuilder(env));
    const status = await waitForSupervise(env, run);
    expect(status.containerId).not.toBe(firstContainer);
    expect(status.reused).toBe(false);
    expect(status.cache).toBe('built');
    expect(dockerOut('inspect', status.containerId, '--format', '{{index .Config.Labels "fixture.changed"}}')).toBe(marker);
    expect(standinOutputs(standin).join('\n')).toMatch(/fast-forwarded branch with-curl/);
    expect(standinOutputs(standin).join('\n')).toMatch(/changed since container \w+ was built: rebuilding/);
    const stopped = await stop(run);
    expect(stopped.code).toBe(0);
    expectNoSecrets(run.cmdlines());
    expectNoSecrets(standinOutputs(standin));
  }, 600_000);
});

describe('binary mode: a devcontainer without curl, wget or busybox', () => {
  it('downloads the agent binary itself, copies it in, starts it as the remote user, and supervises it', async () => {
    const standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
    try {
      const env = builderEnv({ name: 'minbase', branch: 'main', standin });
      const run = track(startBuilder(env));
      const status = await waitForSupervise(env, run);
      expect(status.agent.mode).toBe('binary');
      await waitFor('the agent to connect', () => standin.agentCalls().length > 0 || undefined);
      expect(standin.agentCalls()[0]?.userAgent).toMatch(/uid=1000 user=dev auth=token devcontainers=false/);
      expect(standinOutputs(standin).join('\n')).toMatch(/binary mode: the devcontainer has no curl, wget or busybox/);
      expect(standin.requests().some((r) => r.path === '/bin/coder-linux-amd64' && r.status === 200)).toBe(true);

      // Supervision: a killed agent is restarted; a stopped devcontainer is brought up again (same container).
      const container = status.containerId as string;
      dockerExec(container, 'root', 'kill -KILL "$(cat /tmp/.devcontainer-builder/agent.pid)"');
      const restarted = await waitFor(
        'the agent restart',
        () => {
          const s = readStatus(env.DEVCONTAINER_STATUS_FILE as string);
          return s?.agent?.restarts >= 1 ? s : undefined;
        },
        { run, timeoutMs: 60_000 },
      );
      expect(restarted.agent.pid).toBeGreaterThan(0);
      await waitFor('the restarted agent to call Coder', () => standin.agentCalls().length >= 2 || undefined, { timeoutMs: 30_000 });
      dockerOut('stop', '--time', '1', container);
      await waitFor(
        'the devcontainer to come back',
        () => {
          const s = readStatus(env.DEVCONTAINER_STATUS_FILE as string);
          return s?.agent?.restarts >= 2 && dockerOut('inspect', container, '--format', '{{.State.Running}}') === 'true' ? s : undefined;
        },
        { run, timeoutMs: 120_000 },
      );
      await waitFor('the agent after re-up to call Coder', () => standin.agentCalls().length >= 3 || undefined, { timeoutMs: 30_000 });
      const supervise = standin.sources().find((src) => src.display_name === 'Builder: supervise');
      const superviseLines = standin
        .logs(supervise?.id)
        .map((l) => l.output)
        .join('\n');
      expect(superviseLines).toMatch(/the agent exited \(code \d+\); restarting in 1\.0 s/);
      expect(superviseLines).toMatch(/stopped: running devcontainer up again/);
      // Restarts reuse the binary: the builder's cache (one download) and the copy already in the
      // devcontainer, started as the first start left it (one docker exec, no preparation).
      expect(standin.requests().filter((r) => r.path === '/bin/coder-linux-amd64').length).toBe(1);
      expect(standinOutputs(standin).join('\n')).toMatch(/binary mode; started as the last start left it, no preparation needed/);
      const stopped = await stop(run);
      expect(stopped.code).toBe(0);
      expectNoSecrets(run.cmdlines());
      expectNoSecrets(standinOutputs(standin));
      expectNoSecrets([run.stderr(), readFileSync(env.DEVCONTAINER_STATUS_FILE as string, 'utf8')]);
    } finally {
      await standin.close();
    }
  }, 600_000);
});

describe('without supervision (DEVCONTAINER_SUPERVISE=false)', () => {
  it('exits 0 after the agent phase and leaves the agent running, detached, in the devcontainer', async () => {
    const standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
    try {
      const env = builderEnv({ name: 'detached', branch: 'v1.0.0', standin, extra: { DEVCONTAINER_SUPERVISE: 'false' } });
      const run = track(startBuilder(env));
      const r = await run.exited;
      expect(r.code, run.stderr()).toBe(0);
      expect(JSON.parse(run.stdout().trim().split('\n').pop() as string)).toMatchObject({ outcome: 'completed' });
      const status = readStatus(env.DEVCONTAINER_STATUS_FILE as string);
      expect(status?.phase).toBe('done');
      await waitFor('the detached agent to call Coder', () => standin.agentCalls().length > 0 || undefined, { timeoutMs: 30_000 });
      const pid = dockerExec(status?.containerId, 'root', 'cat /tmp/.devcontainer-builder/agent.pid');
      expect(dockerExec(status?.containerId, 'root', `tr '\\0' ' ' < /proc/${pid}/cmdline`)).toMatch(/coder agent\s*$/);
      expectNoSecrets(run.cmdlines());
    } finally {
      await standin.close();
    }
  }, 600_000);
});

describe('failures', () => {
  it('a wrong git token fails the checkout phase with a clear error and no token anywhere', async () => {
    const standin = await startCoderStandin({ agentToken: AGENT_TOKEN });
    try {
      const env = builderEnv({ name: 'wrongtoken', branch: 'main', standin, extra: { DEVCONTAINER_GIT_TOKEN: 'not-the-token-1234' } });
      const run = track(startBuilder(env));
      const r = await run.exited;
      expect(r.code).toBe(1);
      expect(run.stderr()).toMatch(/checkout: git (clone|fetch): http:\/\/127\.0\.0\.1:\d+\/fixture\.git refused the credentials/);
      const checkout = standin.sources().find((s) => s.display_name === 'Builder: checkout');
      expect(standin.logs(checkout?.id).some((l) => l.level === 'error' && /refused the credentials/.test(l.output))).toBe(true);
      expect(readStatus(env.DEVCONTAINER_STATUS_FILE as string)?.lastError.code).toBe('git-auth');
      expect(gitServer.requests().some((q) => q.auth === 'wrong')).toBe(true);
      for (const t of [run.stderr(), ...standinOutputs(standin), ...run.cmdlines()]) expect(t).not.toContain('not-the-token-1234');
    } finally {
      await standin.close();
    }
  }, 120_000);

  it('an invalid devcontainer.json stops in the config phase with file:line:col in Coder', async () => {
    const standin = await startCoderStandin({ agentToken: AGENT_TOKEN });
    try {
      const env = builderEnv({ name: 'invalid', branch: 'invalid-config', standin });
      const run = track(startBuilder(env));
      const r = await run.exited;
      expect(r.code).toBe(1);
      const config = standin.sources().find((s) => s.display_name === 'Builder: devcontainer.json');
      const lines = standin
        .logs(config?.id)
        .filter((l) => l.level === 'error')
        .map((l) => l.output);
      expect(lines.join('\n')).toMatch(/\.devcontainer\/devcontainer\.json:\d+:\d+: error /);
      expect(standin.sources().map((s) => s.display_name)).not.toContain('Builder: devcontainer up');
      expect(readStatus(env.DEVCONTAINER_STATUS_FILE as string)?.lastError.phase).toBe('config');
    } finally {
      await standin.close();
    }
  }, 120_000);

  it('a failing background postCreateCommand: the workspace stays up, the later hooks are not run; fail and continue tell it apart in the status', async () => {
    const standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
    try {
      // postCreateCommand comes after waitFor (updateContentCommand): it fails while the agent already runs.
      for (const [name, hookFailure, outcome] of [
        ['hookfail', 'fail', 'failed'],
        ['hookcontinue', 'continue', 'warning'],
      ] as const) {
        const e = builderEnv({ name, branch: 'failing-post-create', standin, extra: { DEVCONTAINER_HOOK_FAILURE: hookFailure } });
        const startedAt = new Date(Date.now() - 1000).toISOString();
        const run = track(startBuilder(e));
        await waitForSupervise(e, run);
        const status = await waitForHooks(e.DEVCONTAINER_STATUS_FILE as string, run);
        expect(status.agent.pid).toBeGreaterThan(0);
        expect(status.phase).toBe('supervise');
        expect(status.phases.up.outcome).toBe('success');
        expect(status.phases.hooks.outcome).toBe(outcome);
        expect(status.hooks).toMatchObject({
          done: ['onCreateCommand', 'updateContentCommand'],
          failed: ['postCreateCommand'],
          skipped: ['postStartCommand', 'postAttachCommand'],
        });
        expect(status.lastError).toMatchObject({ code: 'lifecycle-hook-failed', phase: 'hooks' });
        expect(dockerExec(status.containerId, 'dev', 'ls $HOME/markers').split('\n')).toEqual(['onCreate', 'updateContent']);
        // The log client sends in batches: wait for the hooks source to hold the failure's last line.
        const notRun = new RegExp(
          `not run: postStartCommand, postAttachCommand\\. The workspace stays up \\(DEVCONTAINER_HOOK_FAILURE=${hookFailure}\\)`,
        );
        const hookLines = await waitFor(
          'the hooks log source to say what was not run',
          () => {
            const src = standin.sources().find((s) => s.display_name === 'Builder: lifecycle hooks');
            const lines = (src ? standin.logs(src.id) : []).filter((l) => l.created_at >= startedAt);
            return lines.some((l) => notRun.test(l.output)) ? lines : undefined;
          },
          { timeoutMs: 30_000 },
        );
        expect(hookLines.some((l) => /postCreate fails on purpose/.test(l.output))).toBe(true);
        expect(hookLines.some((l) => l.level === 'error' && /postCreateCommand failed/.test(l.output))).toBe(true);
        expect((await stop(run)).code).toBe(0);
      }
    } finally {
      await standin.close();
    }
  }, 600_000);
});
