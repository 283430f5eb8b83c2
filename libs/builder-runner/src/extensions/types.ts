/** A requested extension: `publisher.name`, optionally pinned with `@version`. */
export interface ExtensionRef {
  /** `publisher.name`, lower-cased (VS Code extension ids are case-insensitive). */
  id: string;
  /** Pinned version (`publisher.name@1.2.3`), when given. */
  version?: string;
  /** The entry as written. */
  spec: string;
}

/** An entry that was not understood, with why. */
export interface IgnoredExtensionEntry {
  entry: unknown;
  reason: string;
}

export interface CollectExtensionsResult {
  extensions: ExtensionRef[];
  ignored: IgnoredExtensionEntry[];
}

/** A `.vsix` file of the offline directory and what its `extension/package.json` says. */
export interface VsixFile {
  file: string;
  /** `publisher.name`, lower-cased. */
  id: string;
  publisher: string;
  name: string;
  version: string;
}

export interface VsixDirectoryScan {
  files: VsixFile[];
  /** Files that could not be read as a VS Code extension, with why. */
  problems: { file: string; reason: string }[];
}

/** The IDE servers this phase knows how to drive; all share VS Code's CLI flags. */
export type IdeServerKind = 'code-server' | 'openvscode-server' | 'vscode-server';

export interface IdeServer {
  kind: IdeServerKind;
  /** Path of the CLI inside the container. */
  path: string;
}

export type ExtensionOutcome = 'installed' | 'already-present' | 'not-found' | 'failed' | 'no-server';

export interface ExtensionResult {
  id: string;
  version?: string;
  /** Which server this result is for (absent for `no-server`). */
  server?: IdeServer;
  outcome: ExtensionOutcome;
  /** Where an installed extension came from. */
  source?: 'offline' | 'gallery';
  /** The version now installed, when known. */
  installedVersion?: string;
  /** The matched `.vsix` (host path), for offline installs. */
  vsix?: string;
  /** Why it failed or was not found (one line, from the server's output). */
  reason?: string;
}

export interface ExtensionsReport {
  servers: IdeServer[];
  results: ExtensionResult[];
  /** Entries of the configuration that were not extension ids. */
  ignored: IgnoredExtensionEntry[];
  /** Problems of the offline directory (unreadable `.vsix` files, missing directory). */
  offlineProblems: { file: string; reason: string }[];
  /** Set when the phase could not run at all (container gone, docker failing); results then say why. */
  error?: string;
  durationMs: number;
}
