// Pure: parse `docker:<container>`, `kubectl:<namespace>/<pod>[/<container>]`,
// `kubectl-dind:<namespace>/<pod>/<dind-container>/<devcontainer>`, `coder:<workspace>`.
import { WorkspaceTestError } from './errors.js';

export type Target =
  | { kind: 'docker'; container: string }
  | { kind: 'kubectl'; namespace: string; pod: string; container?: string }
  /** A devcontainer run by the Docker daemon of a pod's DinD container: kubectl exec into that container, then docker exec. */
  | { kind: 'kubectl-dind'; namespace: string; pod: string; container: string; devcontainer: string }
  | { kind: 'coder'; workspace: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function parseTarget(value: string): Target {
  const colon = value.indexOf(':');
  const kind = colon > 0 ? value.slice(0, colon) : '';
  const rest = colon > 0 ? value.slice(colon + 1) : '';
  const bad = (why: string) =>
    new WorkspaceTestError(
      'INVALID_TARGET',
      `invalid target "${value}": ${why} (docker:<container>, kubectl:<namespace>/<pod>[/<container>], kubectl-dind:<namespace>/<pod>/<dind-container>/<devcontainer>, coder:[<owner>/]<workspace>[.<agent>])`,
    );
  if (kind === 'docker') {
    if (!NAME.test(rest)) throw bad('a container name or id');
    return { kind, container: rest };
  }
  if (kind === 'kubectl') {
    const parts = rest.split('/');
    if (parts.length < 2 || parts.length > 3 || !parts.every((p) => NAME.test(p))) throw bad('namespace/pod[/container]');
    const [namespace, pod, container] = parts as [string, string, string | undefined];
    return container ? { kind, namespace, pod, container } : { kind, namespace, pod };
  }
  if (kind === 'kubectl-dind') {
    const parts = rest.split('/');
    if (parts.length !== 4 || !parts.every((p) => NAME.test(p))) throw bad('namespace/pod/dind-container/devcontainer');
    const [namespace, pod, container, devcontainer] = parts as [string, string, string, string];
    return { kind, namespace, pod, container, devcontainer };
  }
  if (kind === 'coder') {
    const parts = rest.split('/');
    if (parts.length > 2 || !parts.every((p) => NAME.test(p))) throw bad('[owner/]workspace[.agent]');
    return { kind, workspace: rest };
  }
  throw bad(`unknown transport "${kind || value}"`);
}

export function formatTarget(target: Target): string {
  if (target.kind === 'docker') return `docker:${target.container}`;
  if (target.kind === 'kubectl-dind') return `kubectl-dind:${target.namespace}/${target.pod}/${target.container}/${target.devcontainer}`;
  if (target.kind === 'kubectl') return `kubectl:${target.namespace}/${target.pod}${target.container ? `/${target.container}` : ''}`;
  return `coder:${target.workspace}`;
}
