export { statusCommand, statusFilePath } from './commands/status.js';
export { runUp, upArgs, upCommand } from './commands/up.js';
export { version } from './version.js';
