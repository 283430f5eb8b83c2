// builder.registryCredentialsSecret: a docker config.json from a Secret, mounted as a file for the builder.
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/options.js';
import { fromTerraformJson, toTerraformJson } from '../src/terraform-json.js';
import { validateManifests } from '../src/validate.js';
import { REGISTRY_CREDENTIALS_PATH, workspaceManifests } from '../src/workspace-manifests.js';
import { toYaml } from '../src/yaml.js';
import { fixtureOptions } from './support/fixtures.js';

const base = fixtureOptions('minimal');
const withSecret = (registryCredentialsSecret: string, registryCredentialsKey?: string) => ({
  ...base,
  builder: { ...base.builder, registryCredentialsSecret, ...(registryCredentialsKey ? { registryCredentialsKey } : {}) },
});
const podOf = (m: ReturnType<typeof workspaceManifests>) => m.deployment.spec?.template.spec;
const builderOf = (m: ReturnType<typeof workspaceManifests>) => podOf(m)?.containers.find((c) => c.name === 'builder');

describe('registry credentials', () => {
  it('a Secret name: the config key mounted read-only as config.json, DEVCONTAINER_DOCKER_CONFIG names the file', () => {
    const m = workspaceManifests(withSecret('acme-registry'));
    expect(podOf(m)?.volumes).toContainEqual({
      name: 'registry-credentials',
      secret: { secretName: 'acme-registry', items: [{ key: '.dockerconfigjson', path: 'config.json' }] },
    });
    expect(builderOf(m)?.volumeMounts).toContainEqual({
      name: 'registry-credentials',
      mountPath: REGISTRY_CREDENTIALS_PATH,
      readOnly: true,
    });
    expect(builderOf(m)?.env).toContainEqual({ name: 'DEVCONTAINER_DOCKER_CONFIG', value: `${REGISTRY_CREDENTIALS_PATH}/config.json` });
    // Not in the dind container: the daemon gets credentials per request from the builder's docker client.
    expect(
      podOf(m)
        ?.containers.find((c) => c.name === 'dind')
        ?.volumeMounts?.map((v) => v.name),
    ).not.toContain('registry-credentials');
    expect(validateManifests(m)).toEqual([]);
    expect(workspaceManifests(withSecret('acme-registry', 'config.json')).deployment.spec?.template.spec?.volumes?.at(-1)).toEqual({
      name: 'registry-credentials',
      secret: { secretName: 'acme-registry', items: [{ key: 'config.json', path: 'config.json' }] },
    });
  });

  it('unset or empty: no volume, no variable', () => {
    for (const m of [workspaceManifests(base), workspaceManifests(withSecret(''))]) {
      expect(toYaml(m)).not.toContain('registry-credentials');
      expect(builderOf(m)?.env?.map((e) => e.name)).not.toContain('DEVCONTAINER_DOCKER_CONFIG');
    }
  });

  it('a Terraform expression: optional volume with a placeholder name when it evaluates to "", the variable left out then', () => {
    const tf = toTerraformJson(workspaceManifests(withSecret('${var.registry_credentials_secret}')));
    const volume = (
      JSON.parse(tf).resource.kubernetes_deployment_v1.workspace.spec[0].template[0].spec[0].volume as { name: string }[]
    ).find((v) => v.name === 'registry-credentials');
    expect(volume).toEqual({
      name: 'registry-credentials',
      secret: [
        {
          secret_name: `\${var.registry_credentials_secret == "" ? "${base.name}-no-registry-credentials" : var.registry_credentials_secret}`,
          items: [{ key: '.dockerconfigjson', path: 'config.json' }],
          optional: true,
        },
      ],
    });
    const builder = JSON.parse(tf).resource.kubernetes_deployment_v1.workspace.spec[0].template[0].spec[0].container[1];
    expect(builder.dynamic.env).toContainEqual({
      for_each: `\${compact([var.registry_credentials_secret == "" ? "" : "${REGISTRY_CREDENTIALS_PATH}/config.json"])}`,
      content: { name: 'DEVCONTAINER_DOCKER_CONFIG', value: '${env.value}' },
    });
    // The inverse reads it back.
    const back = fromTerraformJson(tf).find((o) => o.kind === 'Deployment') as unknown as ReturnType<
      typeof workspaceManifests
    >['deployment'];
    expect(back.spec?.template.spec?.containers[1]?.env).toContainEqual({
      name: 'DEVCONTAINER_DOCKER_CONFIG',
      value: `\${var.registry_credentials_secret == "" ? "" : "${REGISTRY_CREDENTIALS_PATH}/config.json"}`,
    });
  });

  it('refuses a bad Secret name or key', () => {
    const problems = validateOptions({
      ...base,
      builder: { ...base.builder, registryCredentialsSecret: 'Not_A_Name', registryCredentialsKey: 'a/b' },
    });
    expect(problems.map((p) => p.path)).toEqual(['builder.registryCredentialsSecret', 'builder.registryCredentialsKey']);
  });
});

describe('git over SSH (builder.gitSshSecret)', () => {
  it('the key and known_hosts from the Secret as files in the builder, the variables naming them', () => {
    const m = workspaceManifests({ ...base, builder: { ...base.builder, gitSshSecret: 'alice-git-ssh' } });
    expect(podOf(m)?.volumes).toContainEqual({
      name: 'git-ssh',
      secret: {
        secretName: 'alice-git-ssh',
        items: [
          { key: 'ssh-privatekey', path: 'ssh-privatekey' },
          { key: 'known_hosts', path: 'known_hosts' },
        ],
      },
    });
    expect(builderOf(m)?.volumeMounts).toContainEqual({ name: 'git-ssh', mountPath: '/etc/devcontainer-kit/git-ssh', readOnly: true });
    expect(builderOf(m)?.env).toEqual(
      expect.arrayContaining([
        { name: 'DEVCONTAINER_GIT_SSH_KEY_FILE', value: '/etc/devcontainer-kit/git-ssh/ssh-privatekey' },
        { name: 'DEVCONTAINER_GIT_SSH_KNOWN_HOSTS', value: '/etc/devcontainer-kit/git-ssh/known_hosts' },
      ]),
    );
    expect(validateManifests(m)).toEqual([]);
    expect(validateOptions({ ...base, builder: { ...base.builder, gitSshSecret: 'No_Good' } }).map((p) => p.path)).toEqual([
      'builder.gitSshSecret',
    ]);
  });
});

describe('the Terraform inverse reads volume items back', () => {
  it('two items (git SSH key and known_hosts) survive toTerraformJson → fromTerraformJson', () => {
    const m = workspaceManifests({ ...base, builder: { ...base.builder, gitSshSecret: 'alice-git-ssh' } });
    const back = fromTerraformJson(toTerraformJson(m)).find((o) => o.kind === 'Deployment') as unknown as typeof m.deployment;
    expect(back.spec?.template.spec?.volumes?.find((v) => v.name === 'git-ssh')?.secret?.items).toHaveLength(2);
  });
});

describe('per-user storage and dotfiles', () => {
  it('an existing PVC in builder and dind at the same path, the builder told where; dotfiles as plain settings', () => {
    const m = workspaceManifests({
      ...base,
      userStorage: { claimName: 'coder-user-alice' },
      builder: { ...base.builder, dotfilesRepository: 'https://github.com/alice/dotfiles.git', dotfilesInstallCommand: 'make install' },
    });
    expect(podOf(m)?.volumes).toContainEqual({ name: 'user-storage', persistentVolumeClaim: { claimName: 'coder-user-alice' } });
    for (const c of ['builder', 'dind'])
      expect(podOf(m)?.containers.find((x) => x.name === c)?.volumeMounts).toContainEqual({
        name: 'user-storage',
        mountPath: '/var/lib/devcontainer-kit/user-storage',
      });
    expect(builderOf(m)?.env).toEqual(
      expect.arrayContaining([
        { name: 'DEVCONTAINER_USER_STORAGE', value: '/var/lib/devcontainer-kit/user-storage' },
        { name: 'DEVCONTAINER_DOTFILES_REPOSITORY', value: 'https://github.com/alice/dotfiles.git' },
        { name: 'DEVCONTAINER_DOTFILES_INSTALL_COMMAND', value: 'make install' },
      ]),
    );
    // The claim is referenced, never created: it outlives every workspace.
    expect(toYaml(m)).not.toMatch(/name: coder-user-alice\n\s+namespace/);
    expect(validateManifests(m)).toEqual([]);
    expect(
      validateOptions({
        ...base,
        userStorage: { claimName: 'Bad_Claim', mountPath: 'relative' },
        builder: { ...base.builder, dotfilesRepository: 'https://tok@github.com/a/b.git' },
      }).map((p) => p.path),
    ).toEqual(['userStorage.claimName', 'userStorage.mountPath', 'builder.dotfilesRepository']);
  });
});
