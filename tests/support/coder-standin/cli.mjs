#!/usr/bin/env node
// Run the Coder stand-in as a process (for bats tests and benches).
//   node tests/support/coder-standin/cli.mjs [--port N] [--faults JSON] [--agent-binary-amd64 FILE]
//        [--agent-binary-arm64 FILE] [--logs-limit-bytes N] [--json]
// The agent token (a UUID, as coderd's are) comes from $CODER_STANDIN_TOKEN (or $CODER_AGENT_TOKEN); with neither, a random
// one is generated and only printed with --json. Prints the URL on stdout (one line), or with
// --json one line {"url", "agentToken", "pid"}. Stops on SIGTERM/SIGINT.
// Inspect/control it over HTTP: GET /__standin/{logs,sources,requests,agent-calls,stats},
// POST /__standin/faults with a faults JSON body.
import { parseArgs } from 'node:util';
import { startCoderStandin } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    faults: { type: 'string' },
    'agent-binary-amd64': { type: 'string' },
    'agent-binary-arm64': { type: 'string' },
    'logs-limit-bytes': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const standin = await startCoderStandin({
  agentToken: process.env.CODER_STANDIN_TOKEN || process.env.CODER_AGENT_TOKEN || undefined,
  port: values.port ? Number(values.port) : 0,
  faults: values.faults ? JSON.parse(values.faults) : undefined,
  logsLimitBytes: values['logs-limit-bytes'] ? Number(values['logs-limit-bytes']) : undefined,
  agentBinaries: {
    ...(values['agent-binary-amd64'] ? { amd64: values['agent-binary-amd64'] } : {}),
    ...(values['agent-binary-arm64'] ? { arm64: values['agent-binary-arm64'] } : {}),
  },
});

process.stdout.write(
  values.json ? `${JSON.stringify({ url: standin.url, agentToken: standin.agentToken, pid: process.pid })}\n` : `${standin.url}\n`,
);
process.stderr.write(`coder-standin: listening on ${standin.url}\n`);

let closing = false;
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    if (closing) return;
    closing = true;
    standin.close().then(() => process.exit(0));
  });
}
