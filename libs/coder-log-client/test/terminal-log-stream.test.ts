// The terminal LogStream for when no Coder is configured. Real: a Node Writable.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createTerminalLogStream } from '../src/terminal-log-stream.js';

describe('createTerminalLogStream', () => {
  it('writes leveled lines with the same LogStream interface', async () => {
    let text = '';
    const output = new Writable({
      write(chunk, _enc, cb) {
        text += chunk;
        cb();
      },
    });
    const s = createTerminalLogStream({ displayName: 'Build', output, minLevel: 'info' });
    s.write('hidden', 'debug');
    s.write('step 1\nstep 2', 'info');
    s.write('boom', 'error');
    await s.flush();
    await s.close();
    s.write('after close');
    expect(text).toBe('[Build] info: step 1\n[Build] info: step 2\n[Build] error: boom\n');
    expect(s.stats).toMatchObject({ sent: 3, dropped: 2, overflowed: false });
    expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
