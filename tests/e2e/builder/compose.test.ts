// End to end: a Docker Compose devcontainer through the real `devcontainer-builder up`.
// Real: dockerd 20.10.24, docker compose v2.40 built from its Go module (tests/testbed/compose.sh,
// a docker CLI plugin offered through this test's DOCKER_CONFIG), the pinned devcontainer CLI, git,
// the static stand-in agent binary. Emulated: the Coder server (the loopback stand-in). Every
// service uses the host network; the second service listens on 127.0.0.1 only.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoderStandin, startCoderStandin } from '../../support/coder-standin/index.js';
import { ensureDocker, freeLoopbackPort, repoRoot, runTestbed } from '../../support/testbed.js';
import { dockerConfigWithPlugins } from './plugins.js';
import { type BuilderRun, buildBuilder, dockerOut, git, readStatus, renderInitScript, startBuilder, stopRuns, waitFor } from './support.js';

const PREFIX = 'dck-builder-compose';
const RUN_ID = crypto.randomUUID().slice(0, 8);
const AGENT_TOKEN = crypto.randomUUID();
// The CLI's project name: the workspace folder's name + `_devcontainer`.
const FOLDER = `${PREFIX}-${RUN_ID}`;
const PROJECT = `${FOLDER}_devcontainer`;

let root: string;
let workspace: string;
let dockerConfig: string;
let agentBinary: string;
let standin: CoderStandin;
let port: number;
const runs: BuilderRun[] = [];

function services(): Record<string, { id: string; running: boolean }> {
  const out = dockerOut(
    'ps',
    '-a',
    '--no-trunc',
    '--filter',
    `label=com.docker.compose.project=${PROJECT}`,
    '--format',
    '{{.Label "com.docker.compose.service"}} {{.ID}} {{.State}}',
  );
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [service = '', id = '', state = ''] = l.split(' ');
        return [service, { id, running: state === 'running' }];
      }),
  );
}

function env(): Record<string, string> {
  return {
    DEVCONTAINER_REPOSITORY: workspace,
    DEVCONTAINER_WORKSPACE_NAME: FOLDER,
    DEVCONTAINER_STATUS_FILE: join(root, 'status', 'compose.status.json'),
    DOCKER_CONFIG: dockerConfig,
    CODER_AGENT_URL: standin.url,
    CODER_AGENT_TOKEN: standin.agentToken,
    CODER_INIT_SCRIPT: renderInitScript(standin.url),
  };
}

/** Starts a supervising builder and waits until it supervises a running agent. */
async function upAndSupervise(): Promise<{ run: BuilderRun; status: NonNullable<ReturnType<typeof readStatus>> }> {
  const run = startBuilder(env());
  runs.push(run);
  const status = await waitFor(
    'the builder to supervise the agent',
    () => {
      const s = readStatus(env().DEVCONTAINER_STATUS_FILE as string);
      return s?.phase === 'supervise' && s.agent?.pid && s.updatedAt && s.pid === run.child.pid ? s : undefined;
    },
    { run, timeoutMs: 300_000 },
  );
  return { run, status };
}

/** An HTTP GET from inside the app container, with bash's /dev/tcp (no curl in the image). */
function getFromApp(container: string): string {
  return dockerOut('exec', container, 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3`);
}

beforeAll(async () => {
  ensureDocker();
  agentBinary = runTestbed('fake-coder-agent');
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  dockerConfig = dockerConfigWithPlugins(root, ['compose']);
  buildBuilder();
  port = await freeLoopbackPort();
  workspace = join(root, 'workspaces', FOLDER);
  cpSync(join(repoRoot, 'tests/support/fixtures/compose-repo'), workspace, { recursive: true });
  const compose = join(workspace, '.devcontainer/compose.yaml');
  writeFileSync(compose, readFileSync(compose, 'utf8').replace('__WEB_PORT__', String(port)));
  git(workspace, 'init', '-q');
  git(workspace, 'add', '-A');
  git(workspace, 'commit', '-qm', 'fixture');
  standin = await startCoderStandin({ agentToken: AGENT_TOKEN, agentBinaries: { amd64: agentBinary } });
}, 900_000);

afterAll(async () => {
  await stopRuns(runs);
  await standin?.close();
  const ids = dockerOut('ps', '-aq', '--filter', `label=com.docker.compose.project=${PROJECT}`).split('\n').filter(Boolean);
  if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  const images = dockerOut('images', '--format', '{{.Repository}}:{{.Tag}}')
    .split('\n')
    .filter((i) => i.startsWith(`vsc-${FOLDER}-`) || i.startsWith(`${PROJECT}-`));
  if (images.length) spawnSync('docker', ['rmi', '-f', ...images], { stdio: 'ignore' });
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('Docker Compose devcontainer (app + web, tools left out by runServices)', () => {
  let appId = '';

  it('builds and starts runServices, runs the hooks and the agent in the app service, and web answers from app', async () => {
    const { run, status } = await upAndSupervise();
    const s = services();
    expect(Object.keys(s).sort()).toEqual(['app', 'web']);
    expect(s.app?.running && s.web?.running).toBe(true);
    appId = s.app?.id as string;
    expect(status.containerId).toBe(appId);
    expect(status.remoteWorkspaceFolder).toBe('/workspace');
    // The agent: in the app service's container, connected to Coder.
    await waitFor('the agent to connect', () => standin.agentCalls().length > 0 || undefined, { run, timeoutMs: 60_000 });
    expect(dockerOut('exec', appId, 'sh', '-c', `tr '\\0' ' ' </proc/${status.agent.pid}/cmdline`)).toMatch(/agent/);
    expect(dockerOut('exec', appId, 'cat', '/etc/fixture-service')).toBe('compose-app');
    // Hooks ran in the app container (its hostname is the host's: host network), postStart too.
    const hooks = () => {
      try {
        return readFileSync(join(workspace, '.markers/hooks'), 'utf8');
      } catch {
        return '';
      }
    };
    await waitFor('postStart', () => hooks().includes('postStart') || undefined, { run, timeoutMs: 60_000 });
    expect(readFileSync(join(workspace, '.markers/hooks'), 'utf8').split('\n').filter(Boolean)).toEqual(['postCreate', 'postStart']);
    expect(getFromApp(appId)).toMatch(/200 OK[\s\S]*hello from web/);
  }, 600_000);

  it('SIGTERM with shutdownAction stopCompose stops every service of the project', async () => {
    await stopRuns(runs);
    const s = services();
    expect(s.app?.running).toBe(false);
    expect(s.web?.running).toBe(false);
    const supervise = standin.sources().find((src) => src.display_name === 'Builder: supervise');
    expect(standin.logs(supervise?.id).map((l) => l.output)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`stopCompose: stopped 2 service\\(s\\) of compose project ${PROJECT} \\(app, web\\)`)),
      ]),
    );
  }, 120_000);

  it('a restart reuses the project: the same app container, web started again, postStart again', async () => {
    const { status } = await upAndSupervise();
    expect(status.containerId).toBe(appId);
    expect(status.reused).toBe(true);
    const s = services();
    expect(s.app?.running && s.web?.running).toBe(true);
    expect(getFromApp(appId)).toMatch(/hello from web/);
    await waitFor(
      'postStart again',
      () =>
        readFileSync(join(workspace, '.markers/hooks'), 'utf8')
          .split('\n')
          .filter((l) => l === 'postStart').length >= 2 || undefined,
    );
    expect(readFileSync(join(workspace, '.markers/hooks'), 'utf8')).not.toMatch(/postCreate\n[\s\S]*postCreate/);
    await stopRuns(runs);
  }, 600_000);

  it('a changed compose file rebuilds: a new app container with the new configuration', async () => {
    const compose = join(workspace, '.devcontainer/compose.yaml');
    writeFileSync(
      compose,
      readFileSync(compose, 'utf8').replace(
        '    command: ["sleep", "infinity"]\n  web:',
        '    command: ["sleep", "infinity"]\n    environment:\n      FIXTURE_ROUND: "2"\n  web:',
      ),
    );
    git(workspace, 'commit', '-qam', 'compose round 2');
    const { run, status } = await upAndSupervise();
    expect(run.stderr()).toMatch(/changed since container \w+ was built: rebuilding/);
    expect(status.containerId).not.toBe(appId);
    expect(status.reused).toBe(false);
    expect(dockerOut('exec', status.containerId, 'printenv', 'FIXTURE_ROUND')).toBe('2');
    expect(getFromApp(status.containerId)).toMatch(/hello from web/);
    await stopRuns(runs);
    expect(Object.values(services()).some((x) => x.running)).toBe(false);
  }, 600_000);
});
