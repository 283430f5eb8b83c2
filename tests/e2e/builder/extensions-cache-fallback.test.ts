// End to end: the builder's extensions phase, build cache and fallback workspace, through the real
// `devcontainer-builder` CLI (apps/devcontainer-builder/dist).
// Real: docker (the machine's engine and a second, empty dockerd from tests/testbed/fresh-dockerd.sh),
// the pinned devcontainer CLI, git, code-server 4.139.1 in the cached test bed image with .vsix files
// packed by @vscode/vsce from the fixture extensions, Debian's docker-registry 2.8 on 127.0.0.1,
// the static stand-in agent binary. Emulated: the Coder server (the loopback stand-in). The gallery
// (Open VSX) is unreachable here, so the unknown extension id fails for real.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { ensureDocker, repoRoot, runTestbed } from '../../support/testbed.js';
import {
  BROKEN_BUILD_STEP,
  type BuilderRun,
  buildBuilder,
  builderCli,
  cleanupDocker,
  createGitRepo,
  dockerOut,
  git,
  readStatus,
  renderInitScript,
  startBuilder,
  waitFor,
} from './support.js';

const PREFIX = 'dck-builder-ecf';
// coderd agent tokens are UUIDs (the stand-in refuses anything else, as coderd does).
const AGENT_TOKEN = crypto.randomUUID();
const RUN_ID = crypto.randomUUID().slice(0, 8);
const FRESH = `${PREFIX}-fresh-${RUN_ID}`;
const CACHE_REPOSITORY = `${PREFIX}/cache-${RUN_ID}`;

let root: string;
let agentBinary: string;
let codeServerImage: string;
let vsixDir: string;
let registry: string;
let freshHost: string | undefined;
const workspaceNames: string[] = [];
const runs: BuilderRun[] = [];

/** A git repository from an inline file tree (used in place: the builder does not clone it). */
function repo(name: string, files: Record<string, string>): string {
  return createGitRepo(join(root, 'workspaces', `${PREFIX}-${name}`), files);
}

function env(name: string, dir: string, o: { standin?: CoderStandin; extra?: Record<string, string> } = {}): Record<string, string> {
  workspaceNames.push(`${PREFIX}-${name}`);
  return {
    DEVCONTAINER_REPOSITORY: dir,
    DEVCONTAINER_WORKSPACE_NAME: `${PREFIX}-${name}`,
    DEVCONTAINER_STATUS_FILE: join(root, 'status', `${name}.status.json`),
    ...(o.standin
      ? { CODER_AGENT_URL: o.standin.url, CODER_AGENT_TOKEN: o.standin.agentToken, CODER_INIT_SCRIPT: renderInitScript(o.standin.url) }
      : {}),
    ...o.extra,
  };
}

/** Runs `devcontainer-builder up` with supervision off to its end. */
async function upToCompletion(
  e: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string; status: NonNullable<ReturnType<typeof readStatus>> }> {
  const run = startBuilder({ ...e, DEVCONTAINER_SUPERVISE: 'false' });
  runs.push(run);
  const r = await run.exited;
  return { code: r.code, stdout: run.stdout(), stderr: run.stderr(), status: readStatus(e.DEVCONTAINER_STATUS_FILE as string) ?? {} };
}

function sourceLines(standin: CoderStandin, displayName: string): string[] {
  const src = standin.sources().find((s) => s.display_name === displayName);
  return src ? standin.logs(src.id).map((l) => l.output) : [];
}

beforeAll(async () => {
  ensureDocker();
  agentBinary = runTestbed('fake-coder-agent');
  codeServerImage = runTestbed('code-server-image');
  vsixDir = runTestbed('vsix');
  registry = runTestbed('registry');
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  buildBuilder();
}, 900_000);

afterAll(async () => {
  for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
  if (freshHost) spawnSync('bash', [join(repoRoot, 'tests/testbed/fresh-dockerd.sh'), 'stop', FRESH], { stdio: 'ignore' });
  // Per container, tolerating one that is already going away (a stopped builder's own docker stop).
  for (const name of workspaceNames) {
    for (const id of dockerOut('ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${name}`).split('\n').filter(Boolean)) {
      if (spawnSync('docker', ['rm', '-f', id], { stdio: 'pipe' }).status !== 0) {
        await new Promise((r) => setTimeout(r, 2000));
        spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
      }
    }
  }
  cleanupDocker([], PREFIX);
  for (const img of dockerOut('images', '--format', '{{.Repository}}:{{.Tag}}').split('\n')) {
    if (img.startsWith(`${registry}/${PREFIX}/`)) spawnSync('docker', ['rmi', '-f', img], { stdio: 'ignore' });
  }
  runTestbed('registry', 'forget', CACHE_REPOSITORY);
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('extensions: a code-server devcontainer with customizations.vscode.extensions', () => {
  let standin: CoderStandin;
  beforeAll(async () => {
    standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
  });
  afterAll(async () => {
    await standin?.close();
  });

  it('installs the offline fixtures as the remote user, reports the unknown id, starts the agent; a second up finds them present', async () => {
    const dir = repo('ext', {
      '.devcontainer/devcontainer.json': JSON.stringify(
        {
          name: 'ext-fixture',
          image: codeServerImage,
          runArgs: ['--network=host'],
          remoteUser: 'coder',
          customizations: { vscode: { extensions: ['dck-fixtures.hello', 'dck-fixtures.greeter', 'dck-fixtures.does-not-exist'] } },
        },
        null,
        2,
      ),
    });
    const e = env('ext', dir, { standin, extra: { DEVCONTAINER_EXTENSIONS_DIR: vsixDir } });
    const first = await upToCompletion(e);
    expect(first.code, first.stderr).toBe(0);
    const container = first.status.containerId as string;
    const listed = dockerOut('exec', '-u', 'coder', container, 'code-server', '--list-extensions').split('\n');
    expect(listed).toEqual(expect.arrayContaining(['dck-fixtures.hello', 'dck-fixtures.greeter']));
    expect(listed).not.toContain('dck-fixtures.does-not-exist');

    // Status file: one result per extension, the unknown one not installed, the workspace still up.
    const ext = first.status.extensions;
    expect(ext.servers[0]).toMatch(/^code-server /);
    const byId = Object.fromEntries(ext.results.map((r: { id: string; outcome: string }) => [r.id, r]));
    expect(byId['dck-fixtures.hello'].outcome).toBe('installed');
    expect(byId['dck-fixtures.greeter'].outcome).toBe('installed');
    expect(['not-found', 'failed']).toContain(byId['dck-fixtures.does-not-exist'].outcome);
    expect(byId['dck-fixtures.does-not-exist'].reason).toBeTruthy();
    expect(first.status.phases.extensions.outcome).toBe('warning');
    expect(first.status.phase).toBe('done');
    expect(first.status.lastError).toBeUndefined();

    // Its own log source, between up and the agent; the unknown id is reported there.
    await waitFor('the agent to call Coder', () => standin.agentCalls().length > 0 || undefined, { timeoutMs: 60_000 });
    const names = standin.sources().map((s) => s.display_name);
    expect(names.indexOf('Builder: extensions')).toBeGreaterThan(names.indexOf('Builder: devcontainer up'));
    expect(names.indexOf('Builder: extensions')).toBeLessThan(names.indexOf('Builder: Coder agent'));
    const extLog = sourceLines(standin, 'Builder: extensions').join('\n');
    expect(extLog).toMatch(/dck-fixtures\.hello \(code-server\): installed 1\.0\.0 from offline/);
    expect(extLog).toMatch(/dck-fixtures\.does-not-exist \(code-server\): (not found|failed)/);
    expect(extLog).toMatch(/extensions: 2 installed, 0 already present/);
    // The agent runs (detached: no supervision) in the devcontainer as the remote user.
    expect(first.status.agent).toMatchObject({ uid: 1000 });
    expect(dockerOut('exec', container, 'sh', '-c', `tr '\\0' ' ' </proc/${first.status.agent.pid}/cmdline`)).toMatch(/agent/);

    // Second up (restart): reuses the container, every fixture already present.
    const second = await upToCompletion(e);
    expect(second.code, second.stderr).toBe(0);
    expect(second.status.containerId).toBe(container);
    const again = Object.fromEntries(second.status.extensions.results.map((r: { id: string; outcome: string }) => [r.id, r.outcome]));
    expect(again['dck-fixtures.hello']).toBe('already-present');
    expect(again['dck-fixtures.greeter']).toBe('already-present');
    expect(second.status.extensions.summary).toMatch(/0 installed, 2 already present/);
  }, 600_000);
});

describe('build cache: prebuild to a real registry, up on a fresh Docker daemon', () => {
  let standin: CoderStandin;
  beforeAll(async () => {
    standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
    freshHost = runTestbed('fresh-dockerd', 'start', FRESH);
  }, 120_000);
  afterAll(async () => {
    await standin?.close();
  });

  it('a hit starts the prebuilt image without a build step; a one-line Dockerfile change misses and builds', async () => {
    // initializeCommand writes a file the Dockerfile COPYs (as this repository's own .devcontainer
    // does): prebuild and up run it before the build / the cache key, each on a fresh checkout, and
    // it runs once per start (counted in <workspace>.init-runs).
    const dir = repo('cache', {
      '.devcontainer/devcontainer.json': JSON.stringify(
        {
          name: 'cache-fixture',
          build: { dockerfile: 'Dockerfile', options: ['--network=host'] },
          runArgs: ['--network=host'],
          initializeCommand:
            'mkdir -p .devcontainer/gen && echo generated > .devcontainer/gen/value && echo run >> "${localWorkspaceFolder}.init-runs"',
          postCreateCommand: 'echo created >> /tmp/post-create',
          postStartCommand: 'echo started >> /tmp/post-start',
        },
        null,
        2,
      ),
      '.devcontainer/Dockerfile': 'FROM local/debian:bookworm\nCOPY gen/value /etc/dck-generated\nRUN echo prebuilt > /etc/dck-marker\n',
    });
    const cacheRepo = { DEVCONTAINER_CACHE_REPO: `${registry}/${CACHE_REPOSITORY}` };
    const e = env('cache', dir, { extra: cacheRepo });

    // prebuild on the machine's daemon, on a fresh checkout: stdout is the image reference only.
    const prebuildWs = join(root, 'checkouts', 'prebuild');
    const pre = spawnSync(process.execPath, [builderCli, 'prebuild'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...e, DEVCONTAINER_WORKSPACE_FOLDER: prebuildWs },
      encoding: 'utf8',
    });
    expect(pre.status, pre.stderr).toBe(0);
    const image = pre.stdout.trim();
    expect(image).toMatch(new RegExp(`^${registry.replace('.', '\\.')}/${CACHE_REPOSITORY}:[0-9a-f]{64}$`));
    expect(readFileSync(`${prebuildWs}.init-runs`, 'utf8')).toBe('run\n');

    // up on an empty daemon (no base image, nothing cached), another fresh checkout: the image comes
    // from the registry (the key includes what initializeCommand wrote).
    const fresh = freshHost as string;
    expect(
      spawnSync('docker', ['image', 'inspect', 'local/debian:bookworm'], { env: { ...process.env, DOCKER_HOST: fresh } }).status,
    ).not.toBe(0);
    const hitWs = join(root, 'checkouts', 'hit');
    const h = {
      ...env('cache-hit', dir, { extra: { ...cacheRepo, DEVCONTAINER_WORKSPACE_FOLDER: hitWs } }),
      DOCKER_HOST: fresh,
      CODER_AGENT_URL: standin.url,
      CODER_AGENT_TOKEN: standin.agentToken,
    };
    const hit = await upToCompletion(h);
    expect(hit.code, hit.stderr).toBe(0);
    expect(hit.status.cache).toBe('hit');
    expect(hit.status.prebuilt).toMatchObject({ image, status: 'hit', durationMs: expect.any(Number) });
    const upLog = sourceLines(standin, 'Builder: devcontainer up');
    expect(upLog.join('\n')).toMatch(/image cache hit/);
    expect(upLog.filter((l) => /Running in /.test(l))).toEqual([]);
    // A fresh checkout as root, no hook up to waitFor: no second CLI run before the agent.
    expect(upLog).toContain('no hook up to waitFor (updateContentCommand) is defined: nothing to run before the agent');
    expect(readFileSync(`${hitWs}.init-runs`, 'utf8')).toBe('run\n');
    const freshEnv = { ...process.env, DOCKER_HOST: fresh };
    const images = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env: freshEnv, encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(images).toEqual([image]);
    const container = hit.status.containerId as string;
    const cat = (...files: string[]) => execFileSync('docker', ['exec', container, 'cat', ...files], { env: freshEnv, encoding: 'utf8' });
    expect(cat('/etc/dck-generated', '/etc/dck-marker', '/tmp/post-create', '/tmp/post-start')).toBe(
      'generated\nprebuilt\ncreated\nstarted\n',
    );
    // A restart (container stopped, Docker's data kept) is a warm start: initializeCommand, docker start,
    // postStart once more (from the prebuilt image's config, not twice), no pull, no build, no postCreate.
    execFileSync('docker', ['stop', '-t', '1', container], { env: freshEnv, stdio: 'ignore' });
    const before = standin.logs().length;
    const restart = await upToCompletion(h);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.status).toMatchObject({ containerId: container, reused: true, cache: 'hit' });
    const restartLog = standin
      .logs()
      .slice(before)
      .map((l) => l.output)
      .join('\n');
    expect(restartLog).toMatch(/no devcontainer up needed/);
    expect(readFileSync(`${hitWs}.init-runs`, 'utf8')).toBe('run\nrun\n');
    expect(cat('/tmp/post-create', '/tmp/post-start')).toBe('created\nstarted\nstarted\n');
    execFileSync('docker', ['rm', '-f', container], { env: freshEnv, stdio: 'ignore' });

    // DEVCONTAINER_CACHE_FROM (no cache repository): the builder pulls the source first — the legacy
    // builder takes cache only from local images — and the RUN step comes from it.
    execFileSync('docker', ['rmi', image], { env: freshEnv, stdio: 'ignore' });
    execFileSync('sh', ['-c', 'docker save local/debian:bookworm | DOCKER_HOST="$F" docker load -q'], {
      env: { ...process.env, F: fresh },
      stdio: 'ignore',
    });
    const cfDir = repo('cachefrom', {
      '.devcontainer/devcontainer.json': readFileSync(join(dir, '.devcontainer/devcontainer.json'), 'utf8'),
      '.devcontainer/Dockerfile': readFileSync(join(dir, '.devcontainer/Dockerfile'), 'utf8'),
    });
    const cfBefore = standin.logs().length;
    const cf = await upToCompletion({
      ...env('cachefrom', cfDir, { extra: { DEVCONTAINER_CACHE_FROM: image } }),
      DOCKER_HOST: fresh,
      CODER_AGENT_URL: standin.url,
      CODER_AGENT_TOKEN: standin.agentToken,
    });
    expect(cf.code, cf.stderr).toBe(0);
    const cfLog = standin
      .logs()
      .slice(cfBefore)
      .map((l) => l.output);
    expect(cfLog).toContain(`cache source ${image} pulled`);
    const runStep = cfLog.findIndex((l) => /RUN echo prebuilt/.test(l));
    expect(runStep).toBeGreaterThanOrEqual(0);
    expect(cfLog[runStep + 1]).toMatch(/Using cache/);

    // One changed Dockerfile line: another key, not in the registry → miss, and the image is built.
    writeFileSync(join(dir, '.devcontainer/Dockerfile'), `FROM local/debian:bookworm\nRUN echo changed-${RUN_ID} > /etc/dck-marker\n`);
    git(dir, 'commit', '-qam', 'change the Dockerfile');
    const missBefore = standin.logs().length;
    const miss = await upToCompletion({ ...e, CODER_AGENT_URL: standin.url, CODER_AGENT_TOKEN: standin.agentToken });
    expect(miss.code, miss.stderr).toBe(0);
    expect(miss.status.cache).toBe('miss');
    expect(miss.status.prebuilt).toMatchObject({ status: 'miss' });
    expect(miss.status.prebuilt.image).not.toBe(image);
    const missLog = standin
      .logs()
      .slice(missBefore)
      .map((l) => l.output);
    expect(missLog.some((l) => /Running in /.test(l))).toBe(true);
    expect(dockerOut('exec', miss.status.containerId, 'cat', '/etc/dck-marker')).toBe(`changed-${RUN_ID}`);
  }, 600_000);
});

describe('fallback: a broken Dockerfile with DEVCONTAINER_FALLBACK_IMAGE', () => {
  let standin: CoderStandin;
  beforeAll(async () => {
    standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
  });
  afterAll(async () => {
    await standin?.close();
  });

  it('starts the fallback with the workspace mounted and the agent injected, explains the failure, stops on SIGTERM', async () => {
    const dir = repo('fallback', {
      '.devcontainer/devcontainer.json': JSON.stringify(
        { name: 'broken', build: { dockerfile: 'Dockerfile', options: ['--network=host'] }, runArgs: ['--network=host'] },
        null,
        2,
      ),
      '.devcontainer/Dockerfile': `FROM local/debian:bookworm\n${BROKEN_BUILD_STEP}\n`,
      'README.md': 'the repository to fix\n',
    });
    const e = env('fallback', dir, { standin, extra: { DEVCONTAINER_FALLBACK_IMAGE: 'local/debian:bookworm' } });
    const run = startBuilder(e);
    runs.push(run);
    const status = await waitFor(
      'the supervise phase',
      () => {
        const s = readStatus(e.DEVCONTAINER_STATUS_FILE as string);
        return s?.phase === 'supervise' && s.pid === run.child.pid ? s : undefined;
      },
      { run, timeoutMs: 300_000 },
    );
    expect(status.fallback).toMatchObject({ phase: 'up', image: 'local/debian:bookworm' });
    expect(status.fallback.message).toMatch(/devcontainer up failed/);
    expect(status.lastError).toMatchObject({ phase: 'up', code: 'devcontainer-up-failed' });
    expect(status.phases.up.outcome).toBe('failed');
    expect(status.phases.fallback.outcome).toBe('success');
    expect(status.phases.agent.outcome).toBe('success');

    const container = status.containerId as string;
    expect(
      dockerOut(
        'inspect',
        container,
        '--format',
        '{{.State.Running}} {{index .Config.Labels "devcontainer-kit.fallback"}} {{index .Config.Labels "devcontainer-kit.workspace"}}',
      ),
    ).toBe(`true true ${PREFIX}-fallback`);
    expect(dockerOut('exec', '-w', dir, container, 'cat', 'README.md')).toBe('the repository to fix');

    // The agent was injected: the stand-in agent called Coder with its token.
    await waitFor('the agent to call Coder', () => standin.agentCalls().length > 0 || undefined, { timeoutMs: 60_000 });
    const failed = readFileSync(join(dir, '.devcontainer-builder/FAILED.md'), 'utf8');
    expect(failed).toMatch(/up/);
    expect(failed).toMatch(/devcontainer up failed/);
    expect(failed).not.toContain(AGENT_TOKEN);
    const logs = standin
      .logs()
      .map((l) => l.output)
      .join('\n');
    expect(logs).toMatch(/the up phase failed: devcontainer up failed/);
    expect(logs).toMatch(/starting local\/debian:bookworm as the devcontainer instead/);
    expect(logs).not.toContain(AGENT_TOKEN);
    await waitFor('the supervise log source', () => standin.sources().some((s) => s.display_name === 'Builder: supervise') || undefined, {
      timeoutMs: 10_000,
    });
    expect(standin.sources().map((s) => s.display_name)).toEqual(
      expect.arrayContaining(['Builder: devcontainer up', 'Builder: fallback workspace', 'Builder: Coder agent', 'Builder: supervise']),
    );

    // Supervision: a stopped fallback container is started again (not `devcontainer up`), the agent too.
    const callsBefore = standin.agentCalls().length;
    dockerOut('stop', '--time', '1', container);
    await waitFor(
      'the fallback container and its agent to run again',
      () =>
        (dockerOut('inspect', container, '--format', '{{.State.Running}}') === 'true' && standin.agentCalls().length > callsBefore) ||
        undefined,
      { run, timeoutMs: 120_000 },
    );
    await waitFor(
      'the restart in the supervise log',
      () => /stopped: starting the fallback workspace again/.test(sourceLines(standin, 'Builder: supervise').join('\n')) || undefined,
      { timeoutMs: 10_000 },
    );
    expect(sourceLines(standin, 'Builder: supervise').join('\n')).not.toMatch(/running devcontainer up again|retrying in/);

    run.child.kill('SIGTERM');
    const exit = await run.exited;
    expect(exit.code).toBe(0);
    expect(existsSync(join(dir, '.devcontainer-builder/FAILED.md'))).toBe(true);
  }, 600_000);

  it('an invalid devcontainer.json falls back too, with the file:line:col problems in FAILED.md', async () => {
    const dir = repo('fallback-config', {
      '.devcontainer/devcontainer.json': '{\n  "name": "broken"\n  "image": "local/debian:bookworm"\n}\n',
    });
    const r = await upToCompletion(env('fallback-config', dir, { extra: { DEVCONTAINER_FALLBACK_IMAGE: 'local/debian:bookworm' } }));
    expect(r.code, r.stderr).toBe(0);
    expect(r.status.fallback).toMatchObject({ phase: 'config' });
    expect(r.status.lastError).toMatchObject({ phase: 'config', code: 'config-invalid' });
    expect(r.status.phase).toBe('done');
    expect(readFileSync(join(dir, '.devcontainer-builder/FAILED.md'), 'utf8')).toMatch(/devcontainer\.json:3:\d+/);
    expect(dockerOut('inspect', r.status.containerId, '--format', '{{.State.Running}}')).toBe('true');
  }, 300_000);

  it('without a fallback image the same failure exits non-zero with the error', async () => {
    const dir = repo('nofallback', {
      '.devcontainer/devcontainer.json': JSON.stringify(
        { name: 'broken', build: { dockerfile: 'Dockerfile', options: ['--network=host'] }, runArgs: ['--network=host'] },
        null,
        2,
      ),
      '.devcontainer/Dockerfile': `FROM local/debian:bookworm\n${BROKEN_BUILD_STEP}\n`,
    });
    const r = await upToCompletion(env('nofallback', dir));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/devcontainer up failed/);
    expect(r.status.phase).toBe('failed');
    expect(r.status.fallback).toBeUndefined();
  }, 300_000);
});
