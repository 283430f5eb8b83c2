// Pure: compose files of a config, a container's compose identity, the build context for compose.
import { createDockerContext } from '@devcontainer-kit/docker-context';
import { describe, expect, it } from 'vitest';
import { composeBuildContext, composeFilePaths, composeIdentity, isComposeConfig } from '../src/compose.js';

describe('compose configs', () => {
  it('resolves compose files relative to devcontainer.json, in order', () => {
    const file = '/ws/app/.devcontainer/devcontainer.json';
    expect(composeFilePaths({ dockerComposeFile: 'compose.yaml' }, file)).toEqual(['/ws/app/.devcontainer/compose.yaml']);
    expect(composeFilePaths({ dockerComposeFile: ['../compose.yaml', 'compose.dev.yaml'] }, file)).toEqual([
      '/ws/app/compose.yaml',
      '/ws/app/.devcontainer/compose.dev.yaml',
    ]);
    expect(composeFilePaths({ image: 'x' }, file)).toEqual([]);
    expect(isComposeConfig({ dockerComposeFile: [] })).toBe(true);
    expect(isComposeConfig({ image: 'x' })).toBe(false);
  });
  it('reads the project and service from compose labels', () => {
    expect(composeIdentity({ 'com.docker.compose.project': 'app_devcontainer', 'com.docker.compose.service': 'app' })).toEqual({
      project: 'app_devcontainer',
      service: 'app',
    });
    expect(composeIdentity({ 'devcontainer.local_folder': '/ws/app' })).toBeUndefined();
  });
  it('turns compose bake off for compose configs only, without touching the context', () => {
    const docker = createDockerContext({ env: { PATH: '/usr/bin', CODER_AGENT_TOKEN: 'x' } });
    const compose = composeBuildContext(docker, { dockerComposeFile: 'compose.yaml', service: 'app' });
    expect(compose.env.COMPOSE_BAKE).toBe('false');
    expect(compose.env.CODER_AGENT_TOKEN).toBeUndefined();
    expect(docker.env.COMPOSE_BAKE).toBeUndefined();
    expect(composeBuildContext(docker, { image: 'x' })).toBe(docker);
  });
});
