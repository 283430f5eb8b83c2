// The docker CLI plugins the BuildKit and Compose tests need (buildx, compose), built by the test
// bed into $DCK_CACHE/cli-plugins, offered through a DOCKER_CONFIG directory of the test's own:
// the machine's docker keeps building with the legacy builder for every other test.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { runTestbed } from '../../support/testbed.js';

/** A DOCKER_CONFIG directory under ROOT whose cli-plugins hold the named plugins (built when missing). */
export function dockerConfigWithPlugins(root: string, plugins: ('buildx' | 'compose')[]): string {
  const dir = join(root, 'docker-config');
  mkdirSync(join(dir, 'cli-plugins'), { recursive: true });
  for (const p of plugins) {
    const from = join(runTestbed(p), `docker-${p}`);
    symlinkSync(from, join(dir, 'cli-plugins', `docker-${p}`));
  }
  return dir;
}
