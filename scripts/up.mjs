#!/usr/bin/env node
// `npm run up`, the README's main job: build and start this repository's .devcontainer on the
// local Docker engine through devcontainer-builder (`moon run devcontainer-builder:up`), with
// progress and logs on the terminal (and in Coder when CODER_AGENT_URL/CODER_AGENT_TOKEN are set).
// First it makes sure of what that needs: npm dependencies, a Docker engine that answers, and a
// base image — the public node:20-bookworm (pulled), or, where no registry answers, the offline
// local/debian:bookworm from the test bed (devcontainer-builder:up then builds on that).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts }).status ?? 1;
const quiet = (cmd, args, opts = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'ignore', ...opts }).status === 0;
const say = (msg) => process.stderr.write(`[up] ${msg}\n`);

if (!existsSync(join(root, 'node_modules/.bin/moon'))) {
  say('installing npm dependencies (npm install)');
  if (run('npm', ['install', '--no-audit', '--no-fund']) !== 0) process.exit(1);
}
const dockerAnswers = quiet('docker', ['info']);
const hasBase = (image) => quiet('docker', ['image', 'inspect', image]);
const pullPublicBase = () => {
  say('pulling node:20-bookworm (the devcontainer base image)');
  return quiet('docker', ['pull', 'node:20-bookworm'], { timeout: 300_000 });
};
const baseReady =
  dockerAnswers &&
  (process.env.DCK_BASE_IMAGE !== undefined || hasBase('node:20-bookworm') || hasBase('local/debian:bookworm') || pullPublicBase());
if (!baseReady) {
  // No Docker engine, or no registry: the test bed starts dockerd and builds the offline base.
  say(
    dockerAnswers ? 'no registry answers: building the offline base image local/debian:bookworm' : 'no Docker engine answers: starting one',
  );
  if (run('bash', ['tests/testbed/docker.sh']) !== 0) process.exit(1);
}
const passthrough = process.argv.slice(2);
process.exit(run('npx', ['moon', 'run', 'devcontainer-builder:up', ...(passthrough.length ? ['--', ...passthrough] : [])]));
