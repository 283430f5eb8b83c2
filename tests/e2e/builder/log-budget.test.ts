// Two builder runs on one Coder agent share its 1 MiB log budget, as a pod restart does.
// Real parts: the builder CLI, git (over HTTP), Docker, the devcontainer CLI. Emulated: Coder
// (the loopback stand-in, which refuses only the batch that would pass 1 MiB, as coderd v2.30 does).
// Each run's postCreateCommand prints ~600 KB and fails. Between the runs the agent's own scripts
// (here: direct PATCHes, as the agent would send them) fill the budget to 30 KB short of 1 MiB, so
// the second run's hook output meets a 413: its final error line must still reach Coder.
// (The devcontainer CLI drops part of a failing hook's output when its reader falls behind — an
// upstream behaviour — so the figures below are lower bounds, never exact counts.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoderStandin } from '../../support/coder-standin/index.js';
import { type GitServer, startGitServer } from '../../support/git-server/index.js';
import { ensureDocker } from '../../support/testbed.js';
import {
  type BuilderRun,
  buildBuilder,
  cleanupDocker,
  createFixtureRemote,
  type FixtureRemote,
  git,
  readStatus,
  renderInitScript,
  startBuilder,
  stopRuns,
} from './support.js';

const PREFIX = 'dck-builder-budget';
const NAME = `${PREFIX}-ws`;
const GIT_TOKEN = `gittok-${crypto.randomUUID()}`;
const AGENT_TOKEN = crypto.randomUUID();
// 6,000 lines of 100 characters: ~600 KB per run; two runs would pass 1 MiB.
const NOISY_HOOK = [
  'set -eu',
  'i=0',
  // Distinct lines: the log client collapses repeated ones.
  'while [ $i -lt 6000 ]; do printf "%06d %093d\\n" "$i" 0; i=$((i + 1)); done',
  'echo "noisy postCreate fails on purpose ($1)" >&2',
  'exit 3',
  '',
].join('\n');

let root: string;
let remote: FixtureRemote;
let gitServer: GitServer;
const runs: BuilderRun[] = [];

function withPostCreate(run: string): string {
  const dc = readFileSync(join(remote.work, '.devcontainer/devcontainer.json'), 'utf8');
  // waitFor postCreateCommand: the hook runs (and fails) inside `up`, not in the background.
  return dc
    .replace('"sh .devcontainer/hook.sh postCreate"', `"sh .devcontainer/noisy.sh ${run}"`)
    .replace('"remoteUser": "dev",', '"remoteUser": "dev",\n  "waitFor": "postCreateCommand",');
}

/** Fills the agent's log budget by `bytes` (≥ 0) as the agent's own scripts would: one source, batches of 100 lines of 1000 bytes. */
async function fillAgentLogs(url: string, token: string, bytes: number): Promise<void> {
  const headers = { 'Coder-Session-Token': token, 'Content-Type': 'application/json' };
  const id = crypto.randomUUID();
  const source = await fetch(new URL('api/v2/workspaceagents/me/log-source', url), {
    method: 'POST',
    headers,
    body: JSON.stringify({ id, display_name: 'Agent scripts (test)', icon: '/icon/widgets.svg' }),
  });
  expect(source.status).toBe(201);
  let left = bytes;
  while (left > 0) {
    const lines = [];
    for (let i = 0; i < 100 && left > 0; i++) {
      const n = Math.min(1000, left);
      lines.push({ created_at: new Date().toISOString(), output: 'x'.repeat(n), level: 'info' });
      left -= n;
    }
    const r = await fetch(new URL('api/v2/workspaceagents/me/logs', url), {
      method: 'PATCH',
      headers,
      body: JSON.stringify({ log_source_id: id, logs: lines }),
    });
    expect(r.status).toBe(200);
  }
}

beforeAll(async () => {
  ensureDocker();
  root = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
  remote = createFixtureRemote(root);
  git(remote.work, 'branch', 'noisy', 'main');
  gitServer = await startGitServer({ root, token: GIT_TOKEN });
  buildBuilder();
}, 300_000);

afterAll(async () => {
  await stopRuns(runs);
  await gitServer?.close();
  cleanupDocker([NAME], PREFIX);
  if (root) rmSync(root, { recursive: true, force: true });
}, 120_000);

describe('the Coder log budget across builder runs', () => {
  it("a restarted builder's final error still reaches Coder after an earlier run used most of the agent's budget", async () => {
    const standin = await startCoderStandin({ agentToken: AGENT_TOKEN });
    try {
      const statusFile = join(root, 'workspaces', `${NAME}.status.json`);
      const env: Record<string, string> = {
        DEVCONTAINER_REPOSITORY: `${gitServer.url}fixture.git`,
        DEVCONTAINER_BRANCH: 'noisy',
        DEVCONTAINER_WORKSPACE_FOLDER: join(root, 'workspaces', NAME),
        DEVCONTAINER_WORKSPACE_NAME: NAME,
        DEVCONTAINER_STATUS_FILE: statusFile,
        DEVCONTAINER_GIT_TOKEN: GIT_TOKEN,
        CODER_AGENT_URL: standin.url,
        CODER_AGENT_TOKEN: standin.agentToken,
        CODER_INIT_SCRIPT: renderInitScript(standin.url),
      };
      const errorLinesOf = (run: string) => standin.logs().filter((l) => l.level === 'error' && l.output.includes(`noisy.sh ${run}`));

      remote.change(
        'noisy',
        { '.devcontainer/noisy.sh': NOISY_HOOK, '.devcontainer/devcontainer.json': withPostCreate('run1') },
        'noisy run 1',
      );
      const first = startBuilder(env);
      runs.push(first);
      expect((await first.exited).code).toBe(1);
      const afterFirst = standin.stats().logsLength;
      // The first run's hook output went to Coder (at least the part the CLI did not drop).
      expect(afterFirst).toBeGreaterThan(100_000);
      expect(errorLinesOf('run1').length).toBeGreaterThan(0);

      // The agent's own scripts log too (same token, same budget): 30 KB left.
      await fillAgentLogs(standin.url, AGENT_TOKEN, 1_048_576 - 30_000 - standin.stats().logsLength);
      const prefilled = standin.stats().logsLength;

      // The second run gets a new container (the first one's is removed, as a pod whose Docker data
      // was lost would), so postCreate runs — and fails — again.
      cleanupDocker([NAME], PREFIX);
      remote.change('noisy', { '.devcontainer/devcontainer.json': withPostCreate('run2') }, 'noisy run 2');
      const second = startBuilder(env);
      runs.push(second);
      expect((await second.exited).code).toBe(1);
      expect(readStatus(statusFile)?.lastError.code).toBe('lifecycle-hook-failed');

      // The second run's final error line is in Coder's store, within the agent's 1 MiB.
      expect(errorLinesOf('run2').length).toBeGreaterThan(0);
      expect(standin.stats().logsLength).toBeLessThanOrEqual(1_048_576);
      // The second run did meet coderd's 413 (the case this test is about), and kept sending its last words.
      expect(standin.requests().some((r) => r.status === 413)).toBe(true);
      expect(standin.stats().logsOverflowed).toBe(true);
      // The budget account counts what the builder runs sent (not the agent's own scripts), never the token.
      const account = JSON.parse(readFileSync(join(root, 'workspaces', `${NAME}.state`, 'coder-log-account.json'), 'utf8'));
      expect(account.sentBytes).toBe(standin.stats().logsLength - (prefilled - afterFirst));
      expect(JSON.stringify(account)).not.toContain(AGENT_TOKEN);
    } finally {
      await standin.close();
    }
  }, 600_000);
});
