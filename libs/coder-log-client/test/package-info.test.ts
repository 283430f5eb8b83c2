import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { packageName } from '../src/index.js';

describe('package-info', () => {
  it('exports the name written in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(packageName).toBe(pkg.name);
  });
});
