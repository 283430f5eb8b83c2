import type { Node } from 'jsonc-parser';
import type { ParseResult } from './parse.js';
import { findVariables } from './variables.js';

/** How devcontainer-kit on Kubernetes treats a property. */
export type ComplianceStatus = 'honoured' | 'caveat' | 'ignored';

export interface ComplianceRule {
  property: string;
  status: ComplianceStatus;
  /** The caveat, or why it is ignored (empty when simply honoured). */
  note: string;
  /** envbuilder's published status for the same property (docs/devcontainer-spec-support.md), for comparison; n/a: not in its table. */
  envbuilder: 'supported' | 'partial' | 'unsupported' | 'n/a';
}

const r = (property: string, status: ComplianceStatus, note: string, envbuilder: ComplianceRule['envbuilder']): ComplianceRule => ({
  property,
  status,
  note,
  envbuilder,
});

const DIND = 'applied by the Docker daemon inside the workspace pod (the pod itself must be privileged to run it)';

/**
 * The whole spec, property by property. devcontainer-kit runs the official devcontainer CLI (`devcontainer up`)
 * in the workspace pod against a Docker daemon in that pod; the Coder agent then runs inside the dev container.
 */
export const COMPLIANCE_TABLE: readonly ComplianceRule[] = [
  r('name', 'honoured', 'shown in the build log and status file only', 'unsupported'),
  r('image', 'honoured', "pulled by the pod's Docker daemon: the registry must be reachable from the cluster", 'supported'),
  r('build.dockerfile', 'honoured', '', 'supported'),
  r('build.context', 'honoured', '', 'supported'),
  r('build.args', 'honoured', '', 'supported'),
  r('build.target', 'honoured', '', 'supported'),
  r(
    'build.cacheFrom',
    'caveat',
    "used as --cache-from; with buildx's docker driver (the builder image) the cache comes from registry images that carry inline cache: DEVCONTAINER_CACHE_TO=type=registry,ref=… pushes one",
    'supported',
  ),
  r(
    'build.options',
    'caveat',
    "passed to `docker buildx build` in the pod (BuildKit: --secret, --ssh, --network=host work); options that need a docker-container builder (several platforms, cache export other than inline) fail on the Docker daemon's built-in BuildKit",
    'unsupported',
  ),
  r('dockerFile', 'honoured', 'deprecated alias of build.dockerfile', 'n/a'),
  r('context', 'honoured', 'deprecated alias of build.context', 'n/a'),
  r('appPort', 'caveat', "published on the pod's network, not on your machine: reach it with Coder port forwarding", 'unsupported'),
  r('runArgs', 'caveat', `${DIND}; --network and --device refer to that daemon's host, the pod`, 'n/a'),
  r(
    'workspaceMount',
    'caveat',
    'the source is a path in the pod (the cloned repository on the workspace volume), not on your machine',
    'unsupported',
  ),
  r('workspaceFolder', 'honoured', '', 'unsupported'),
  r(
    'dockerComposeFile',
    'caveat',
    "run by the docker compose v2 plugin in the builder image (built with COMPOSE_BAKE=false); every service runs on the pod's Docker daemon and shares the pod's CPU, memory and network; no --cache-to",
    'unsupported',
  ),
  r('service', 'honoured', 'with dockerComposeFile', 'unsupported'),
  r('runServices', 'honoured', 'with dockerComposeFile', 'unsupported'),
  r(
    'features',
    'caveat',
    'OCI features are fetched from their registry: it must be reachable from the cluster; local features always work',
    'supported',
  ),
  r('overrideFeatureInstallOrder', 'honoured', '', 'n/a'),
  r('forwardPorts', 'caveat', 'not forwarded to your machine automatically: use `coder port-forward` or a Coder app', 'unsupported'),
  r('portsAttributes', 'ignored', 'VS Code port-forwarding UI settings; Coder does not read them', 'unsupported'),
  r('otherPortsAttributes', 'ignored', 'VS Code port-forwarding UI settings; Coder does not read them', 'unsupported'),
  r('containerEnv', 'honoured', '', 'supported'),
  r('remoteEnv', 'honoured', 'applied to lifecycle commands and to the Coder agent the builder starts', 'supported'),
  r('containerUser', 'honoured', '', 'supported'),
  r('remoteUser', 'honoured', 'the Coder agent runs as this user', 'supported'),
  r(
    'updateRemoteUserUID',
    'ignored',
    'there is no local user to match: the workspace lives on a pod volume (and the CLI skips UID matching when run as root)',
    'unsupported',
  ),
  r('userEnvProbe', 'honoured', '', 'unsupported'),
  r('overrideCommand', 'honoured', '', 'unsupported'),
  r(
    'shutdownAction',
    'caveat',
    'applied when the builder is stopped (SIGTERM at workspace stop): stopContainer, stopCompose (every service of the project) or none; deleting the pod ends the containers either way',
    'unsupported',
  ),
  r('init', 'caveat', DIND, 'unsupported'),
  r('privileged', 'caveat', DIND, 'unsupported'),
  r('capAdd', 'caveat', DIND, 'unsupported'),
  r('securityOpt', 'caveat', DIND, 'unsupported'),
  r(
    'mounts',
    'caveat',
    "bind sources are paths in the pod; volumes live in the pod's Docker data directory (kept only if that is a persistent volume)",
    'unsupported',
  ),
  r(
    'hostRequirements',
    'ignored',
    "not enforced: the pod's CPU, memory, storage and GPU come from the Coder template's resources",
    'unsupported',
  ),
  r('secrets', 'ignored', 'a tool-specific prompt for secrets; use Coder parameters or external auth instead', 'n/a'),
  r(
    'customizations.vscode.extensions',
    'caveat',
    'installed into code-server when the template enables it, from Open VSX (not the VS Code Marketplace)',
    'partial',
  ),
  r('customizations.vscode.settings', 'caveat', 'written as code-server machine settings when the template enables it', 'partial'),
  r('customizations.coder', 'honoured', 'read by devcontainer-kit (apps, scripts, display apps)', 'n/a'),
  r('customizations.*', 'ignored', 'settings of other tools', 'partial'),
  r('initializeCommand', 'caveat', 'runs in the builder container in the pod (the "host" here), not on your machine', 'unsupported'),
  r('onCreateCommand', 'honoured', 'output streamed to the Coder build log', 'supported'),
  r('updateContentCommand', 'honoured', 'output streamed to the Coder build log', 'supported'),
  r('postCreateCommand', 'honoured', 'output streamed to the Coder build log', 'supported'),
  r('postStartCommand', 'honoured', 'runs on every workspace start (a new pod is a new start)', 'supported'),
  r('postAttachCommand', 'caveat', 'runs once when `devcontainer up` finishes, not on every IDE attach', 'unsupported'),
  r(
    'waitFor',
    'caveat',
    'the builder waits for `devcontainer up` to finish all hooks before the agent connects; waitFor does not shorten that',
    'unsupported',
  ),
  r('$schema', 'ignored', 'for editors only', 'n/a'),
  r('extensions', 'caveat', 'deprecated: treated as customizations.vscode.extensions', 'n/a'),
  r('settings', 'caveat', 'deprecated: treated as customizations.vscode.settings', 'n/a'),
  r('devPort', 'ignored', 'deprecated and unused by every tool', 'n/a'),
  r('${localEnv}', 'caveat', '"local" is the builder\'s environment in the pod (set by the Coder template), not your machine', 'supported'),
  r('${containerEnv}', 'honoured', 'in remoteEnv', 'supported'),
  r('${localWorkspaceFolder}', 'caveat', 'the path of the cloned repository inside the pod', 'supported'),
  r('${localWorkspaceFolderBasename}', 'honoured', '', 'supported'),
  r('${containerWorkspaceFolder}', 'honoured', '', 'supported'),
  r('${containerWorkspaceFolderBasename}', 'honoured', '', 'supported'),
  r(
    '${devcontainerId}',
    'honoured',
    "computed by the devcontainer CLI from the container's id labels (stable across rebuilds of the same workspace)",
    'unsupported',
  ),
];

const BY_PROPERTY = new Map(COMPLIANCE_TABLE.map((x) => [x.property, x]));

export interface ComplianceEntry {
  property: string;
  status: ComplianceStatus | 'unknown';
  note: string;
  line: number;
  column: number;
}

export interface ComplianceReport {
  file: string;
  entries: ComplianceEntry[];
  counts: Record<ComplianceStatus | 'unknown', number>;
}

/** Property nodes of an object node: first occurrence of each key gives the position, as JSON.parse keeps the key order. */
function propertiesOf(obj: Node): Map<string, { key: Node; value: Node | undefined }> {
  const out = new Map<string, { key: Node; value: Node | undefined }>();
  for (const p of obj.children ?? []) {
    const key = p.children?.[0];
    if (key === undefined) continue;
    const name = key.value as string;
    const seen = out.get(name);
    if (seen === undefined) out.set(name, { key, value: p.children?.[1] });
    else seen.value = p.children?.[1];
  }
  return out;
}

/**
 * Every property (and variable) a config uses, with how devcontainer-kit on Kubernetes treats it. Nothing is silently
 * dropped. Works on the syntax tree (no path look-ups, no recursion): linear in the size of the config.
 */
export function complianceReport(parsed: ParseResult): ComplianceReport {
  const entries: ComplianceEntry[] = [];
  const root = parsed.tree;
  const push = (property: string, node: Node, rule = BY_PROPERTY.get(property)) => {
    const loc = parsed.positions.locate(node.offset, node.length);
    entries.push(
      rule
        ? { property, status: rule.status, note: rule.note, line: loc.line, column: loc.column }
        : { property, status: 'unknown', note: 'not in the devcontainer.json spec: no tool reads it', line: loc.line, column: loc.column },
    );
  };
  const top = root?.type === 'object' ? propertiesOf(root) : new Map<string, { key: Node; value: Node | undefined }>();
  for (const [key, { key: keyNode, value }] of top) {
    if (key === 'build' && value?.type === 'object') {
      for (const [sub, p] of propertiesOf(value)) push(`build.${sub}`, p.key);
    } else if (key === 'customizations' && value?.type === 'object') {
      for (const [tool, t] of propertiesOf(value)) {
        if (tool === 'vscode' && t.value?.type === 'object') {
          for (const [sub, p] of propertiesOf(t.value)) {
            const property = `customizations.vscode.${sub}`;
            push(
              property,
              p.key,
              BY_PROPERTY.get(property) ?? { property, status: 'ignored', note: 'VS Code-only setting', envbuilder: 'n/a' },
            );
          }
        } else if (tool === 'coder') push('customizations.coder', t.key);
        else push(`customizations.${tool}`, t.key, BY_PROPERTY.get('customizations.*'));
      }
    } else push(key, keyNode);
  }
  // Variables: the first use of each, in document order, at the key of the property holding the string (or the array
  // item itself). An explicit stack of [value, anchor] instead of recursion.
  const vars = new Map<string, Node>();
  const stack: Array<[Node, Node]> = [];
  for (const { key, value } of [...top.values()].reverse()) if (value) stack.push([value, key]);
  while (stack.length > 0) {
    const [node, anchor] = stack.pop() as [Node, Node];
    if (node.type === 'string') {
      for (const ref of findVariables(node.value as string)) {
        const name = ref.name === 'env' ? 'localEnv' : ref.name;
        if (!vars.has(name)) vars.set(name, anchor);
      }
    } else if (node.type === 'array' || node.type === 'object') {
      const children = node.children ?? [];
      for (let i = children.length - 1; i >= 0; i--) {
        const c = children[i] as Node;
        if (c.type !== 'property') stack.push([c, c]);
        else if (c.children?.[1] && c.children[0]) stack.push([c.children[1], c.children[0]]);
      }
    }
  }
  for (const [name, node] of vars) push(`\${${name}}`, node);
  const counts = { honoured: 0, caveat: 0, ignored: 0, unknown: 0 };
  for (const e of entries) counts[e.status]++;
  return { file: parsed.file, entries, counts };
}
