// Pure: every setting is documented in the README's configuration table (env var and flag).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settingDefinitions } from '../src/settings.js';

describe('README', () => {
  it('documents every setting with its flag', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const d of settingDefinitions) expect(readme).toContain(`| \`${d.env}\` | \`--${d.flag}\` |`);
  });
});
