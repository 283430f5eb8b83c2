// Which IDE servers a devcontainer has, found from inside it as the remote user.
import { type DockerContext, runDocker } from '@devcontainer-kit/docker-context';
import type { IdeServer, IdeServerKind } from './types.js';

/**
 * A POSIX sh script printing `kind<TAB>path<TAB>realpath` for every IDE server CLI it finds:
 * code-server (on PATH or its usual install places), openvscode-server (the Gitpod images put it
 * in /home/.openvscode-server) and the VS Code Server that VS Code's Remote extensions install
 * into ~/.vscode-server (both the old `bin/<commit>` and the CLI's `cli/servers/*` layouts).
 * All three accept VS Code's `--install-extension` / `--list-extensions` flags.
 */
export const DETECT_SERVERS_SCRIPT = `
found() { [ -n "$2" ] && [ -x "$2" ] && [ ! -d "$2" ] && printf '%s\\t%s\\t%s\\n' "$1" "$2" "$(readlink -f "$2" 2>/dev/null || echo "$2")"; }
found code-server "$(command -v code-server 2>/dev/null)"
for p in /usr/bin/code-server /usr/local/bin/code-server /usr/lib/code-server/bin/code-server /opt/code-server/bin/code-server "$HOME/.local/bin/code-server"; do found code-server "$p"; done
found openvscode-server "$(command -v openvscode-server 2>/dev/null)"
for p in /home/.openvscode-server/bin/openvscode-server /opt/openvscode-server/bin/openvscode-server; do found openvscode-server "$p"; done
for p in $(ls -dt "$HOME"/.vscode-server/cli/servers/*/server/bin/code-server "$HOME"/.vscode-server/bin/*/bin/code-server 2>/dev/null); do found vscode-server "$p"; done
true
`;

const KINDS: readonly IdeServerKind[] = ['code-server', 'openvscode-server', 'vscode-server'];

/**
 * Pure: one server per kind from the detection script's output (the first found wins — installs
 * of one kind share the user's extensions directory, so installing through one is enough).
 */
export function parseDetectedServers(output: string): IdeServer[] {
  const byKind = new Map<IdeServerKind, IdeServer>();
  for (const line of output.split('\n')) {
    const [kind, path] = line.split('\t');
    if (!kind || !path || !KINDS.includes(kind as IdeServerKind)) continue;
    if (!byKind.has(kind as IdeServerKind)) byKind.set(kind as IdeServerKind, { kind: kind as IdeServerKind, path });
  }
  return KINDS.flatMap((k) => (byKind.has(k) ? [byKind.get(k)!] : []));
}

export interface DetectIdeServersOptions {
  containerId: string;
  remoteUser: string;
  ctx: DockerContext;
}

/** Finds the IDE servers in a running container. Throws only when `docker exec` itself fails. */
export async function detectIdeServers({ containerId, remoteUser, ctx }: DetectIdeServersOptions): Promise<IdeServer[]> {
  const r = await runDocker(ctx, ['exec', '-u', remoteUser, containerId, 'sh', '-c', DETECT_SERVERS_SCRIPT], { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`docker exec failed (exit ${r.exitCode}): ${lastLine(r.all)}`);
  return parseDetectedServers(r.stdout);
}

/** Pure: `publisher.name@version` lines of `--list-extensions --show-versions` → id (lower-cased) → version. */
export function parseListedExtensions(output: string): Map<string, string> {
  const installed = new Map<string, string>();
  for (const raw of output.split('\n')) {
    const m = /^([a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9._-]*)@(\S+)$/i.exec(raw.trim());
    if (m) installed.set(m[1]!.toLowerCase(), m[2]!);
  }
  return installed;
}

/** The last non-empty line of some output (for one-line reasons). */
export function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? '').slice(0, 300);
}
