import type { InlineConfig } from 'vitest/node';

/** Test options every package's vitest.config.ts shares (report file, timeouts, DCK_TEST_SCOPE). */
export declare function sharedTestOptions(packageDir: string, options?: { include?: string[] }): InlineConfig;
