// Differential test against the real devcontainer CLI (@devcontainers/cli 0.89.0, node_modules/.bin/devcontainer):
// `read-configuration` on copies of the fixture folders (outside git, which the CLI would treat as the workspace),
// `--include-merged-configuration` against a real image built on the real Docker daemon, and `up` of a real
// container to check ${devcontainerId}. Real: devcontainer CLI, docker, the fixture folders. Nothing emulated.
// The conformance fixtures (test/fixtures/conformance/*) each record what the CLI does with one case; the test checks
// that the CLI still does it and that our verdict (valid or not, in default mode) agrees.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDevcontainer,
  computeDevcontainerId,
  devcontainerIdLabels,
  findDevcontainerConfigs,
  hasErrors,
  mergeWithImageMetadata,
  migrateDeprecatedProperties,
  parseDevcontainer,
  readLocalFeatures,
  resolveContainerWorkspaceFolder,
  resolveFeatureOrder,
  substituteVariables,
  validateDevcontainer,
} from '../src/index.js';
import { copyFixture, ensureDocker, fixturesDir, repoRoot } from './support/helpers.js';

const run = promisify(execFile);
const devcontainerBin = join(repoRoot, 'node_modules/.bin/devcontainer');
const META_IMAGE = 'dck-devcontainer-config-meta:test';
const ID_CONTAINER = 'dck-devcontainer-config-id';
const cleanups: Array<() => Promise<void>> = [];

async function readConfiguration(workspace: string, configFile: string, extra: string[] = []) {
  const { stdout } = await run(devcontainerBin, ['read-configuration', '--workspace-folder', workspace, '--config', configFile, ...extra], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as {
    configuration: Record<string, unknown>;
    workspace: { workspaceFolder: string };
    mergedConfiguration?: Record<string, unknown>;
  };
}

async function ours(file: string, workspace: string) {
  const parsed = parseDevcontainer(await readFile(file, 'utf8'), { file });
  expect(validateDevcontainer(parsed).filter((p) => p.severity === 'error')).toEqual([]);
  const config = parsed.config ?? {};
  return {
    config: migrateDeprecatedProperties(substituteVariables({ config, localWorkspaceFolder: workspace, env: process.env })),
    workspaceFolder: resolveContainerWorkspaceFolder({ config, localWorkspaceFolder: workspace, env: process.env }),
  };
}

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const SCENARIOS = [
  'image-basic',
  'dockerfile',
  'compose',
  'root-file',
  'multi',
  'local-features',
  'legacy-dockerfile',
  'metadata-merge',
  'devcontainer-id',
];

describe('read-configuration: our resolved config equals the devcontainer CLI’s', () => {
  for (const scenario of SCENARIOS) {
    it(scenario, async () => {
      const { dir, cleanup } = await copyFixture(scenario);
      cleanups.push(cleanup);
      const files = await findDevcontainerConfigs(dir);
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const theirs = await readConfiguration(dir, file);
        const { configFilePath, ...theirConfig } = theirs.configuration;
        const mine = await ours(file, dir);
        expect(mine.config, file).toEqual(theirConfig);
        expect(mine.workspaceFolder, file).toBe(theirs.workspace.workspaceFolder);
      }
    });
  }
});

describe('--include-merged-configuration against a real image', () => {
  beforeAll(async () => {
    ensureDocker();
    await run('docker', ['build', '-q', '--network', 'host', '-t', META_IMAGE, join(fixturesDir, 'metadata-merge')], {
      env: { ...process.env, DOCKER_BUILDKIT: '' },
    });
    cleanups.push(async () => {
      await run('docker', ['rmi', '-f', META_IMAGE]).catch(() => undefined);
    });
  }, 120_000);

  it('merges the image label like the CLI does', async () => {
    const { dir, cleanup } = await copyFixture('metadata-merge');
    cleanups.push(cleanup);
    const file = join(dir, '.devcontainer/devcontainer.json');
    const theirs = await readConfiguration(dir, file, ['--include-merged-configuration']);
    const { stdout } = await run('docker', ['image', 'inspect', META_IMAGE, '--format', '{{json .Config.Labels}}']);
    const label = (JSON.parse(stdout) as Record<string, string>)['devcontainer.metadata'];
    const mine = mergeWithImageMetadata((await ours(file, dir)).config, label);
    const t = theirs.mergedConfiguration ?? {};
    for (const key of [
      'image',
      'init',
      'privileged',
      'capAdd',
      'securityOpt',
      'containerEnv',
      'remoteEnv',
      'remoteUser',
      'mounts',
      'forwardPorts',
      'hostRequirements',
      'onCreateCommands',
      'updateContentCommands',
      'postCreateCommands',
      'postStartCommands',
      'postAttachCommands',
      'waitFor',
      'customizations',
    ]) {
      expect(mine[key], key).toEqual(t[key]);
    }
  });
});

describe('--include-merged-configuration with local features (their metadata between image and config)', () => {
  it('collects the features’ lifecycle hooks and flags like the CLI', async () => {
    const { dir, cleanup } = await copyFixture('local-features');
    cleanups.push(cleanup);
    const file = join(dir, '.devcontainer/devcontainer.json');
    const theirs = await readConfiguration(dir, file, ['--include-merged-configuration']);
    const parsed = parseDevcontainer(await readFile(file, 'utf8'), { file });
    const config = parsed.config ?? {};
    const local = await readLocalFeatures({ configFile: file, config, parsed });
    const manifests = new Map(local.features.map((f) => [f.id, f.manifest]));
    const { order } = resolveFeatureOrder({
      features: config.features as Record<string, unknown>,
      overrideFeatureInstallOrder: config.overrideFeatureInstallOrder as string[],
      getManifest: (id) => manifests.get(id),
    });
    const features = order.map((f) => manifests.get(f.id) as Record<string, unknown>);
    const mine = mergeWithImageMetadata((await ours(file, dir)).config, undefined, { features });
    const t = theirs.mergedConfiguration ?? {};
    for (const key of [
      'init',
      'privileged',
      'containerEnv',
      'remoteEnv',
      'portsAttributes',
      'onCreateCommands',
      'updateContentCommands',
      'postCreateCommands',
      'postStartCommands',
      'postAttachCommands',
    ]) {
      expect(mine[key], key).toEqual(t[key]);
    }
    expect(mine.postCreateCommands).toEqual(['echo node-tools']);
  });
});

describe('${devcontainerId} in a real container equals computeDevcontainerId of the CLI’s id labels', () => {
  beforeAll(async () => {
    ensureDocker();
    await run('docker', ['rm', '-f', ID_CONTAINER]).catch(() => undefined);
    cleanups.push(async () => {
      await run('docker', ['rm', '-f', ID_CONTAINER]).catch(() => undefined);
    });
  }, 120_000);

  it('up, then compare the container’s env and labels', async () => {
    const { dir, cleanup } = await copyFixture('devcontainer-id');
    cleanups.push(cleanup);
    const file = join(dir, '.devcontainer/devcontainer.json');
    await run(devcontainerBin, ['up', '--workspace-folder', dir, '--log-format', 'json', '--skip-post-create'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    const { stdout } = await run('docker', ['inspect', ID_CONTAINER, '--format', '{{json .Config}}']);
    const cfg = JSON.parse(stdout) as { Env: string[]; Labels: Record<string, string> };
    const env = Object.fromEntries(cfg.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    const labels = devcontainerIdLabels({ localWorkspaceFolder: dir, configFile: file });
    expect(cfg.Labels['devcontainer.local_folder']).toBe(labels['devcontainer.local_folder']);
    expect(cfg.Labels['devcontainer.config_file']).toBe(labels['devcontainer.config_file']);
    const id = computeDevcontainerId(labels);
    expect(env.DCK_ID).toBe(id);
    const parsed = parseDevcontainer(await readFile(file, 'utf8'), { file });
    const mine = substituteVariables({ config: parsed.config ?? {}, localWorkspaceFolder: dir, devcontainerId: id });
    expect((mine.containerEnv as Record<string, string>).DCK_WS).toBe(env.DCK_WS);
  }, 120_000);
});

/** What a conformance fixture records about the devcontainer CLI (conformance.json next to its .devcontainer/). */
interface ConformanceRecord {
  why: string;
  /** read-configuration; features: read-configuration --include-features-configuration; up: a real `up` (Docker). */
  command: 'read-configuration' | 'features' | 'up';
  cli: 'accepts' | 'rejects';
  /** Text the CLI's output must contain: why it refused, or (offline) proof it got as far as the download. */
  evidence: string;
  /** The reference resolves, only the download fails here (no registry, no github.com). */
  offline?: boolean;
  /** Problem codes we must report as warnings (the CLI accepts, with its own deprecation notice). */
  warnings?: string[];
  /** Set when we deliberately disagree: why. */
  deliberate?: string;
}

const CONFORMANCE = readdirSync(join(fixturesDir, 'conformance')).sort();
const OFFLINE_FAILURE = /getaddrinfo|ENOTFOUND|EAI_AGAIN|Failed to fetch|fetch failed/;

async function runCli(args: string[]): Promise<{ code: number; output: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(devcontainerBin, args, { maxBuffer: 64 * 1024 * 1024, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, output: `${stdout}\n${stderr}`, stdout }),
    );
  });
}

describe('conformance fixtures: our verdict agrees with the devcontainer CLI 0.89.0', () => {
  beforeAll(() => {
    const records = CONFORMANCE.map((n) => JSON.parse(readFileSync(join(fixturesDir, 'conformance', n, 'conformance.json'), 'utf8')));
    if (records.some((r: ConformanceRecord) => r.command === 'up')) ensureDocker();
  }, 300_000);

  it('covers every case of issue 14', () => {
    expect(CONFORMANCE).toEqual(
      expect.arrayContaining([
        'bom',
        'feature-github-release',
        'feature-oci-capitals',
        'feature-manifest-no-version',
        'feature-option-array',
        'feature-legacy-fish',
        'feature-legacy-golang',
        'image-invalid-reference',
      ]),
    );
  });

  for (const name of CONFORMANCE) {
    it(name, async () => {
      const record = JSON.parse(await readFile(join(fixturesDir, 'conformance', name, 'conformance.json'), 'utf8')) as ConformanceRecord;
      const { dir, cleanup } = await copyFixture(join('conformance', name));
      cleanups.push(cleanup);
      const file = join(dir, '.devcontainer/devcontainer.json');
      const base = ['--workspace-folder', dir, '--config', file];
      const theirs =
        record.command === 'up'
          ? await runCli(['up', ...base, '--log-format', 'json', '--skip-post-create', '--remove-existing-container'])
          : await runCli([
              'read-configuration',
              ...base,
              ...(record.command === 'features' ? ['--include-features-configuration', '--log-level', 'trace'] : []),
            ]);
      if (record.command === 'up' && theirs.code === 0) {
        // Should it ever start, do not leave the container behind.
        await run('docker', [
          'rm',
          '-f',
          ...(await run('docker', ['ps', '-aq', '--filter', `label=devcontainer.local_folder=${dir}`])).stdout.split('\n').filter(Boolean),
        ]).catch(() => undefined);
      }
      const cliAccepts = theirs.code === 0 || (record.offline === true && OFFLINE_FAILURE.test(theirs.output));
      expect(theirs.output, `${name}: the CLI's output`).toContain(record.evidence);
      expect(cliAccepts ? 'accepts' : 'rejects', `${name}: what the CLI did (exit ${theirs.code})`).toBe(record.cli);

      const problems = await checkDevcontainer(parseDevcontainer(await readFile(file, 'utf8'), { file }));
      const oursAccepts = !hasErrors(problems);
      const summary = problems.map((p) => `${p.severity} ${p.code}: ${p.message}`).join('\n');
      if (record.deliberate) expect(oursAccepts, `${name}: a recorded, deliberate difference\n${summary}`).toBe(!cliAccepts);
      else expect(oursAccepts ? 'accepts' : 'rejects', `${name}: our verdict\n${summary}`).toBe(record.cli);
      for (const code of record.warnings ?? [])
        expect(
          problems.some((p) => p.code === code && p.severity === 'warning'),
          `${name}: warning ${code}\n${summary}`,
        ).toBe(true);

      // Accepted by read-configuration: the resolved configuration is the CLI's too.
      if (record.command === 'read-configuration' && cliAccepts && !record.deliberate) {
        const { configFilePath, ...theirConfig } = (JSON.parse(theirs.stdout) as { configuration: Record<string, unknown> }).configuration;
        expect((await ours(file, dir)).config).toEqual(theirConfig);
      }
    }, 180_000);
  }
});
