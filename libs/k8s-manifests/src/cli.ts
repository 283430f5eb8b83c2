#!/usr/bin/env node
// k8s-manifests render --values FILE [--format yaml|terraform-json] [--output FILE]
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { defineCommand, runMain } from 'citty';
import { K8sManifestsError } from './errors.js';
import { type RenderFormat, renderValues } from './values-file.js';

const render = defineCommand({
  meta: { name: 'render', description: 'Render the workspace objects of a values file as YAML or Terraform JSON.' },
  args: {
    values: { type: 'string', required: true, description: 'Values file (YAML or JSON): the workspaceManifests options' },
    format: { type: 'string', default: 'yaml', description: 'yaml (kubectl, GitOps) or terraform-json (kubernetes_*_v1 resources)' },
    output: { type: 'string', description: 'Write here (atomically) instead of stdout' },
  },
  run({ args }) {
    const format = args.format as RenderFormat;
    if (format !== 'yaml' && format !== 'terraform-json') {
      process.stderr.write(`k8s-manifests: --format must be yaml or terraform-json, not "${args.format}"\n`);
      process.exitCode = 2;
      return;
    }
    try {
      const text = renderValues(readFileSync(args.values, 'utf8'), { format, file: args.values });
      if (args.output) {
        writeFileSync(`${args.output}.tmp`, text);
        renameSync(`${args.output}.tmp`, args.output);
        process.stderr.write(`k8s-manifests: wrote ${args.output}\n`);
      } else process.stdout.write(text);
    } catch (error) {
      if (error instanceof K8sManifestsError) {
        process.stderr.write(`k8s-manifests: ${error.code}: ${error.message.split('\n')[0]}\n`);
        for (const p of error.problems) process.stderr.write(`  ${p.path}: ${p.code}: ${p.message}\n`);
      } else process.stderr.write(`k8s-manifests: ${(error as Error).message}\n`);
      process.exitCode = 1;
    }
  },
});

const main = defineCommand({
  meta: { name: 'k8s-manifests', description: 'Typed Kubernetes objects for a devcontainer workspace pod.' },
  subCommands: { render },
});

runMain(main);
