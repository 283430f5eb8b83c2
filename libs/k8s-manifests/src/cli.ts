#!/usr/bin/env node
// k8s-manifests render --values FILE [--format yaml|terraform-json] [--output FILE] [--allow-empty-agent-token]
// k8s-manifests check --values FILE --pod-security privileged|baseline|restricted
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runCli } from '@devcontainer-kit/cli-kit';
import { defineCommand } from 'citty';
import { K8sManifestsError } from './errors.js';
import { isPodSecurityLevel, POD_SECURITY_LEVELS } from './pod-security.js';
import { checkValues, type RenderFormat, renderValues } from './values-file.js';

function reportError(error: unknown) {
  if (error instanceof K8sManifestsError) {
    process.stderr.write(`k8s-manifests: ${error.code}: ${error.message.split('\n')[0]}\n`);
    for (const p of error.problems) process.stderr.write(`  ${p.path}: ${p.code}: ${p.message}\n`);
  } else process.stderr.write(`k8s-manifests: ${(error as Error).message}\n`);
  process.exitCode = 1;
}

const render = defineCommand({
  meta: { name: 'render', description: 'Render the workspace objects of a values file as YAML or Terraform JSON.' },
  args: {
    values: { type: 'string', required: true, description: 'Values file (YAML or JSON): the workspaceManifests options' },
    format: { type: 'string', default: 'yaml', description: 'yaml (kubectl, GitOps) or terraform-json (kubernetes_*_v1 resources)' },
    output: { type: 'string', description: 'Write here (atomically) instead of stdout' },
    'allow-empty-agent-token': {
      type: 'boolean',
      default: false,
      description: 'Render the token Secret with an empty agent token (you fill it yourself); refused otherwise',
    },
  },
  run({ args }) {
    const format = args.format as RenderFormat;
    if (format !== 'yaml' && format !== 'terraform-json') {
      process.stderr.write(`k8s-manifests: --format must be yaml or terraform-json, not "${args.format}"\n`);
      process.exitCode = 2;
      return;
    }
    try {
      const text = renderValues(readFileSync(args.values, 'utf8'), {
        format,
        file: args.values,
        allowEmptyAgentToken: args['allow-empty-agent-token'] === true,
      });
      if (args.output) {
        writeFileSync(`${args.output}.tmp`, text);
        renameSync(`${args.output}.tmp`, args.output);
        process.stderr.write(`k8s-manifests: wrote ${args.output}\n`);
      } else process.stdout.write(text);
    } catch (error) {
      reportError(error);
    }
  },
});

const check = defineCommand({
  meta: {
    name: 'check',
    description: 'Check the workspace pod of a values file against a Pod Security level (exit 1 naming each refused field).',
  },
  args: {
    values: { type: 'string', required: true, description: 'Values file (YAML or JSON): the workspaceManifests options' },
    'pod-security': { type: 'string', required: true, description: "privileged, baseline or restricted: the namespace's enforce level" },
  },
  run({ args }) {
    const level = args['pod-security'];
    if (!isPodSecurityLevel(level)) {
      process.stderr.write(`k8s-manifests: --pod-security must be ${POD_SECURITY_LEVELS.join(', ')}, not "${level}"\n`);
      process.exitCode = 2;
      return;
    }
    try {
      const report = checkValues(readFileSync(args.values, 'utf8'), { level, file: args.values });
      process.stdout.write(`${JSON.stringify(report)}\n`);
      if (report.allowed) process.stderr.write(`k8s-manifests: a namespace enforcing "${level}" admits the workspace pod\n`);
      else {
        process.stderr.write(
          `k8s-manifests: a namespace enforcing "${level}" refuses the workspace pod (${report.violations.length} field(s)); it needs "${report.strictest}"\n`,
        );
        for (const v of report.violations) process.stderr.write(`  ${v.path}: ${v.level}: ${v.control}: ${v.message}\n`);
        process.exitCode = 1;
      }
    } catch (error) {
      reportError(error);
    }
  },
});

const main = defineCommand({
  meta: { name: 'k8s-manifests', description: 'Typed Kubernetes objects for a devcontainer workspace pod.' },
  subCommands: { render, check },
});

// --help, --version, unknown commands and options, missing --values: the shared convention (cli-kit).
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };
process.exitCode = await runCli(main, {
  version,
  helpFooter:
    'Exit status: 0 rendered, or admitted by the level; 1 invalid values (every problem listed), an unreadable file, or a pod the level refuses; 2 usage error (unknown command or option, a missing --values, a bad --format or --pod-security).',
});
