// One source of truth for the builder's environment: every variable this package sets (MANAGED_ENV) is a
// setting @devcontainer-kit/builder-runner reads (settingDefinitions, imported from its public index, built by
// the moon dependency), and every setting is either set here or deliberately left to `builder.env`.
// Real parts: builder-runner's exported definitions and the rendered Deployment. No I/O.
import { settingDefinitions } from '@devcontainer-kit/builder-runner';
import { describe, expect, it } from 'vitest';
import { MANAGED_ENV } from '../src/options.js';
import { workspaceManifests } from '../src/workspace-manifests.js';
import { fixtureOptions } from './support/fixtures.js';

/** Builder settings this package does not set from an option of its own: they pass through `builder.env`. */
const LEFT_TO_BUILDER_ENV = new Set([
  'DEVCONTAINER_GIT_DEPTH',
  'DEVCONTAINER_DOCKER_WAIT',
  'DEVCONTAINER_AGENT_MODE',
  'DEVCONTAINER_MOUNTS',
  'DEVCONTAINER_REMOTE_ENV',
  'DEVCONTAINER_WORKSPACE_OWNER',
  'DEVCONTAINER_CACHE_REPO',
  'DEVCONTAINER_EXTENSIONS_DIR',
  'DEVCONTAINER_SUPERVISE',
  'DEVCONTAINER_GIT_SSH_HOST_KEY_CHECK',
]);

const definitions = settingDefinitions as readonly { env: string; kind: string }[];
const settingNames = new Set(definitions.map((d) => d.env));

describe('the builder env this package renders agrees with builder-runner settingDefinitions', () => {
  it('builder-runner exports its settings (the import is real, not empty)', () => {
    expect(settingNames.size).toBeGreaterThan(10);
    expect(settingNames.has('DEVCONTAINER_REPOSITORY')).toBe(true);
  });

  it('every variable set here is a builder setting (no typo, no setting the builder dropped)', () => {
    expect([...MANAGED_ENV].filter((name) => !settingNames.has(name))).toEqual([]);
  });

  it('every builder setting is set here or deliberately left to builder.env (a new setting needs a decision here)', () => {
    expect([...settingNames].filter((name) => !MANAGED_ENV.has(name) && !LEFT_TO_BUILDER_ENV.has(name))).toEqual([]);
    expect([...LEFT_TO_BUILDER_ENV].filter((name) => !settingNames.has(name))).toEqual([]);
  });

  it('settings the builder reads as secrets reach it only through the Secret (secretKeyRef), never as a value', () => {
    const secrets = definitions.filter((d) => d.kind === 'secret-file').map((d) => d.env);
    expect(secrets.length).toBeGreaterThan(0);
    const env =
      workspaceManifests(fixtureOptions('full')).deployment.spec?.template.spec?.containers.find((c) => c.name === 'builder')?.env ?? [];
    for (const name of secrets) {
      const entry = env.find((e) => e.name === name);
      expect(entry?.valueFrom?.secretKeyRef, name).toBeDefined();
      expect(entry?.value, name).toBeUndefined();
    }
  });

  it('the full fixture renders only known settings (plus its plain extra HTTP_PROXY)', () => {
    const env =
      workspaceManifests(fixtureOptions('full')).deployment.spec?.template.spec?.containers.find((c) => c.name === 'builder')?.env ?? [];
    expect(env.map((e) => e.name).filter((n) => !settingNames.has(n))).toEqual(['HTTP_PROXY']);
  });
});
