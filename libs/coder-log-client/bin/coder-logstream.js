#!/usr/bin/env node
// The `coder-logstream` command. This small file is committed so that npm links the bin when the package is
// installed, before dist/ exists in a fresh clone; the CLI itself is dist/cli.js.
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(`'${cli}'`)) {
    process.stderr.write(
      'coder-logstream: not built yet (dist/cli.js is missing): run `npm run build` at the repository root, or `npx moon run coder-log-client:build`\n',
    );
    process.exit(1);
  }
  throw error;
}
