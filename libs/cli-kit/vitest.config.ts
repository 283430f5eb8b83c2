import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../tests/support/vitest-shared.js';

export default defineConfig({ test: sharedTestOptions(import.meta.dirname) });
