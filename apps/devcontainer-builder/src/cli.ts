#!/usr/bin/env node
import { runCli } from '@devcontainer-kit/cli-kit';
import { defineCommand } from 'citty';
import { version } from './version.js';

const main = defineCommand({
  meta: {
    name: 'devcontainer-builder',
    version,
    description: 'Builds and starts a devcontainer workspace for Coder: clone, devcontainer up, agent, supervise.',
  },
  // Imported when they run: `--version` and `status` don't load the pipeline, and a warm `up` doesn't
  // load `prebuild`'s code.
  subCommands: {
    up: () => import('./commands/up.js').then((m) => m.upCommand),
    status: () => import('./commands/status.js').then((m) => m.statusCommand),
    prebuild: () => import('./commands/prebuild.js').then((m) => m.prebuildCommand),
  },
});

// --help, --version, unknown commands and options: the convention every devcontainer-kit CLI shares (cli-kit).
process.exitCode = await runCli(main, {
  version,
  helpFooter:
    'Exit status: 0 done (or stopped by SIGTERM/SIGINT); 1 a phase, build, push or status read failed; 2 usage error (unknown command or option, with a did-you-mean) or bad settings.',
});
