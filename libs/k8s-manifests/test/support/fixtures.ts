import { readFileSync } from 'node:fs';
import type { WorkspaceManifestOptions } from '../../src/types.js';
import { parseValuesFile } from '../../src/values-file.js';

export const FIXTURES = ['minimal', 'full'] as const;

export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}.yaml`, import.meta.url), 'utf8');
}

/** The options of a fixture values file (throws on invalid values). */
export function fixtureOptions(name: string): WorkspaceManifestOptions {
  return parseValuesFile(fixtureText(name), { file: `${name}.yaml` }).options;
}

/** Variants that switch single options, on top of the minimal fixture. */
export type VariantName =
  | 'minimal'
  | 'full'
  | 'sysbox'
  | 'vfs + custom runtime class'
  | 'existing secret'
  | 'kubectl access'
  | 'network policy'
  | 'tokens set';

export function variants(): Record<VariantName, WorkspaceManifestOptions> {
  const base = fixtureOptions('minimal');
  return {
    minimal: base,
    full: fixtureOptions('full'),
    sysbox: { ...base, dind: { isolation: 'sysbox' } },
    'vfs + custom runtime class': { ...base, dind: { storageDriver: 'vfs', runtimeClassName: 'kata' } },
    'existing secret': { ...base, secret: { existingSecretName: 'sealed-tokens' } },
    'kubectl access': { ...base, serviceAccount: { kubernetesAccess: true } },
    'network policy': { ...base, networkPolicy: { enabled: true, coder: [{ cidrs: ['10.0.0.5/32'], ports: [{ port: 443 }] }] } },
    'tokens set': { ...base, secret: { agentToken: 'sentinel-agent-0001', gitToken: 'sentinel-git-0002' } },
  };
}
