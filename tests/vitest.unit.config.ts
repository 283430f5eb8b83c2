// `npm run test:unit`: every package's vitest project in one run, in the unit scope
// (tests/run-unit.mjs sets DCK_TEST_SCOPE=unit; the slow files are listed in support/test-scopes.js).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['libs/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tests/vitest.config.ts'],
  },
});
