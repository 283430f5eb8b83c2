/**
 * Builds the package in `packageDir` when `entry` (default `dist/index.js`) is missing or, unless
 * `whenStale` is false, older than its src/. One build at a time across test files; the check is
 * repeated under the lock. `command` (default `npx tsup --silent`) is for this module's own test.
 */
export declare function ensurePackageBuilt(packageDir: string, options?: { entry?: string; whenStale?: boolean; command?: string[] }): void;
