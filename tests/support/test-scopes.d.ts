/** package directory → { file or glob: kind(s) } of its slow test files. */
export declare const slowTests: Record<string, Record<string, string>>;
/** bats files (or folders ending in /) that need the test bed, from the repository root. */
export declare const slowBats: string[];
/** The slow globs of one package directory (relative to the repository root). */
export declare function slowGlobs(packageDir: string): string[];
