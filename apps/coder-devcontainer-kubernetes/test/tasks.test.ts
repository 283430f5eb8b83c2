// biome-ignore-all lint/suspicious/noExplicitAny: terraform's plan JSON is untyped; the assertions check its shape.
// Coder Tasks (tasks.tf, opt-in) with the real providers: terraform 1.11, coder/coder 2.20.0 and
// hashicorp/kubernetes 3.2.1 from the test bed's mirror. The coder provider reads a task build's
// context from CODER_TASK_ID and CODER_TASK_PROMPT, as it reads CODER_WORKSPACE_* and
// CODER_PARAMETER_<sha256(name)>: the tests set them the way Coder's provisioner does. The one
// Kubernetes API read a start plan makes (the namespace) is answered by a loopback stand-in.
// The last two run the task's coder_script, taken from the plan, in a real container (Docker) and in a real
// devcontainer brought up by the devcontainer CLI, checked there by workspace-test (goss).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';
import { ensureDocker, gossPath } from '../../../tests/support/testbed.js';
import { TEMPLATE_FILES, templateDir } from '../src/template.js';
import { ok, PLAN_TIMEOUT_MS, type PlanJson, parameterEnv, startTerraformHarness, type TerraformHarness } from './support/terraform.js';

type Resource = { address: string; mode?: string; type: string; name: string; values: Record<string, any> };

const repoRoot = join(templateDir, '../..');
const WORKSPACE = {
  CODER_WORKSPACE_ID: '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  CODER_WORKSPACE_NAME: 'fix-flaky-test',
  CODER_WORKSPACE_OWNER: 'alice',
  CODER_WORKSPACE_OWNER_ID: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b',
  CODER_WORKSPACE_OWNER_EMAIL: 'alice@example.com',
  [parameterEnv('repo_url')]: 'https://github.com/example/shop.git',
};
const TASK_ID = '3f2e1d0c-b9a8-4765-8432-10fedcba9876';
/** A prompt a shell would mangle if it ever became script text: quotes, $, backticks, a here-doc marker, lines. */
const PROMPT = [
  'Fix the flaky test in "src/cart.test.ts" — it fails 1 in 5 runs.',
  "Don't touch $HOME or `rm -rf /`; keep $(whoami) as is.",
  'DEVCONTAINER_KIT_TASK_COMMAND',
  '  indented line, trailing spaces   ',
].join('\n');
const TASK_VARS = ['-var', 'task_port=4100', '-var', 'task_healthcheck_path=/healthz'];
/** The addresses tasks.tf adds in a started task build. */
const TASK_ADDRESSES = [
  'coder_ai_task.task[0]',
  'coder_app.task[0]',
  'coder_env.task_prompt[0]',
  'coder_env.task_prompt_file[0]',
  'coder_script.task[0]',
];

let tf: TerraformHarness;
let base: string; // the default template: TEMPLATE_FILES
let tasks: string; // the task template: TEMPLATE_FILES + tasks.tf

const terraform = (dir: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => tf.terraform(dir, args, extraEnv);
const plan = (dir: string, extraEnv: NodeJS.ProcessEnv, args: string[] = []) => tf.plan(dir, extraEnv, args);
const planned = (p: PlanJson) => p.planned_values.root_module.resources as Resource[];
const addresses = (p: PlanJson) =>
  planned(p)
    .map((r) => r.address)
    .sort();
const get = (p: PlanJson, address: string) => planned(p).find((r) => r.address === address)?.values as Record<string, any>;
/** The references of one argument of a resource in the plan's configuration (what it is wired to). */
const references = (p: PlanJson, address: string, argument: string) =>
  (p.configuration.root_module.resources as any[]).find((r) => r.address === address)?.expressions?.[argument]?.references as
    | string[]
    | undefined;

const taskEnv = (transition: string, prompt = PROMPT) => ({
  ...WORKSPACE,
  CODER_WORKSPACE_TRANSITION: transition,
  CODER_TASK_ID: TASK_ID,
  CODER_TASK_PROMPT: prompt,
});
const plainEnv = (transition: string) => ({ ...WORKSPACE, CODER_WORKSPACE_TRANSITION: transition });

/** The admin's task_command in these tests: two lines (a comment, then the stand-in agent of test/fixtures/task-agent). */
const STANDIN_COMMAND = [
  '# stand-in for `agentapi server -- <agent CLI>`: records what it got, serves /status',
  'TASK_STANDIN_OUT=.task-standin exec node /opt/standin/agent.mjs',
].join('\n');

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'dck-tasks-base-'));
  tasks = mkdtempSync(join(tmpdir(), 'dck-tasks-'));
  // The namespace a start plan reads: the default one, labelled privileged.
  const namespaces = {
    'coder-workspaces': { 'kubernetes.io/metadata.name': 'coder-workspaces', 'pod-security.kubernetes.io/enforce': 'privileged' },
  };
  tf = await startTerraformHarness({ namespaces, workDir: base });
  for (const f of TEMPLATE_FILES) {
    copyFileSync(join(templateDir, f), join(base, f));
    copyFileSync(join(templateDir, f), join(tasks, f));
  }
  copyFileSync(join(templateDir, 'tasks.tf'), join(tasks, 'tasks.tf'));
  for (const dir of [base, tasks]) tf.init(dir);
});
afterAll(() => {
  tf?.stop();
  for (const dir of [base, tasks]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('tasks.tf: the template as a Coder Tasks template', { timeout: PLAN_TIMEOUT_MS }, () => {
  it('is formatted (terraform fmt -check)', () => {
    const r = terraform(templateDir, ['fmt', '-check', '-diff', '-no-color', 'tasks.tf']);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it("validates with the real providers; its only warnings are the provider's Tasks deprecations, all in tasks.tf", () => {
    const result = JSON.parse(terraform(tasks, ['validate', '-json', '-no-color']).stdout);
    expect(result.valid).toBe(true);
    expect(result.error_count).toBe(0);
    expect(result.warning_count).toBeGreaterThan(0);
    for (const d of result.diagnostics) {
      expect(d.range.filename, d.detail).toBe('tasks.tf');
      expect(`${d.summary}: ${d.detail}`).toMatch(
        /^Deprecated Resource: Coder Tasks is deprecated|^Deprecated attribute: The attribute "(enabled|prompt)" is deprecated/,
      );
    }
  });

  it('a plain workspace (no task) plans exactly as the default template, on start and on stop', () => {
    for (const transition of ['start', 'stop']) {
      const withTasks = planned(plan(tasks, plainEnv(transition)));
      const without = planned(plan(base, plainEnv(transition)));
      expect(withTasks.map((r) => r.address).sort(), transition).toEqual(without.map((r) => r.address).sort());
      expect(withTasks.length).toBeGreaterThan(3);
      // Same values too (the agent, its env, the Deployment): tasks.tf changes nothing outside a task.
      const byAddress = (rs: Resource[]) => Object.fromEntries(rs.map((r) => [r.address, r.values]));
      expect(byAddress(withTasks), transition).toEqual(byAddress(without));
    }
  });

  it('a task build adds the task app (port, healthcheck), the script, the prompt, and a coder_ai_task wired to the app', () => {
    const p = plan(tasks, taskEnv('start'), ['-var', `task_command=${STANDIN_COMMAND}`, ...TASK_VARS]);
    const plain = addresses(plan(base, plainEnv('start')));
    expect(addresses(p).filter((a) => !plain.includes(a))).toEqual(TASK_ADDRESSES);

    // The ai_task points at the task app: wired in the configuration, the id known after apply.
    expect(references(p, 'coder_ai_task.task', 'app_id')).toContain('coder_app.task[0]');
    const change = (p.resource_changes as any[]).find((c) => c.address === 'coder_ai_task.task[0]');
    expect(change.change.actions).toEqual(['create']);
    expect(change.change.after_unknown.app_id).toBe(true);

    const app = get(p, 'coder_app.task[0]');
    expect(app.url).toBe('http://localhost:4100/');
    expect(app.healthcheck).toEqual([{ url: 'http://localhost:4100/healthz', interval: 5, threshold: 60 }]);
    expect(app.subdomain).toBe(false);

    // The prompt reaches the devcontainer unchanged, through the agent's environment (and the file the script writes).
    expect(get(p, 'coder_env.task_prompt[0]')).toMatchObject({ name: 'CODER_TASK_PROMPT', value: PROMPT });
    expect(get(p, 'coder_env.task_prompt_file[0]').name).toBe('CODER_TASK_PROMPT_FILE');

    const script = get(p, 'coder_script.task[0]');
    expect(script.run_on_start).toBe(true);
    expect(script.script).toContain(STANDIN_COMMAND);
    expect(script.script).toContain('export CODER_TASK_PORT=4100');
    expect(script.script).toContain('cd "/workspaces/shop"');
    expect(script.script).not.toContain('fails 1 in 5 runs'); // the prompt never becomes script text

    // Every task resource belongs to the devcontainer's agent.
    for (const a of ['coder_app.task', 'coder_script.task', 'coder_env.task_prompt', 'coder_env.task_prompt_file'])
      expect(references(p, a, 'agent_id'), a).toContain('coder_agent.main');
  });

  it('a stopped task plans no task resources (counts are zero), like a stopped plain workspace', () => {
    const stopped = addresses(plan(tasks, taskEnv('stop'), ['-var', `task_command=${STANDIN_COMMAND}`]));
    expect(stopped.filter((a) => /task/.test(a))).toEqual([]);
    expect(stopped).toEqual(addresses(plan(base, plainEnv('stop'))));
  });

  it('a task build with no task_command fails the plan and says which variable to set', () => {
    const r = terraform(tasks, ['plan', '-input=false', '-no-color', '-lock=false'], taskEnv('start'));
    expect(r.status).not.toBe(0);
    const text = `${r.stdout}\n${r.stderr}`.replace(/[│╷╵]/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('This workspace is a Coder Task, but the template variable "task_command" is empty');
    // …while a plain workspace of the same template, with the same empty variable, plans.
    expect(terraform(tasks, ['plan', '-input=false', '-no-color', '-lock=false'], plainEnv('start')).status).toBe(0);
  });

  it('task_env: secret values reach the agent only in task builds, sensitive in the plan and never in its text', () => {
    const secret = 'sk-test-5b0e2d9c7a1f4e38';
    const vars = { TF_VAR_task_env: JSON.stringify({ ANTHROPIC_API_KEY: secret }) };
    const p = plan(tasks, { ...taskEnv('start'), ...vars }, ['-var', 'task_command=true']);
    const resource = planned(p).find((r) => r.address === 'coder_env.task_secret["ANTHROPIC_API_KEY"]') as any;
    expect(resource.values).toMatchObject({ name: 'ANTHROPIC_API_KEY', value: secret });
    expect(resource.sensitive_values.value).toBe(true);
    const text = ok(terraform(tasks, ['show', '-no-color', 'plan.tfplan']));
    expect(text).toContain('coder_env.task_secret["ANTHROPIC_API_KEY"]');
    expect(text).not.toContain(secret);
    expect(addresses(plan(tasks, { ...plainEnv('start'), ...vars })).filter((a) => a.includes('task_secret'))).toEqual([]);
  });

  it('presets set only parameters the template has, with values their validation accepts; exactly one is the default', () => {
    const p = plan(tasks, plainEnv('start'));
    const data = (p.prior_state.values.root_module.resources as Resource[]).filter((r) => r.mode === 'data');
    const parameters = Object.fromEntries(data.filter((r) => r.type === 'coder_parameter').map((r) => [r.values.name, r.values]));
    const presets = data.filter((r) => r.type === 'coder_workspace_preset').map((r) => r.values);
    expect(presets.length).toBeGreaterThanOrEqual(3);
    expect(presets.filter((x) => x.default)).toHaveLength(1);
    for (const preset of presets) {
      expect(Object.keys(preset.parameters).length, preset.name).toBeGreaterThan(0);
      for (const [name, value] of Object.entries(preset.parameters as Record<string, string>)) {
        const parameter = parameters[name];
        expect(parameter, `${preset.name}: ${name}`).toBeDefined();
        for (const v of parameter.validation ?? []) {
          if (v.min !== undefined && v.min !== null) expect(Number(value), `${preset.name}: ${name}`).toBeGreaterThanOrEqual(v.min);
          if (v.max !== undefined && v.max !== null) expect(Number(value), `${preset.name}: ${name}`).toBeLessThanOrEqual(v.max);
        }
      }
    }
    // Presets are distinct sizes, not copies.
    expect(new Set(presets.map((x) => JSON.stringify(x.parameters))).size).toBe(presets.length);
  });
});

describe('Coder Agents: what it reads from a template, the default template offers (no tasks.tf needed)', {
  timeout: PLAN_TIMEOUT_MS,
}, () => {
  it('every parameter is optional, named and described, so an agent can create a workspace without asking', () => {
    // No CODER_PARAMETER_* at all: the agent's create_workspace may fill none of them.
    const p = plan(base, { ...plainEnv('start'), [parameterEnv('repo_url')]: undefined });
    const parameters = (p.prior_state.values.root_module.resources as Resource[]).filter((r) => r.type === 'coder_parameter');
    expect(parameters.length).toBeGreaterThan(5);
    for (const { values } of parameters) {
      expect(values.optional, values.name).toBe(true);
      expect(values.display_name, values.name).toMatch(/\S/);
      expect(values.description.length, values.name).toBeGreaterThan(20);
    }
  });

  it('the agent starts in the repository folder inside the devcontainer, with the owner as git author', () => {
    const agent = get(plan(base, plainEnv('start')), 'coder_agent.main');
    expect(agent.dir).toBe('/workspaces/shop');
    expect(agent.env).toMatchObject({
      GIT_AUTHOR_EMAIL: WORKSPACE.CODER_WORKSPACE_OWNER_EMAIL,
      GIT_COMMITTER_EMAIL: WORKSPACE.CODER_WORKSPACE_OWNER_EMAIL,
    });
  });
});

describe('the task script, taken from the plan, in a real container', { timeout: PLAN_TIMEOUT_MS }, () => {
  let out: string;
  let container = '';
  beforeAll(() => {
    ensureDocker();
    out = mkdtempSync(join(tmpdir(), 'dck-tasks-run-'));
  });
  afterAll(() => {
    if (container) spawnSync('docker', ['rm', '-f', container], { stdio: 'ignore' });
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('runs as the workspace user, starts the agent command in the workspace folder with the prompt (env and file), and the app healthcheck answers', () => {
    const p = plan(tasks, taskEnv('start'), ['-var', `task_command=${STANDIN_COMMAND}`, ...TASK_VARS]);
    const script = get(p, 'coder_script.task[0]').script as string;
    const healthcheck = get(p, 'coder_app.task[0]').healthcheck[0].url as string;
    // The agent's environment, as Coder hands it to the agent: every coder_env of the plan.
    const agentEnv = planned(p)
      .filter((r) => r.type === 'coder_env')
      .flatMap((r) => ['-e', `${r.values.name}=${r.values.value}`]);
    // The workspace folder belongs to the (non-root) workspace user, as the builder leaves it.
    mkdirSync(join(out, 'shop'));
    chownSync(join(out, 'shop'), 1000, 1000);
    writeFileSync(join(out, 'script.sh'), script);
    container = `dck-tasks-${process.pid}`;
    const mounts = (
      [
        ['/opt/coder/task-script.sh', join(out, 'script.sh')],
        ['/workspaces/shop', join(out, 'shop')],
        ['/opt/standin/agent.mjs', join(templateDir, 'test/fixtures/task-agent/agent.mjs')],
        // Node for the stand-in (the host's build; the test bed's image is the same Debian release).
        ['/usr/local/bin/node', realpathSync(process.execPath)],
      ] as [string, string][]
    ).flatMap(([target, source]) => [
      '--mount',
      `type=bind,source=${source},target=${target}${target.startsWith('/workspaces') ? '' : ',readonly'}`,
    ]);
    const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '' } });
    const started = docker([
      'run',
      '-d',
      '--name',
      container,
      '--network',
      'none',
      '--user',
      '1000:1000',
      '-e',
      'HOME=/tmp',
      ...agentEnv,
      ...mounts,
      'local/debian:bookworm',
      'sleep',
      '120',
    ]);
    expect(started.status, started.stderr).toBe(0);
    // What the Coder agent does: run the script (it returns once the command is started)…
    const run = docker(['exec', container, 'sh', '/opt/coder/task-script.sh']);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('starting the task agent in /workspaces/shop, web interface on 127.0.0.1:4100');
    // …then poll the app's healthcheck URL from inside the workspace, unchanged from the plan.
    const probe = `const u=process.argv[1];for(let i=0;i<100;i++){try{const r=await fetch(u);if(r.status<500){console.log(r.status);process.exit(0)}}catch{}await new Promise(r=>setTimeout(r,100))}process.exit(1)`;
    const health = docker(['exec', container, 'node', '--input-type=module', '-e', probe, healthcheck]);
    const log = docker(['exec', container, 'cat', '/tmp/coder-task/agent.log']).stdout;
    expect(health.status, `healthcheck ${healthcheck} never answered; agent.log:\n${log}`).toBe(0);
    expect(health.stdout.trim()).toBe('200');

    const received = JSON.parse(readFileSync(join(out, 'shop/.task-standin/received.json'), 'utf8'));
    expect(received).toEqual({ envPrompt: PROMPT, filePrompt: PROMPT, cwd: '/workspaces/shop', port: 4100, uid: 1000 });
    // The prompt file is the user's, in a directory only the user can read.
    const mode = docker(['exec', container, 'stat', '-c', '%a %u', '/tmp/coder-task']).stdout.trim();
    expect(mode).toBe('700 1000');
  });
});

describe('the task script in a devcontainer (devcontainer CLI up of the workspace-test fixture), checked by workspace-test', {
  timeout: PLAN_TIMEOUT_MS,
}, () => {
  const runId = `dck-tasks-${process.pid}`;
  const repoName = `dck-task-${process.pid}`;
  let out: string;
  let goss: string;
  let port: number;
  beforeAll(async () => {
    ensureDocker();
    goss = gossPath();
    ensurePackageBuilt(join(repoRoot, 'libs/workspace-test'), { entry: 'dist/cli.js', whenStale: false });
    out = mkdtempSync(join(tmpdir(), 'dck-tasks-devcontainer-'));
    // The fixture uses the host network: a free loopback port for the task app.
    port = await new Promise<number>((resolve) => {
      const server = createNetServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
  });
  afterAll(() => {
    const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=dck-tasks-test=${runId}`], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean);
    const images = ids.map((id) =>
      spawnSync('docker', ['inspect', '--format', '{{.Config.Image}}', id], { encoding: 'utf8' }).stdout.trim(),
    );
    if (ids.length) spawnSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
    for (const image of images.flatMap((i) => [i, i.replace(/-uid$/, '')]))
      if (image.startsWith(`vsc-${repoName}-`)) spawnSync('docker', ['rmi', image], { stdio: 'ignore' });
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('the remote user runs it in the workspace folder; goss sees the prompt file, the agent process and a healthy task app', () => {
    const dir = join(out, repoName);
    cpSync(join(templateDir, 'tests/fixtures/workspace-repo'), dir, { recursive: true });
    execFileSync('chown', ['-R', '1000:1000', dir]);
    const up = spawnSync(
      join(repoRoot, 'node_modules/.bin/devcontainer'),
      [
        'up',
        '--workspace-folder',
        dir,
        '--id-label',
        `dck-tasks-test=${runId}`,
        '--log-format',
        'json',
        // Node for the stand-in agent (the host's build; the fixture's base is the same Debian release).
        '--mount',
        `type=bind,source=${realpathSync(process.execPath)},target=/usr/local/bin/node`,
        '--mount',
        `type=bind,source=${join(templateDir, 'test/fixtures/task-agent/agent.mjs')},target=/opt/standin/agent.mjs`,
      ],
      {
        encoding: 'utf8',
        env: { ...process.env, DCK_BASE_IMAGE: 'local/debian', DCK_BASE_TAG: 'bookworm', DOCKER_BUILDKIT: '' },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const result = JSON.parse(up.stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.outcome, up.stderr.slice(-3000)).toBe('success');
    expect(result).toMatchObject({ remoteUser: 'dev', remoteWorkspaceFolder: `/workspaces/${repoName}` });

    const p = plan(tasks, { ...taskEnv('start'), [parameterEnv('repo_url')]: `https://github.com/example/${repoName}.git` }, [
      '-var',
      `task_command=${STANDIN_COMMAND}`,
      '-var',
      `task_port=${port}`,
    ]);
    const script = get(p, 'coder_script.task[0]').script as string;
    const healthcheck = get(p, 'coder_app.task[0]').healthcheck[0].url as string;
    const agentEnv = Object.fromEntries(
      planned(p)
        .filter((r) => r.type === 'coder_env')
        .map((r) => [r.values.name, r.values.value as string]),
    );
    // As the agent does: the script as the remote user, with the agent's environment (`-e NAME` copies each value
    // from this process's environment; none is on a command line).
    const run = spawnSync(
      'docker',
      [
        'exec',
        '-i',
        '-u',
        result.remoteUser,
        ...Object.keys(agentEnv).flatMap((k) => ['-e', k]),
        result.containerId,
        'sh',
        '-c',
        'cat >/tmp/task-script.sh && sh /tmp/task-script.sh',
      ],
      { input: script, encoding: 'utf8', env: { ...process.env, ...agentEnv } },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const gossfile = join(out, 'task.goss.yaml');
    writeFileSync(
      gossfile,
      JSON.stringify({
        file: {
          '/tmp/coder-task': {
            title: "the prompt directory is the remote user's, mode 0700",
            exists: true,
            filetype: 'directory',
            owner: 'dev',
            mode: '0700',
          },
          '/tmp/coder-task/prompt.txt': {
            title: 'the prompt file holds the task prompt',
            exists: true,
            owner: 'dev',
            contents: ['fails 1 in 5 runs', 'DEVCONTAINER_KIT_TASK_COMMAND'],
          },
          [`/workspaces/${repoName}/.task-standin/received.json`]: {
            title: 'the agent command started and recorded what it got',
            exists: true,
            owner: 'dev',
          },
        },
        process: { node: { title: 'the agent command is running', running: true } },
        http: { [healthcheck]: { title: `the task app's healthcheck ${healthcheck} answers`, status: 200, timeout: 2000 } },
      }),
    );
    const check = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'libs/workspace-test/dist/cli.js'),
        'run',
        '--target',
        `docker:${result.containerId}`,
        '--workspace',
        dir,
        '--status-file',
        'none',
        '--ide-server',
        'none',
        '--no-coder-agent',
        '--user-gossfile',
        gossfile,
        '--retry-timeout',
        '20s',
        '--format',
        'tap',
      ],
      { encoding: 'utf8', env: { ...process.env, GOSS_BINARY: goss } },
    );
    expect(check.stdout).toContain("the task app's healthcheck");
    expect(check.stdout).not.toMatch(/^not ok/m);
    expect(check.status, `${check.stdout}\n${check.stderr}`).toBe(0);

    const received = JSON.parse(readFileSync(join(dir, '.task-standin/received.json'), 'utf8'));
    expect(received).toEqual({ envPrompt: PROMPT, filePrompt: PROMPT, cwd: `/workspaces/${repoName}`, port, uid: 1000 });
  });
});
