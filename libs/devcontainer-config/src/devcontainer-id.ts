import { createHash } from 'node:crypto';

/**
 * `${devcontainerId}` from the labels identifying a dev container, per the spec's label-based computation:
 * the labels as a JSON object with sorted keys and no whitespace, SHA-256 of its UTF-8 bytes,
 * base-32 (digits 0-9a-v) of that number, left-padded with "0" to 52 characters.
 */
export function computeDevcontainerId(labels: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) sorted[k] = labels[k] as string;
  const digest = createHash('sha256').update(JSON.stringify(sorted), 'utf8').digest('hex');
  return BigInt(`0x${digest}`).toString(32).padStart(52, '0');
}

/** The id labels the devcontainer CLI puts on a container created from a local folder. */
export function devcontainerIdLabels({
  localWorkspaceFolder,
  configFile,
}: {
  localWorkspaceFolder: string;
  configFile: string;
}): Record<string, string> {
  return { 'devcontainer.local_folder': localWorkspaceFolder, 'devcontainer.config_file': configFile };
}
