// Real: Docker engine and a container from the test bed's local/debian:bookworm. The agent is a
// stand-in process named `coder agent` started by a CODER_INIT_SCRIPT (script mode), so the test
// needs no Coder: what it checks is how the builder starts it — prepared on a first start, one
// `docker exec` on a warm restart, and back to preparing when the container is not as it was left.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, runTestbed } from '../../../tests/support/testbed.js';
import { type AgentOptions, startAgent } from '../src/agent.js';
import type { PhaseLog } from '../src/phase-log.js';
import { createRedactor } from '../src/redact.js';

const TOKEN = 'dck-quick-start-token-5d2e';
const name = `dck-agent-quick-${process.pid}`;
let container: string;
let calls: string;
let env: Record<string, string>;

// A docker shim in front of the real one: it records each call's first words, so the test can count
// the `docker exec`s a start takes.
beforeAll(() => {
  runTestbed('docker');
  container = docker(['run', '-d', '--name', name, '--network', 'none', 'local/debian:bookworm', 'sleep', 'infinity']);
  const dir = mkdtempSync(join(tmpdir(), 'dck-quick-docker-'));
  calls = join(dir, 'calls');
  writeFileSync(
    join(dir, 'docker'),
    `#!/bin/sh\nprintf '%s %s\\n' "$1" "$2" >> '${calls}'\nPATH='${process.env.PATH}' exec docker "$@"\n`,
    { mode: 0o755 },
  );
  env = { PATH: `${dir}:${process.env.PATH}`, HOME: process.env.HOME ?? tmpdir() };
}, 300_000);

afterAll(() => {
  if (container) docker(['rm', '-f', container]);
});

// The "agent": a script called coder, run as `coder agent`, that stays up.
const INIT_SCRIPT = [
  '#!/bin/sh',
  'mkdir -p /tmp/fake-bin',
  "printf '#!/bin/sh\\nwhile :; do sleep 1; done\\n' > /tmp/fake-bin/coder",
  'chmod +x /tmp/fake-bin/coder',
  'exec /tmp/fake-bin/coder agent',
].join('\n');

function options(extra: Partial<AgentOptions> = {}): { o: AgentOptions; lines: string[] } {
  const lines: string[] = [];
  const log: PhaseLog = { write: (l) => void lines.push(l), close: async () => {} };
  const o: AgentOptions = {
    docker: createDockerContext({ env }),
    containerId: container,
    remoteUser: 'root',
    workdir: undefined,
    coder: { agentUrl: 'http://127.0.0.1:9/', agentUrlInContainer: 'http://127.0.0.1:9/', agentToken: TOKEN, initScript: INIT_SCRIPT },
    mode: 'script',
    cacheDir: mkdtempSync(join(tmpdir(), 'dck-quick-cache-')),
    log,
    redactor: createRedactor([TOKEN]),
    verifyTimeoutMs: 20_000,
    ...extra,
  };
  return { o, lines };
}

const execCount = () =>
  readFileSync(calls, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('exec ')).length;
const agentCmd = (pid: number) => docker(['exec', container, 'sh', '-c', `tr '\\0' ' ' </proc/${pid}/cmdline`]);

describe('startAgent on a warm restart', () => {
  it('prepares the container on a first start, then starts with one docker exec (plus the watch) as the last start left it', async () => {
    const first = options();
    writeFileSync(calls, '');
    const before = execCount();
    const a = await startAgent(first.o);
    expect(a.quick).toBe(false);
    expect(a.launch.mode).toBe('script');
    expect(agentCmd(a.pid)).toMatch(/coder agent/);
    const preparedExecs = execCount() - before;
    // probe + write init.sh + launch + at least one watch
    expect(preparedExecs).toBeGreaterThanOrEqual(4);
    expect(docker(['exec', container, 'head', '-1', '/tmp/.devcontainer-builder/init.sh'])).toBe(a.launch.marker);
    await a.stop(3000);

    // After a restart pids start again: the recorded pid may now be a process that is no agent, whose
    // command line merely mentions agent.pid (as the launch script's own does). Not a reason to refuse.
    const decoy = docker(['exec', container, 'sh', '-c', `sh -c 'while :; do sleep 1; done' decoy-agent.pid >/dev/null 2>&1 & echo $!`]);
    docker(['exec', container, 'sh', '-c', `echo ${decoy} > /tmp/.devcontainer-builder/agent.pid`]);
    const warm = options({ previousLaunch: a.launch });
    const mark = execCount();
    const b = await startAgent(warm.o);
    expect(b.quick).toBe(true);
    expect(agentCmd(b.pid)).toMatch(/coder agent/);
    expect(b.pid).not.toBe(a.pid);
    // launch + watch: two docker execs, no preparation
    expect(execCount() - mark).toBe(2);
    expect(warm.lines.join('\n')).toMatch(/started as the last start left it/);
    await b.stop(3000);
  }, 120_000);

  it('falls back to preparing the container when init.sh is gone or an earlier agent still runs', async () => {
    const first = await startAgent(options().o);
    // An earlier agent still runs: the quick start refuses (98), the preparation stops the old one.
    const stale = options({ previousLaunch: first.launch });
    const second = await startAgent(stale.o);
    expect(second.quick).toBe(false);
    expect(stale.lines.join('\n')).toMatch(/preparing the container for the agent: an earlier agent still runs/);
    expect(stale.lines.join('\n')).toMatch(/stopped the agent a previous builder run left running/);
    expect(docker(['exec', container, 'sh', '-c', `[ -d /proc/${first.pid} ] && echo alive || echo gone`])).toBe('gone');
    await second.stop(3000);

    // /tmp wiped (e.g. a tmpfs): the quick start refuses (97) and the container is prepared again.
    docker(['exec', container, 'rm', '-f', '/tmp/.devcontainer-builder/init.sh']);
    const wiped = options({ previousLaunch: second.launch });
    const third = await startAgent(wiped.o);
    expect(third.quick).toBe(false);
    expect(wiped.lines.join('\n')).toMatch(/no longer has the start script/);
    expect(agentCmd(third.pid)).toMatch(/coder agent/);
    await third.stop(3000);
  }, 120_000);
});
