// Log source bodies and their ids. Real: nothing external (pure logic and node:crypto).
import { describe, expect, it } from 'vitest';
import { createLogSource, isUuid, LOG_SOURCE_NAMESPACE, uuidV5 } from '../src/log-source.js';

describe('createLogSource', () => {
  it('derives the same UUIDv5 from a display name as before (the values the uuid package gave), so a source keeps its id across runs and versions', () => {
    expect(createLogSource({ displayName: 'Build' }).id).toBe('0ce2d6e4-c21a-5d54-9786-74c92771a736');
    expect(uuidV5('Ünïcödé ✓ 完成 😀', LOG_SOURCE_NAMESPACE)).toBe('326f0caa-7882-5e09-9ea7-4f437e4987ce');
  });

  it('takes a given id in any case (stored lower-case) and refuses what is not a UUID', () => {
    expect(createLogSource({ displayName: 'x', id: '6F1F3C1E-5E0B-5A4E-9C55-2F0D7C1B9A10' }).id).toBe(
      '6f1f3c1e-5e0b-5a4e-9c55-2f0d7c1b9a10',
    );
    expect(() => createLogSource({ displayName: 'x', id: 'not-a-uuid' })).toThrow(/not a UUID/);
    expect(isUuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(isUuid('6f1f3c1e-5e0b-0a4e-9c55-2f0d7c1b9a10')).toBe(false); // version 0
    expect(isUuid('{6f1f3c1e-5e0b-5a4e-9c55-2f0d7c1b9a10}')).toBe(false);
  });
});
