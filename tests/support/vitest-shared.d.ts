import type { InlineConfig } from 'vitest/node';

/** Test options every package's vitest.config.ts shares. */
export declare function sharedTestOptions(packageDir: string): InlineConfig;
