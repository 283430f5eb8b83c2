// Pure: when a warm restart may skip `devcontainer up` (docker start, hooks in the background).
import { describe, expect, it } from 'vitest';
import { warmStartBlocker } from '../../src/phases/warm-start.js';

const ok = {
  config: { image: 'x', postStartCommand: 'echo' },
  metadata: [{ postStartCommand: 'echo' }],
  stateHash: 'h',
  configHash: 'h',
  previous: { outcome: 'success' as const, containerId: 'c1' },
  containerId: 'c1',
};

describe('warmStartBlocker', () => {
  it('allows an unchanged container whose last up succeeded and whose waitFor hooks are creation-only', () => {
    expect(warmStartBlocker(ok)).toBeUndefined();
    expect(warmStartBlocker({ ...ok, metadata: [{ waitFor: 'onCreateCommand' }] })).toBeUndefined();
    // initializeCommand runs before every start: the builder runs it itself, then starts the container.
    expect(warmStartBlocker({ ...ok, config: { ...ok.config, initializeCommand: 'make' } })).toBeUndefined();
  });
  it('refuses whatever could make up do more than docker start', () => {
    expect(warmStartBlocker({ ...ok, config: { dockerComposeFile: 'c.yml' } })).toMatch(/Compose/);
    expect(warmStartBlocker({ ...ok, configHash: 'other' })).toMatch(/configuration changed/);
    expect(warmStartBlocker({ ...ok, stateHash: undefined })).toMatch(/configuration changed/);
    expect(warmStartBlocker({ ...ok, previous: { outcome: 'error', containerId: 'c1' } })).toMatch(/did not succeed/);
    expect(warmStartBlocker({ ...ok, previous: { outcome: 'success', containerId: 'c0' } })).toMatch(/did not succeed/);
    expect(warmStartBlocker({ ...ok, metadata: [{ waitFor: 'postStartCommand' }] })).toBe('waitFor is postStartCommand');
    // The last entry that sets waitFor wins (devcontainer.json after the features).
    expect(warmStartBlocker({ ...ok, metadata: [{ waitFor: 'onCreateCommand' }, { waitFor: 'postCreateCommand' }] })).toBe(
      'waitFor is postCreateCommand',
    );
  });
});
