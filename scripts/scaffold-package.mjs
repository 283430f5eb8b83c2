// One-off scaffold used to lay down a package with the repo's conventions.
// Usage: node scripts/scaffold-package.mjs <libs|apps>/<dir> <npm-name> <layer> "<one sentence>" [bin]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, name, layer, sentence, bin] = process.argv.slice(2);
if (!dir || !name || !layer || !sentence) {
  console.error('usage: scaffold-package.mjs DIR NAME LAYER SENTENCE [BIN]');
  process.exit(2);
}
const write = (file, text) => {
  const path = join(dir, file);
  if (existsSync(path)) return;
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};
const isLib = layer === 'library';
const pkg = {
  name,
  version: '0.1.0',
  description: sentence,
  type: 'module',
  ...(isLib ? {} : { private: true }),
  license: 'Apache-2.0',
  repository: { type: 'git', url: 'git+https://github.com/devcontainer-kit/devcontainer-kit.git', directory: dir },
  engines: { node: '>=20.18.1' },
  sideEffects: false,
  exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
  main: './dist/index.js',
  types: './dist/index.d.ts',
  ...(bin ? { bin: { [bin]: './dist/cli.js' } } : {}),
  files: ['dist'],
  scripts: { build: 'tsup', typecheck: 'tsc --noEmit -p tsconfig.json', test: 'vitest run' },
  ...(isLib ? { publishConfig: { access: 'public' } } : {}),
};
write('package.json', JSON.stringify(pkg, null, 2) + '\n');
write(
  'tsconfig.json',
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: '.', noEmit: true },
      include: ['src', 'test', 'bench', '*.config.ts'],
    },
    null,
    2,
  ) + '\n',
);
write(
  'tsup.config.ts',
  `import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'${bin ? ", 'src/cli.ts'" : ''}],
  format: ['esm'],
  target: 'node20',
  dts: true,
  sourcemap: true,
  clean: true,
});
`,
);
write(
  'vitest.config.ts',
  `import { defineConfig } from 'vitest/config';
import { sharedTestOptions } from '../../tests/support/vitest-shared.js';

export default defineConfig({ test: sharedTestOptions(import.meta.dirname) });
`,
);
write(
  'moon.yml',
  `$schema: '../../.moon/cache/schemas/project.json'
language: 'typescript'
layer: '${layer}'
project:
  title: '${name}'
  description: '${sentence}'
`,
);
write('CHANGELOG.md', `# ${name}\n`);
write('src/index.ts', `export { packageName } from './package-info.js';\n`);
write('src/package-info.ts', `/** The npm name of this package. */\nexport const packageName = '${name}';\n`);
write(
  'test/package-info.test.ts',
  `import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { packageName } from '../src/index.js';

describe('package-info', () => {
  it('exports the name written in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(packageName).toBe(pkg.name);
  });
});
`,
);
write('README.md', `# ${name}\n\n${sentence}\n\n> Status: scaffold. The real content comes with its issue.\n`);
