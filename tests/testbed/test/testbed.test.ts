// The test bed itself. Real parts: the Docker engine, goss v0.4.9 built from the Go module proxy,
// Terraform 1.11 with the real coder/coder and hashicorp/kubernetes providers from the local mirror.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDocker, gossPath, runTestbed, terraformCliConfig } from '../../support/testbed.js';

describe('test bed', () => {
  const work = mkdtempSync(join(tmpdir(), 'dck-testbed-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("a failing script's error carries its log's last lines (a CI log cut to its tail still says why)", () => {
    expect(() => runTestbed('registry', 'forget', '../escape')).toThrow(
      /tests\/testbed\/registry\.sh forget \.\.\/escape failed \(1\):\n.*error: forget needs a repository name \(got '\.\.\/escape'\)/,
    );
  });

  it('provides goss 0.4.9', () => {
    const out = execFileSync(gossPath(), ['--version'], { encoding: 'utf8' });
    expect(out).toMatch(/\bv?0\.4\.9\b/);
  });

  it('provides a Docker engine with the offline base image, and says so when run again', () => {
    ensureDocker();
    const again = spawnSync('bash', [join(import.meta.dirname, '../docker.sh')], { encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/ready, local\/debian:bookworm present/);
    const os = execFileSync('docker', ['run', '--rm', '--network=host', 'local/debian:bookworm', 'cat', '/etc/os-release'], {
      encoding: 'utf8',
    });
    expect(os).toMatch(/VERSION_CODENAME=bookworm/);
  });

  it('validates a config using coder/coder and hashicorp/kubernetes offline with the real providers', () => {
    const rc = terraformCliConfig();
    writeFileSync(
      join(work, 'main.tf'),
      `terraform {
  required_providers {
    coder      = { source = "coder/coder", version = ">= 2.0, < 3.0" }
    kubernetes = { source = "hashicorp/kubernetes", version = ">= 2.30, < 4.0" }
  }
}
provider "kubernetes" {}
data "coder_workspace" "me" {}
resource "kubernetes_config_map_v1" "probe" {
  metadata { name = "probe-\${data.coder_workspace.me.name}" }
  data = { hello = "world" }
}
`,
    );
    const env = { ...process.env, TF_PLUGIN_CACHE_DIR: '', TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
    execFileSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: work, env, stdio: 'pipe' });
    const out = execFileSync('terraform', ['validate', '-json'], { cwd: work, env, encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ valid: true, error_count: 0 });
    const versions = execFileSync('terraform', ['version', '-json'], { cwd: work, env, encoding: 'utf8' });
    expect(Object.keys(JSON.parse(versions).provider_selections)).toEqual(
      expect.arrayContaining(['registry.terraform.io/coder/coder', 'registry.terraform.io/hashicorp/kubernetes']),
    );
  });

  it('rejects an invalid attribute through the real kubernetes provider schema', () => {
    const rc = terraformCliConfig();
    writeFileSync(
      join(work, 'main.tf'),
      `resource "kubernetes_config_map_v1" "bad" {\n  metadata { name = "x" }\n  no_such_attribute = 1\n}\n`,
    );
    const env = { ...process.env, TF_PLUGIN_CACHE_DIR: '', TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: '1' };
    execFileSync('terraform', ['init', '-backend=false', '-input=false', '-no-color'], { cwd: work, env, stdio: 'pipe' });
    const res = spawnSync('terraform', ['validate', '-json'], { cwd: work, env, encoding: 'utf8' });
    expect(res.status).not.toBe(0);
    expect(JSON.parse(res.stdout).diagnostics[0].summary).toMatch(/Unsupported argument/);
  });

  it('prints the result path of each part on stdout only', () => {
    expect(runTestbed('goss')).toMatch(/\/bin\/goss$/);
    expect(runTestbed('terraform-providers')).toMatch(/terraformrc$/);
  });
});
