#!/usr/bin/env node
import { defineCommand, runMain } from 'citty';
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

await runMain(main);
