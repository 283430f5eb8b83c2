// Pure: what the init script's process looks like while the builder waits for the agent.
import { describe, expect, it } from 'vitest';
import { classifyAgentCommand } from '../src/agent.js';
import { prefetchAgentBinary } from '../src/agent-binary.js';

describe('classifyAgentCommand', () => {
  it('knows the agent, the init script still running, and anything else', () => {
    expect(classifyAgentCommand('/tmp/coder.abc/coder agent ')).toBe('agent');
    expect(classifyAgentCommand('/tmp/.devcontainer-builder/coder agent')).toBe('agent');
    expect(classifyAgentCommand('sh /tmp/.devcontainer-builder/init.sh ')).toBe('script');
    expect(classifyAgentCommand('sh -c echo $$ > /tmp/.devcontainer-builder/agent.pid && exec sh /tmp/.devcontainer-builder/init.sh')).toBe(
      'script',
    );
    expect(classifyAgentCommand('sleep 300 ')).toBe('other');
    expect(classifyAgentCommand('/usr/bin/coder agent-helper')).toBe('other');
    expect(classifyAgentCommand('python3 -m http.server')).toBe('other');
  });
});

describe('prefetchAgentBinary', () => {
  const coder = {
    agentUrl: '',
    agentUrlInContainer: '',
    agentToken: 'agent-token-prefetch',
    initScript: undefined as string | undefined,
  };

  it('fetches only when binary mode is certain, for the builder’s own architecture, from a real HTTP server', async () => {
    const { createServer } = await import('node:http');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/api/v2/buildinfo') return res.end(JSON.stringify({ version: 'v2.30.0' }));
      if (req.url?.startsWith('/bin/coder-linux-')) return res.end('#!/bin/sh\necho fake agent\n');
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const cacheDir = mkdtempSync(join(tmpdir(), 'prefetch-'));
      // An init script with auto mode: the container decides (curl or not), nothing is fetched early.
      expect(prefetchAgentBinary({ coder: { ...coder, agentUrl: url, initScript: 'x' }, mode: 'auto', cacheDir })).toBeUndefined();
      const early = prefetchAgentBinary({ coder: { ...coder, agentUrl: url }, mode: 'auto', cacheDir });
      const bin = await early;
      const expectedArch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : 'armv7';
      expect(bin).toMatchObject({ version: 'v2.30.0', cached: false, arch: expectedArch });
      expect(readFileSync(bin?.path as string, 'utf8')).toContain('fake agent');
      expect(requests).toEqual(['/api/v2/buildinfo', `/bin/coder-linux-${expectedArch}`]);
      // A second start finds it in the cache (one download per Coder version).
      expect(await prefetchAgentBinary({ coder: { ...coder, agentUrl: url }, mode: 'binary', cacheDir })).toMatchObject({ cached: true });
    } finally {
      server.close();
    }
  });
});
