export { didYouMean, editDistance } from './did-you-mean.js';
export { type CliUsageCode, CliUsageError } from './errors.js';
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, type RunCliOptions, runCli } from './run-cli.js';
export { type CliStream, createStyle, terminalWidth, useColour, wrapText } from './style.js';
export { type AnyCommand, renderHelp } from './usage.js';
