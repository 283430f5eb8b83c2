export type { CollectExtensionsOptions } from './collect.js';
export { collectExtensions, parseExtensionSpec } from './collect.js';
export type { ExtensionLogLevel, InstallExtensionsOptions } from './install.js';
export { classifyInstallFailure, formatExtensionResult, installExtensions, summarizeExtensionsReport } from './install.js';
export type { DetectIdeServersOptions } from './servers.js';
export { DETECT_SERVERS_SCRIPT, detectIdeServers, parseDetectedServers, parseListedExtensions } from './servers.js';
export type * from './types.js';
export { compareVersions } from './version.js';
export { matchVsix, readVsixManifest, scanVsixDirectory } from './vsix.js';
