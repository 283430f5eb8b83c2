#!/usr/bin/env node
// `npm run up`, the README's main job: build and start this repository's .devcontainer on the
// local Docker engine through devcontainer-builder, with progress and logs on the terminal
// (and in Coder when CODER_AGENT_URL/CODER_AGENT_TOKEN are set).
// Prepares what it needs first: npm dependencies, a Docker engine that answers, and, when the
// public base image (node:20-bookworm) is not on this machine and DCK_BASE_IMAGE is unset, the
// offline base image local/debian:bookworm (Node then comes from npm packages).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, env = process.env) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;
const say = (msg) => process.stderr.write(`[up] ${msg}\n`);

if (!existsSync(join(root, 'node_modules/.bin/moon'))) {
  say('installing npm dependencies (npm install)');
  if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) process.exit(1);
}
const env = { ...process.env };
if (!env.DCK_BASE_IMAGE) {
  const hasPublicBase = spawnSync('docker', ['image', 'inspect', 'node:20-bookworm'], { stdio: 'ignore' }).status === 0;
  if (!hasPublicBase) {
    env.DCK_BASE_IMAGE = 'local/debian';
    env.DCK_BASE_TAG = 'bookworm';
    say('node:20-bookworm is not on this machine: using the offline base local/debian:bookworm (set DCK_BASE_IMAGE=node to pull the public one)');
  }
}
// The Docker engine (and the offline base image) from the test bed; a no-op when both are there.
if (run('bash', ['tests/testbed/docker.sh'], env) !== 0) process.exit(1);
process.exit(run('npx', ['moon', 'run', 'devcontainer-builder:up', ...process.argv.slice(2).flatMap((a, i) => (i === 0 ? ['--', a] : [a]))], env));
