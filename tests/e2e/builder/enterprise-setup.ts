// The setup the enterprise end-to-end tests (enterprise-*.test.ts) share: a temporary root, the
// builder built, `devcontainer-builder up` run to its end with every other process's environment
// searched for the test's secrets meanwhile, and the runs, their containers and the root removed
// afterwards. What only one test needs (the git server, the Coder stand-in, a second dockerd) stays in it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ensureDocker } from '../../support/testbed.js';
import { type BuilderRun, buildBuilder, cleanupDocker, git, readStatus, startBuilder } from './support.js';

export interface EnterpriseUpResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every distinct argv seen while the builder ran, one a line. */
  cmdlines: string;
  /** The processes whose environment held one of the secrets (`pid argv`). */
  leaks: string[];
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON, checked field by field by the assertions
  status: Record<string, any>;
}

export interface EnterpriseTests {
  /** The temporary folder of this test file (set before the file's own beforeAll runs). */
  readonly root: string;
  /** What must leak nowhere: `up` and `expectNoSecret` look for each. */
  readonly secrets: string[];
  /**
   * The builder's environment for workspace PREFIX-NAME: its status file in ROOT/status, then EXTRA.
   * The workspace's containers are removed after the file's tests.
   */
  env(name: string, extra?: Record<string, string>): Record<string, string>;
  /**
   * Runs `devcontainer-builder up` with ENV and supervision off to its end, meanwhile searching every
   * other process's environment for the secrets (the builder's own too unless `builderMayHold`).
   */
  up(env: Record<string, string>, options?: { builderMayHold?: boolean }): Promise<EnterpriseUpResult>;
  expectNoSecret(where: string, text: string): void;
  /** A bare repository ROOT/repos/NAME.git holding WORK's HEAD as main (its default branch). */
  publish(work: string, name?: string): string;
}

/** Registers the shared beforeAll/afterAll of one enterprise test file; call it at the file's top level. */
export function setupEnterpriseTests(
  prefix: string,
  { packages = ['libs/builder-runner', 'apps/devcontainer-builder'] }: { packages?: string[] } = {},
): EnterpriseTests {
  let root = '';
  const secrets: string[] = [];
  const runs: BuilderRun[] = [];
  const workspaceNames: string[] = [];

  beforeAll(() => {
    ensureDocker();
    buildBuilder(packages);
    root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  }, 600_000);

  afterAll(() => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    cleanupDocker(workspaceNames, prefix);
    if (root) rmSync(root, { recursive: true, force: true });
  }, 120_000);

  /** Every other /proc/PID/environ holding a secret, sampled until DONE settles. */
  async function watchEnviron(done: Promise<unknown>, allowedPids: number[]): Promise<string[]> {
    const leaks = new Set<string>();
    if (secrets.length === 0) {
      await done;
      return [];
    }
    const sample = () => {
      for (const pid of readdirSync('/proc')) {
        if (!/^\d+$/.test(pid) || Number(pid) === process.pid || allowedPids.includes(Number(pid))) continue;
        try {
          const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ');
          for (const s of secrets) if (environ.includes(s)) leaks.add(`${pid} ${cmd.slice(0, 120)}`);
        } catch {}
      }
    };
    const timer = setInterval(sample, 100);
    try {
      await done;
      return [...leaks];
    } finally {
      clearInterval(timer);
    }
  }

  return {
    get root() {
      return root;
    },
    secrets,
    env(name, extra = {}) {
      workspaceNames.push(`${prefix}-${name}`);
      return {
        DEVCONTAINER_WORKSPACE_NAME: `${prefix}-${name}`,
        DEVCONTAINER_STATUS_FILE: join(root, 'status', `${name}.status.json`),
        ...extra,
      };
    },
    async up(env, { builderMayHold = false } = {}) {
      const run = startBuilder({ ...env, DEVCONTAINER_SUPERVISE: 'false' });
      runs.push(run);
      const leaks = await watchEnviron(run.exited, builderMayHold && run.child.pid ? [run.child.pid] : []);
      const r = await run.exited;
      return {
        code: r.code,
        stdout: run.stdout(),
        stderr: run.stderr(),
        cmdlines: [...run.cmdlines()].join('\n'),
        leaks,
        status: readStatus(env.DEVCONTAINER_STATUS_FILE as string) ?? {},
      };
    },
    expectNoSecret(where, text) {
      for (const s of secrets) expect(text.includes(s), `${where} holds a secret`).toBe(false);
    },
    publish(work, name = 'app') {
      const bare = join(root, 'repos', `${name}.git`);
      git(root, 'init', '-q', '--bare', bare);
      git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
      git(bare, 'symbolic-ref', 'HEAD', 'refs/heads/main');
      return bare;
    },
  };
}
