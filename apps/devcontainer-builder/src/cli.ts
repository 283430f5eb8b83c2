#!/usr/bin/env node
import { runCli } from '@devcontainer-kit/cli-kit';
import { defineCommand } from 'citty';
import { prebuildCommand } from './commands/prebuild.js';
import { statusCommand } from './commands/status.js';
import { upCommand } from './commands/up.js';
import { version } from './version.js';

const main = defineCommand({
  meta: {
    name: 'devcontainer-builder',
    version,
    description: 'Builds and starts a devcontainer workspace for Coder: clone, devcontainer up, agent, supervise.',
  },
  subCommands: { up: upCommand, status: statusCommand, prebuild: prebuildCommand },
});

// --help, --version, unknown commands and options: the convention every devcontainer-kit CLI shares (cli-kit).
process.exitCode = await runCli(main, {
  version,
  helpFooter:
    'Exit status: 0 done (or stopped by SIGTERM/SIGINT); 1 a phase, build, push or status read failed; 2 usage error (unknown command or option, with a did-you-mean) or bad settings.',
});
