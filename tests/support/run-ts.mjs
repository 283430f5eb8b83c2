// Runs a script (a bench) that imports the TypeScript test support, without a build step:
//   node tests/support/run-ts.mjs FILE.mjs|FILE.ts [ARGS...]
// Module hooks (ts-hooks.mjs) compile each .ts file with esbuild as it is loaded and resolve `./x.js`
// to `./x.ts` when only the .ts exists (as vitest does), so import.meta.url stays each file's own and
// the support modules work as they do under vitest.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node tests/support/run-ts.mjs FILE.mjs|FILE.ts [ARGS...]\n');
  process.exit(2);
}
register('./ts-hooks.mjs', import.meta.url);
const path = resolve(file);
if (!existsSync(path)) {
  process.stderr.write(`run-ts: ${path} does not exist\n`);
  process.exit(2);
}
process.argv = [process.argv[0], path, ...args];
await import(pathToFileURL(path).href);
