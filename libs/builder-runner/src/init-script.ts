// Coder's bootstrap script (CODER_INIT_SCRIPT) and the builder's own start script. Pure.

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Points the script's access URL at `to` (DEVCONTAINER_AGENT_URL): every occurrence of `from`
 * (with or without its trailing slash) is replaced. Both URLs end with `/`.
 */
export function rewriteInitScript(script: string, { from, to }: { from: string; to: string }): string {
  if (from === to) return script;
  const fromBare = from.replace(/\/$/, '');
  const toBare = to.replace(/\/$/, '');
  return script.replace(new RegExp(`${escapeRegExp(fromBare)}(?![\\w.:-])`, 'g'), toBare);
}

/** The auth type the script exports (CODER_AGENT_AUTH), `token` when it says none. */
export function initScriptAuthType(script: string | undefined): string {
  const m = script ? /CODER_AGENT_AUTH=["']?([A-Za-z0-9_-]+)/.exec(script) : null;
  return m?.[1] ?? 'token';
}

/** `uname -m` → Coder's architecture names. */
export function coderArch(unameMachine: string): 'amd64' | 'arm64' | 'armv7' | undefined {
  const m = unameMachine.trim();
  if (m === 'x86_64' || m === 'amd64') return 'amd64';
  if (m === 'aarch64' || m === 'arm64') return 'arm64';
  if (m.startsWith('armv7')) return 'armv7';
  return undefined;
}

/** What Coder's script does after its download, for binary mode: same env, `exec coder agent`. */
export function binaryStartScript({ agentUrl, authType, binaryPath }: { agentUrl: string; authType: string; binaryPath: string }): string {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    "# Written by devcontainer-builder (binary mode): the environment Coder's bootstrap script sets, then the agent.",
    'set -eu',
    `export CODER_AGENT_AUTH=${q(authType)}`,
    `export CODER_AGENT_URL=${q(agentUrl)}`,
    `exec ${q(binaryPath)} agent`,
    '',
  ].join('\n');
}
