// Real: runBuilder on the real Docker engine and the real devcontainer CLI, every docker call going
// through a recording shim first on PATH (it logs its arguments and environment, then runs the real
// docker). The process holds the agent token, the git token and GH_TOKEN in its environment, as
// the builder does; no docker call of up, extensions, the cache-from (registry) pull or the
// fallback may see any of them. (prebuild: libs/prebuild-cache/test/secret-hygiene.test.ts.)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuilder } from '../src/pipeline.js';
import { parseSettings } from '../src/settings.js';
import { docker, runTestbed, uniqueName } from './extensions/testbed.js';
import { memoryLog } from './phases/fake-docker.js';

const SECRETS = { CODER_AGENT_TOKEN: 'agent-token-hyg-7777', DEVCONTAINER_GIT_TOKEN: 'git-token-hyg-8888', GH_TOKEN: 'gh-token-hyg-9999' };
const workspaceName = uniqueName('hygiene');
let scratch: string;
let shimLog: string;
let coder: Server;
let coderUrl: string;
let registry: string;
const saved = { ...process.env };

beforeAll(async () => {
  runTestbed('docker');
  registry = runTestbed('registry');
  scratch = mkdtempSync(join(tmpdir(), 'dck-builder-hygiene-'));
  const bin = join(scratch, 'bin');
  shimLog = join(scratch, 'docker.log');
  mkdirSync(bin);
  const real = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\n{ echo "=== docker $*"; env; } >> '${shimLog}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  // A Coder that answers buildinfo but has no agent binary: the run ends in the agent phase.
  coder = createServer((req, res) => {
    if (req.url?.endsWith('/api/v2/buildinfo')) res.end('{"version":"v2.0.0-hygiene"}');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => coder.listen(0, '127.0.0.1', r));
  coderUrl = `http://127.0.0.1:${(coder.address() as { port: number }).port}/`;
  Object.assign(process.env, SECRETS, { PATH: `${bin}:${process.env.PATH}` });
}, 300_000);

afterAll(async () => {
  for (const name of Object.keys(SECRETS)) delete process.env[name];
  process.env.PATH = saved.PATH;
  const ids = docker(['ps', '-aq', '--filter', `label=devcontainer-kit.workspace=${workspaceName}`])
    .split('\n')
    .filter(Boolean);
  if (ids.length) docker(['rm', '-f', ...ids]);
  await new Promise((r) => coder.close(r));
  rmSync(scratch, { recursive: true, force: true });
});

async function run(repo: string, extra: Record<string, string> = {}) {
  const { settings, problems } = parseSettings({
    env: {
      ...process.env,
      DEVCONTAINER_REPOSITORY: repo,
      DEVCONTAINER_WORKSPACE_NAME: workspaceName,
      DEVCONTAINER_STATUS_FILE: join(scratch, 'status', 'status.json'),
      DEVCONTAINER_SUPERVISE: 'false',
      CODER_AGENT_URL: coderUrl,
      DEVCONTAINER_AGENT_MODE: 'binary',
      ...extra,
    },
  });
  expect(problems).toEqual([]);
  if (!settings) throw new Error('no settings');
  const log = memoryLog();
  const logs = { open: async () => log, close: async () => {} };
  const error = await runBuilder({
    settings,
    logs,
    docker: createDockerContext({ env: process.env, dockerHost: settings.dockerHost }),
    // As the app does: ${localEnv:…} may read the builder's environment — never its tokens.
    localEnv: { ...process.env, DCK_HYGIENE_PUBLIC: 'public-value' },
  }).catch((e: unknown) => e);
  return { error, log };
}

function repository(name: string, config: object): string {
  const dir = join(scratch, name);
  mkdirSync(join(dir, '.devcontainer'), { recursive: true });
  writeFileSync(join(dir, '.devcontainer/devcontainer.json'), JSON.stringify(config));
  return dir;
}

describe('secret hygiene of the pipeline', () => {
  it('up, extensions, the cache-from pull and the fallback never hand a token to docker', async () => {
    const good = repository('good', {
      image: 'local/debian:bookworm',
      runArgs: ['--network=host'],
      containerEnv: { FROM_LOCAL: '${localEnv:GH_TOKEN}', PUBLIC: '${localEnv:DCK_HYGIENE_PUBLIC}' },
      customizations: { vscode: { extensions: ['dck-fixtures.hello'] } },
    });
    const first = await run(good, { DEVCONTAINER_CACHE_FROM: `${registry}/${workspaceName}/none:missing` });
    // The agent phase fails on the download (this Coder has no binary) — with its own code.
    expect(first.error).toMatchObject({ name: 'BuilderError', code: 'agent-download-failed', phase: 'agent' });
    expect(first.log.text()).toMatch(/extensions requested|extension requested/);
    const container = docker(['ps', '-q', '--filter', `label=devcontainer-kit.workspace=${workspaceName}`], saved);
    expect(docker(['exec', container, 'sh', '-c', 'echo "[$FROM_LOCAL][$PUBLIC]"'], saved)).toBe('[][public-value]');

    const broken = repository('broken', { image: 42 });
    const second = await run(broken, { DEVCONTAINER_FALLBACK_IMAGE: 'local/debian:bookworm' });
    expect(second.error).toMatchObject({ code: 'agent-download-failed' });
    expect(second.log.text()).toMatch(/DEVCONTAINER_FALLBACK_IMAGE: starting local\/debian:bookworm/);

    const calls = readFileSync(shimLog, 'utf8').split('=== docker ').filter(Boolean);
    const commands = calls.map((c) => c.split('\n')[0]);
    for (const what of [/^run /, /^exec .*-u dev|^exec -u root/, /^pull --quiet .*:missing$/, /^run -d .*--entrypoint \/bin\/sh/])
      expect(
        commands.some((c) => what.test(c ?? '')),
        String(what),
      ).toBe(true);
    for (const call of calls)
      for (const [name, value] of Object.entries(SECRETS)) {
        expect(call, call.split('\n')[0]).not.toContain(value);
        expect(call).not.toMatch(new RegExp(`^${name}=`, 'm'));
      }
  }, 300_000);
});
