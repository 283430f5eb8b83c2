// Outside checks against a loopback HTTP fake of coderd's workspace endpoint (no Coder deployment here;
// the endpoint path, header and JSON field names are coderd's). Real parts: HTTP over 127.0.0.1, the polling loop.
import { afterEach, describe, expect, it } from 'vitest';
import { checkCoderWorkspace, evaluateCoderWorkspace } from '../src/index.js';
import { type FakeCoderd, startFakeCoderd, workspaceDoc } from './support/fake-coderd.js';

const token = 'session-token-1f2e3d';
let fake: FakeCoderd | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('evaluateCoderWorkspace (pure)', () => {
  it('passes a running, healthy workspace with a connected, ready agent and healthy apps', () => {
    const { checks, terminal } = evaluateCoderWorkspace(workspaceDoc({}) as never, ['code-server']);
    expect(checks.every((c) => c.successful)).toBe(true);
    expect(checks.map((c) => c.title)).toEqual([
      'workspace ws running',
      'workspace ws healthy',
      'workspace ws has an agent',
      'agent main connected',
      'agent main ready',
      'app code-server healthy',
    ]);
    expect(terminal).toBe(false);
  });
  it('names an app that is missing, and stops early on a failed build', () => {
    const { checks } = evaluateCoderWorkspace(workspaceDoc({}) as never, ['jupyter']);
    expect(checks.find((c) => !c.successful)?.message).toBe('app jupyter healthy: health: expected "healthy", actual "not found"');
    const failed = evaluateCoderWorkspace(workspaceDoc({ status: 'failed', jobError: 'terraform apply failed' }) as never);
    expect(failed.terminal).toBe(true);
    expect(failed.checks.filter((c) => !c.successful).map((c) => c.message)).toContain(
      'workspace ws build: job.error: expected "", actual "terraform apply failed"',
    );
  });
});

describe('checkCoderWorkspace (HTTP, one deadline)', () => {
  it('polls until the workspace comes up, then passes', async () => {
    fake = await startFakeCoderd(token, [
      404,
      workspaceDoc({ status: 'starting', agentStatus: 'connecting', lifecycle: 'created', healthy: false }),
      workspaceDoc({ lifecycle: 'starting', apps: { 'code-server': 'initializing' } }),
      workspaceDoc({}),
    ]);
    const result = await checkCoderWorkspace({
      url: fake.url,
      token,
      workspace: 'alice/ws',
      apps: ['code-server'],
      pollIntervalMs: 50,
      deadlineMs: 60_000,
    });
    expect(result.checks.filter((c) => !c.successful)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(fake.polls()).toBe(4);
    expect(fake.paths()[0]).toBe('/api/v2/users/alice/workspace/ws');
  });

  it('uses "me" for a bare workspace name', async () => {
    fake = await startFakeCoderd(token, [workspaceDoc({})]);
    await checkCoderWorkspace({ url: fake.url, token, workspace: 'ws', pollIntervalMs: 50 });
    expect(fake.paths()).toEqual(['/api/v2/users/me/workspace/ws']);
  });

  it('gives up at the deadline with the last state of every failing check', async () => {
    fake = await startFakeCoderd(token, [workspaceDoc({ apps: { 'code-server': 'unhealthy' }, healthy: false })]);
    const result = await checkCoderWorkspace({
      url: fake.url,
      token,
      workspace: 'ws',
      apps: ['code-server'],
      pollIntervalMs: 100,
      deadlineMs: 500,
    });
    expect(result.ok).toBe(false);
    expect(result.checks.filter((c) => !c.successful).map((c) => c.message)).toEqual([
      'workspace ws healthy: health.healthy: expected true, actual false',
      'app code-server healthy: health: expected "healthy", actual "unhealthy"',
    ]);
    expect(fake.polls()).toBeGreaterThan(1);
  });

  it('stops at once on a failed build instead of waiting for the deadline', async () => {
    fake = await startFakeCoderd(token, [workspaceDoc({ status: 'failed', jobError: 'boom' })]);
    const result = await checkCoderWorkspace({ url: fake.url, token, workspace: 'ws', pollIntervalMs: 50, deadlineMs: 60_000 });
    expect(result.ok).toBe(false);
    expect(fake.polls()).toBe(1);
  });

  it('a refused token is an error that names the request, never the token', async () => {
    fake = await startFakeCoderd(token, [workspaceDoc({})]);
    const error = await checkCoderWorkspace({ url: fake.url, token: 'wrong-token-value', workspace: 'ws' }).catch((e) => e);
    expect(error).toMatchObject({ name: 'WorkspaceTestError', code: 'CODER_API_FAILED', status: 401, method: 'GET' });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('wrong-token-value');
  });

  it('an unreachable coderd is a failing check at the deadline', async () => {
    fake = await startFakeCoderd(token, [workspaceDoc({})]);
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const result = await checkCoderWorkspace({ url, token, workspace: 'ws', pollIntervalMs: 100, deadlineMs: 300 });
    expect(result.ok).toBe(false);
    expect(result.checks[0]?.title).toBe('Coder API answers');
  });
});
