#!/usr/bin/env node
// coder-logstream [options] -- <command> [args...]   |   coder-logstream [options] < file
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runCli } from '@devcontainer-kit/cli-kit';
import { defineCommand } from 'citty';
import { ENV_FALLBACKS, type LogstreamFlags, redactCredentials, resolveLogstreamOptions } from './cli-options.js';
import { runLogstream } from './logstream-command.js';

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const command = dashes === -1 ? [] : argv.slice(dashes + 1);
// A token on the command line is readable by every process (/proc/*/cmdline): refuse it, and take
// it (and its value) out of what is parsed, so it can never be echoed in a message.
const early: string[] = [];
const flagArgs: string[] = [];
{
  const given = dashes === -1 ? argv : argv.slice(0, dashes);
  for (let i = 0; i < given.length; i++) {
    const arg = given[i] as string;
    if (arg === '--agent-token' || arg.startsWith('--agent-token=')) {
      if (arg === '--agent-token' && i + 1 < given.length) i++;
      early.push(
        '--agent-token is not accepted (a token on the command line is visible to every process): set CODER_AGENT_TOKEN or use --agent-token-file',
      );
      continue;
    }
    flagArgs.push(arg);
  }
}

const env = (k: keyof LogstreamFlags) => ` (env ${ENV_FALLBACKS[k]})`;
const main = defineCommand({
  meta: {
    name: 'coder-logstream',
    description: "Run a command (after --) or read stdin, echo its output unchanged and stream it to the Coder agent's logs.",
  },
  args: {
    'agent-url': { type: 'string', description: `Coder URL${env('agent-url')}` },
    'agent-token-file': {
      type: 'string',
      description: `File holding the agent token (else the token comes from CODER_AGENT_TOKEN; never from argv)${env('agent-token-file')}`,
    },
    'source-name': { type: 'string', description: `Log source name shown in Coder (default: the command's name)${env('source-name')}` },
    'source-id': { type: 'string', description: `Log source UUID (default: derived from the name)${env('source-id')}` },
    icon: { type: 'string', description: `Log source icon path or URL${env('icon')}` },
    'flush-interval': { type: 'string', description: `Batch interval, e.g. 1s or 500ms (default 1s)${env('flush-interval')}` },
    'flush-timeout': {
      type: 'string',
      description: `Time to flush after the command ends or a signal (default 10s)${env('flush-timeout')}`,
    },
    budget: { type: 'string', description: `Bytes of the agent's 1 MiB this may use (default 896KiB)${env('budget')}` },
    'budget-account-file': {
      type: 'string',
      description: `JSON file counting what runs on this agent already sent, so a rerun starts with what is left${env('budget-account-file')}`,
    },
    'log-file': { type: 'string', description: `Full local log (default $TMPDIR/coder-logstream-<source>.log)${env('log-file')}` },
    'level-from-json': {
      type: 'boolean',
      description: `Take levels from devcontainer CLI --log-format json events${env('level-from-json')}`,
    },
    'stderr-level': { type: 'string', description: `Level for stderr lines (default error)${env('stderr-level')}` },
  },
  async run({ args }) {
    const flags = args as unknown as LogstreamFlags;
    const { options, problems: resolved } = resolveLogstreamOptions({
      flags,
      env: process.env,
      command,
      readFile: (p) => readFileSync(p, 'utf8'),
    });
    const problems = [...early, ...resolved];
    if (args._.length > 0) {
      problems.push(redactCredentials(`put the command after --: coder-logstream [options] -- ${args._.join(' ')}`));
    }
    if (problems.length > 0) {
      for (const p of problems) process.stderr.write(`coder-logstream: ${p}\n`);
      process.exitCode = 2;
      return;
    }
    process.exitCode = await runLogstream(options, {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      signals: process,
    });
  },
});

// Unknown flags, --help and --version: the shared convention (@devcontainer-kit/cli-kit).
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
process.exitCode = await runCli(main, {
  version,
  argv: flagArgs,
  helpFooter:
    "Exit status: the command's own (128 + signal when it was killed, 127 when it cannot be found), or 0 after streaming stdin; 2 for a usage error. Problems shipping logs never change it.",
});
