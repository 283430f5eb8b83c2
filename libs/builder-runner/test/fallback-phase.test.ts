// Pure: what the fallback phase writes into FAILED.md as details. The phase itself runs end to end
// in tests/e2e/builder/extensions-cache-fallback.test.ts (real Docker, real devcontainer CLI).
import { describe, expect, it } from 'vitest';
import { BuilderError } from '../src/errors.js';
import { failureDetails } from '../src/fallback-phase.js';

describe('failureDetails', () => {
  it('prefers the problems (file:line:col), else the output tail, else nothing', () => {
    expect(
      failureDetails(
        new BuilderError('invalid', { code: 'config-invalid', details: ['a.json:5:3: error x', 'a.json:6:1: error y'], stderrTail: 't' }),
      ),
    ).toBe('a.json:5:3: error x\na.json:6:1: error y');
    expect(failureDetails(new BuilderError('up failed', { code: 'devcontainer-up-failed', stderrTail: 'step 2/2\nexit 3' }))).toBe(
      'step 2/2\nexit 3',
    );
    expect(failureDetails(new BuilderError('clone failed', { code: 'git-failed' }))).toBeUndefined();
  });
});
