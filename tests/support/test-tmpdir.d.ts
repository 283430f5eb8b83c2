/** The temporary directory of the machine, before any test file's. */
export declare function hostTmpdir(): string;
/** A fresh directory under the machine's temporary directory, with a remover that never throws. */
export declare function createTestTmpdir(label?: string): { dir: string; remove: () => void };
