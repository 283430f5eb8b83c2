import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderValues } from '@devcontainer-kit/k8s-manifests';

/** The template directory (main.tf, k8s-values.yaml, kubernetes.tf.json): this package's root. */
export const templateDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Files `coder templates push` uploads. */
export const TEMPLATE_FILES = ['main.tf', 'kubernetes.tf.json'] as const;

/** The kubernetes.tf.json a fresh render of k8s-values.yaml gives (what the `render` task writes). */
export function renderKubernetesTfJson(dir: string = templateDir): string {
  const file = join(dir, 'k8s-values.yaml');
  return renderValues(readFileSync(file, 'utf8'), { format: 'terraform-json', file: 'k8s-values.yaml' });
}
