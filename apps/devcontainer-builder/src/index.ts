export { runUp, upArgs, upCommand } from './commands/up.js';
export { statusCommand, statusFilePath } from './commands/status.js';
export { version } from './version.js';
