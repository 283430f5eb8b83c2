// Pure logic only: the explanation text and secret scrubbing.
import { describe, expect, it } from 'vitest';
import { renderFailureExplanation, scrubSecrets } from '../../src/fallback/explanation.js';

describe('scrubSecrets', () => {
  it('removes given secret values, URL credentials and auth headers', () => {
    const text =
      'clone https://oauth2:ghp_abcdef123456@git.example/x.git failed; token ghp_abcdef123456; Authorization: Bearer xyz123; Coder-Session-Token: abc-def';
    expect(scrubSecrets(text, ['ghp_abcdef123456', undefined, 'ab'])).toBe(
      'clone https://***@git.example/x.git failed; token ***; Authorization: *** Coder-Session-Token: ***',
    );
  });
});

describe('renderFailureExplanation', () => {
  it('says which phase failed, what to do, and keeps the details without secrets', () => {
    const text = renderFailureExplanation({
      reason: {
        phase: 'config',
        message: 'devcontainer.json is invalid',
        details: '.devcontainer/devcontainer.json:3:5: error unknown-property: "imagee"\ntoken=tok-1234',
      },
      fallbackImage: 'ghcr.io/acme/fallback:1',
      time: '2026-11-23T16:00:00.000Z',
      secrets: ['tok-1234'],
    });
    expect(text).toContain('# This workspace is running in fallback mode');
    expect(text).toContain('the **config** phase failed at 2026-11-23T16:00:00.000Z');
    expect(text).toContain('.devcontainer/devcontainer.json:3:5: error unknown-property');
    expect(text).toContain('The devcontainer configuration is invalid.');
    expect(text).not.toContain('tok-1234');
  });
});
