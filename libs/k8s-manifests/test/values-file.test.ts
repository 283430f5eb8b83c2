// Real parts: the yaml parser; the built CLI (dist/cli.js, built by the moon build dependency or here) run by node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ensurePackageBuilt } from '../../../tests/support/package-build.js';
import { parseValuesFile, renderValues } from '../src/values-file.js';
import { fixtureText } from './support/fixtures.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const cli = join(pkg, 'dist/cli.js');
let dir: string;

beforeAll(() => {
  // The moon test task builds first; run directly, rebuild when dist is missing or older than src.
  ensurePackageBuilt(pkg, { entry: 'dist/cli.js' });
  dir = mkdtempSync(join(tmpdir(), 'dck-k8s-manifests-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

describe('parseValuesFile', () => {
  it('reads options and the terraform section', () => {
    const values = parseValuesFile(fixtureText('full'));
    expect(values.options.name).toBe('coder-bob-api');
    expect(values.terraform).toEqual({ runningCount: '$' + '{data.coder_workspace.me.start_count}' });
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(() => parseValuesFile('name: [unclosed\n', { file: 'v.yaml' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_VALUES_FILE',
        problems: [expect.objectContaining({ path: expect.stringMatching(/^v\.yaml:\d+:\d+$/) })],
      }),
    );
  });

  it('reports every option problem, unknown keys included', () => {
    try {
      parseValuesFile('name: x\nnamspace: y\nterraform: { counts: 1 }\n', { file: 'v.yaml' });
      expect.unreachable();
    } catch (e) {
      const paths = (e as { problems: { path: string }[] }).problems.map((p) => p.path);
      expect(paths).toEqual(
        expect.arrayContaining(['terraform.counts', 'namspace', 'namespace', 'coder.workspaceId', 'builder.image', 'builder.repository']),
      );
    }
  });
});

describe('k8s-manifests render (CLI)', () => {
  it('prints YAML by default: one document per object', () => {
    writeFileSync(join(dir, 'v.yaml'), fixtureText('minimal'));
    const r = run('render', '--values', join(dir, 'v.yaml'));
    expect(r.status).toBe(0);
    expect(parseAllDocuments(r.stdout).map((d) => d.toJS().kind)).toEqual([
      'ServiceAccount',
      'Secret',
      'PersistentVolumeClaim',
      'PersistentVolumeClaim',
      'Deployment',
    ]);
    expect(r.stdout).toBe(renderValues(fixtureText('minimal')));
  });

  it('writes Terraform JSON to --output', () => {
    writeFileSync(join(dir, 'full.yaml'), fixtureText('full'));
    const out = join(dir, 'k8s.tf.json');
    const r = run('render', '--values', join(dir, 'full.yaml'), '--format', 'terraform-json', '--output', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(renderValues(fixtureText('full'), { format: 'terraform-json' }));
  });

  it('exits 1 with every problem on stderr and nothing on stdout for bad values', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'name: Bad\nnamespace: ns\n');
    const r = run('render', '--values', join(dir, 'bad.yaml'));
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('INVALID_VALUES_FILE');
    expect(r.stderr).toMatch(/name: invalid-name/);
    expect(r.stderr).toMatch(/builder\.image: required/);
  });

  it('exits 2 for an unknown format', () => {
    const r = run('render', '--values', join(dir, 'v.yaml'), '--format', 'helm');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('yaml or terraform-json');
  });

  it('refuses to render a Secret without an agent token (exit 1, the reason and the way out), unless --allow-empty-agent-token', () => {
    const noToken = fixtureText('minimal').replace(/^secret:[\s\S]*$/m, '');
    writeFileSync(join(dir, 'no-token.yaml'), noToken);
    const refused = run('render', '--values', join(dir, 'no-token.yaml'));
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('secret.agentToken: required: secret.agentToken is empty');
    expect(refused.stderr).toContain('--allow-empty-agent-token');
    const allowed = run('render', '--values', join(dir, 'no-token.yaml'), '--allow-empty-agent-token');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('agent-token: ""');
  });

  it('check --pod-security: exit 1 naming each refused field for baseline/restricted, exit 0 for privileged, JSON on stdout', () => {
    const values = join(dir, 'check.yaml');
    writeFileSync(values, fixtureText('minimal'));
    const baseline = run('check', '--values', values, '--pod-security', 'baseline');
    expect(baseline.status).toBe(1);
    const report = JSON.parse(baseline.stdout);
    expect(report).toMatchObject({ level: 'baseline', allowed: false, strictest: 'privileged' });
    expect(report.violations.map((v: { path: string }) => v.path)).toEqual([
      'spec.template.spec.containers[0].securityContext.privileged',
      'spec.template.spec.containers[0].securityContext.seccompProfile.type',
    ]);
    expect(baseline.stderr).toContain('a namespace enforcing "baseline" refuses the workspace pod (2 field(s)); it needs "privileged"');
    expect(baseline.stderr).toContain(
      'spec.template.spec.containers[0].securityContext.privileged: baseline: Privileged Containers: container "dind" is privileged',
    );
    const restricted = run('check', '--values', values, '--pod-security', 'restricted');
    expect(restricted.status).toBe(1);
    expect(JSON.parse(restricted.stdout).violations.length).toBeGreaterThan(2);
    const privileged = run('check', '--values', values, '--pod-security', 'privileged');
    expect(privileged.status).toBe(0);
    expect(JSON.parse(privileged.stdout)).toMatchObject({ allowed: true, violations: [] });
    expect(run('check', '--values', values, '--pod-security', 'strict').status).toBe(2);
  });
});
