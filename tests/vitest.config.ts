import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from './support/vitest-shared.js';

export default defineConfig({
  test: sharedTestOptions(import.meta.dirname, { include: ['**/*.test.ts'] }),
});
