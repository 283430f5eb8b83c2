// Pure: what the init script's process looks like while the builder waits for the agent.
import { describe, expect, it } from 'vitest';
import { classifyAgentCommand } from '../src/agent.js';

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
