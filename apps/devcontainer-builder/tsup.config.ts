import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Two outputs: the library entry (index: types and the commands, dependencies imported as packages)
// and the CLI, bundled with every dependency except the devcontainer CLI (run as its own process from
// its package). One file set to load instead of ~200 modules: start-up is on a warm restart's critical
// path. Code splitting keeps each subcommand and rarely needed code in its own chunk, loaded on use.
// The image ships this same dist/cli.js (scripts/build-image.sh).
// The two builds run at once: dist/ is emptied here, once, not by either of them.
rmSync('dist', { recursive: true, force: true });

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm'],
    target: 'node20',
    dts: true,
    sourcemap: true,
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    splitting: true,
    noExternal: [/.*/],
    external: ['@devcontainers/cli'],
    // CommonJS dependencies (cross-spawn…) call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as __dckCreateRequire } from 'node:module'; const require = __dckCreateRequire(import.meta.url);",
    },
  },
]);
