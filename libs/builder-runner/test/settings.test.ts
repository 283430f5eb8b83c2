// Pure: settings from env and flags. Nothing real needed.
import { describe, expect, it } from 'vitest';
import {
  BUILDER_ENV_NAMES,
  checkRefName,
  DEFAULT_STATUS_FILE,
  defaultStatusFile,
  parseSettings,
  repositoryName,
  settingDefinitions,
} from '../src/settings.js';

const base = { DEVCONTAINER_REPOSITORY: 'https://git.example.com/org/app.git' };

describe('parseSettings', () => {
  it('applies the defaults', () => {
    const { settings, problems } = parseSettings({ env: base, cwd: '/' });
    expect(problems).toEqual([]);
    expect(settings).toMatchObject({
      workspaceFolder: '/workspaces/app',
      workspaceName: 'app',
      statusFile: '/workspaces/.devcontainer-builder/status.json',
      gitUsername: 'x-access-token',
      gitDepth: 1,
      hookFailure: 'fail',
      agentMode: 'auto',
      supervise: true,
      coder: undefined,
    });
  });

  it('reports every problem at once, one line each, naming the variable and the flag', () => {
    const { settings, problems } = parseSettings({
      env: {
        DEVCONTAINER_HOOK_FAILURE: 'ignore',
        CODER_AGENT_URL: 'ftp://x',
        DEVCONTAINER_GIT_DEPTH: '-1',
        DEVCONTAINER_BRANCH: '--upload-pack=evil',
        DOCKER_HOST: '/var/run/docker.sock',
      },
    });
    expect(settings).toBeUndefined();
    expect(problems).toEqual([
      'DEVCONTAINER_REPOSITORY (--repository): required (a git URL or a local directory)',
      'DEVCONTAINER_BRANCH (--branch): \'--upload-pack=evil\' must not start with "-"',
      "DEVCONTAINER_GIT_DEPTH (--git-depth): must be an integer ≥ 0, got '-1'",
      "DOCKER_HOST (--docker-host): must be a unix://, tcp:// or ssh:// address, got '/var/run/docker.sock'",
      "CODER_AGENT_URL (--agent-url): must be an http(s) URL, got 'ftp://x'",
      "DEVCONTAINER_HOOK_FAILURE (--hook-failure): must be fail or continue, got 'ignore'",
    ]);
  });

  it('lets a flag win over its variable and reads secrets from files named by flags', () => {
    const { settings } = parseSettings({
      env: { ...base, DEVCONTAINER_BRANCH: 'main', CODER_AGENT_URL: 'http://127.0.0.1:3000' },
      flags: { branch: 'pull/7/head', 'agent-token-file': '/run/secrets/token', supervise: 'false' },
      readFile: (p) => (p === '/run/secrets/token' ? 'tok-123456\n' : ''),
    });
    expect(settings?.branch).toBe('pull/7/head');
    expect(settings?.coder).toEqual({
      agentUrl: 'http://127.0.0.1:3000/',
      agentToken: 'tok-123456',
      initScript: undefined,
      agentUrlInContainer: 'http://127.0.0.1:3000/',
    });
    expect(settings?.supervise).toBe(false);
  });

  it('falls back to GH_TOKEN and refuses credentials in the repository URL', () => {
    expect(parseSettings({ env: { ...base, GH_TOKEN: 'gh-abcdef' } }).settings?.gitToken).toBe('gh-abcdef');
    expect(parseSettings({ env: { DEVCONTAINER_REPOSITORY: 'https://u:secret@git.example.com/a.git' } }).problems).toEqual([
      'DEVCONTAINER_REPOSITORY (--repository): must not contain a password or token; use DEVCONTAINER_GIT_TOKEN',
    ]);
  });

  it('needs the token with the URL, and an init script only with a URL', () => {
    expect(parseSettings({ env: { ...base, CODER_AGENT_URL: 'https://coder.example.com' } }).problems).toEqual([
      'CODER_AGENT_TOKEN (--agent-token-file): required when CODER_AGENT_URL is set',
    ]);
    expect(parseSettings({ env: { ...base, CODER_INIT_SCRIPT: '#!/bin/sh' } }).problems).toEqual([
      'CODER_AGENT_URL (--agent-url): required when CODER_INIT_SCRIPT is set',
    ]);
  });

  it('uses a local repository without a branch in place', () => {
    const { settings } = parseSettings({ env: { DEVCONTAINER_REPOSITORY: '.' }, cwd: '/src/project' });
    expect(settings).toMatchObject({
      repository: '/src/project',
      repositoryInPlace: true,
      workspaceFolder: '/src/project',
      statusFile: '/src/.devcontainer-builder/status.json',
    });
  });

  it('takes an empty value as unset (what a Terraform rendering passes for an unset option)', () => {
    const empty = Object.fromEntries(settingDefinitions.filter((d) => d.env !== 'DEVCONTAINER_REPOSITORY').map((d) => [d.env, '']));
    const withEmpty = parseSettings({ env: { ...base, ...empty, GH_TOKEN: '', CODER_WORKSPACE_NAME: '' }, cwd: '/' });
    expect(withEmpty.problems).toEqual([]);
    expect(withEmpty.settings).toEqual(parseSettings({ env: base, cwd: '/' }).settings);
    expect(withEmpty.settings).toMatchObject({
      configPath: undefined,
      cacheFrom: [],
      cacheTo: undefined,
      coder: undefined,
      dockerHost: undefined,
    });
    // An empty flag is unset too: the variable (or the default) applies.
    expect(
      parseSettings({ env: { ...base, DEVCONTAINER_CONFIG: '.devcontainer/x/devcontainer.json' }, flags: { config: '' }, cwd: '/' })
        .settings?.configPath,
    ).toBe('.devcontainer/x/devcontainer.json');
  });

  it('exports the status path and env names other packages re-use', () => {
    expect(DEFAULT_STATUS_FILE).toBe('/workspaces/.devcontainer-builder/status.json');
    expect(defaultStatusFile('/workspaces/app')).toBe(DEFAULT_STATUS_FILE);
    expect(parseSettings({ env: { DEVCONTAINER_REPOSITORY: 'https://h/app.git' }, cwd: '/' }).settings?.statusFile).toBe(
      DEFAULT_STATUS_FILE,
    );
    expect(BUILDER_ENV_NAMES).toEqual(settingDefinitions.map((d) => d.env));
    expect(BUILDER_ENV_NAMES).toContain('DEVCONTAINER_CONFIG');
  });

  it('documents every setting once', () => {
    const envs = settingDefinitions.map((d) => d.env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const name of [
      'DEVCONTAINER_REPOSITORY',
      'DEVCONTAINER_BRANCH',
      'DEVCONTAINER_WORKSPACE_FOLDER',
      'DEVCONTAINER_CONFIG',
      'DEVCONTAINER_GIT_USERNAME',
      'DEVCONTAINER_GIT_TOKEN',
      'DEVCONTAINER_CACHE_FROM',
      'DEVCONTAINER_CACHE_TO',
      'DOCKER_HOST',
      'CODER_AGENT_URL',
      'CODER_AGENT_TOKEN',
      'CODER_INIT_SCRIPT',
      'DEVCONTAINER_AGENT_URL',
      'DEVCONTAINER_HOOK_FAILURE',
    ]) {
      expect(envs).toContain(name);
    }
  });
});

describe('ref names and repository names', () => {
  it('accepts branches, tags, SHAs and pull refs; refuses option-like and abbreviated SHAs', () => {
    for (const ok of ['main', 'feature/x', 'v1.2.3', 'pull/123/head', 'refs/pull/1/head', 'merge-requests/7/head', 'a'.repeat(40)])
      expect(checkRefName(ok)).toBeUndefined();
    expect(checkRefName('-x')).toMatch(/must not start/);
    expect(checkRefName('a..b')).toMatch(/not a valid/);
    expect(checkRefName('abc1234')).toMatch(/abbreviated/);
  });
  it('derives the repository name', () => {
    expect(repositoryName('https://github.com/org/app.git')).toBe('app');
    expect(repositoryName('git@github.com:org/app.git')).toBe('app');
    expect(repositoryName('/src/my-repo/')).toBe('my-repo');
  });
});
