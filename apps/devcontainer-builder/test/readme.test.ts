// Pure: every setting and command is documented in the README (configuration table, commands).
import { readFileSync } from 'node:fs';
import { settingDefinitions } from '@devcontainer-kit/builder-runner';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('documents every setting with its flag, and the prebuild command', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const d of settingDefinitions) expect(readme).toContain(`| \`${d.env}\` | \`--${d.flag}\` |`);
    expect(readme).toContain('`devcontainer-builder prebuild');
  });
});
