// Outside checks of a Coder workspace through coderd's REST API, polled under one overall deadline:
// running, healthy, every agent connected and ready, named apps healthy.
// GET /api/v2/users/{owner|me}/workspace/{name} with the `Coder-Session-Token` header.
import { WorkspaceTestError } from './errors.js';
import type { CheckResult, ValidateResult } from './types.js';

export interface CoderOutsideOptions {
  /** Coder deployment URL (CODER_URL). */
  url: string;
  /** Session token (CODER_SESSION_TOKEN); sent as a header, never logged. */
  token: string;
  /** `name` (yours) or `owner/name`. */
  workspace: string;
  /** App slugs that must report health `healthy`. */
  apps?: string[];
  /** Overall deadline for everything to be true. Default 600 000 ms. */
  deadlineMs?: number;
  /** Time between polls. Default 2 000 ms. */
  pollIntervalMs?: number;
  fetch?: typeof fetch;
  /** Called after each poll with the checks as they stand (for progress on stderr). */
  onPoll?: (checks: CheckResult[], attempt: number) => void;
}

interface WorkspaceApp {
  slug?: string;
  display_name?: string;
  health?: string;
}
interface WorkspaceAgent {
  name?: string;
  status?: string;
  lifecycle_state?: string;
  apps?: WorkspaceApp[];
}
interface Workspace {
  name?: string;
  health?: { healthy?: boolean; failing_agents?: string[] };
  latest_build?: {
    status?: string;
    transition?: string;
    job?: { status?: string; error?: string };
    resources?: Array<{ agents?: WorkspaceAgent[] }>;
  };
}

const TERMINAL_BUILD = new Set(['failed', 'canceled', 'canceling', 'deleted', 'deleting', 'stopped', 'stopping']);
const TERMINAL_AGENT = new Set(['start_error', 'start_timeout', 'shutdown_error', 'shutdown_timeout', 'off']);

function check(title: string, property: string, expected: unknown, actual: unknown): CheckResult {
  const successful = JSON.stringify(expected) === JSON.stringify(actual);
  return {
    resourceType: 'CoderWorkspace',
    resourceId: title,
    property,
    title,
    kind: 'coder',
    successful,
    skipped: false,
    ...(successful ? {} : { expected, actual }),
    message: successful
      ? `${title}: ${property}: ok`
      : `${title}: ${property}: expected ${JSON.stringify(expected)}, actual ${JSON.stringify(actual ?? null)}`,
    durationMs: 0,
  };
}

/** Pure: the outside checks for one workspace document (coderd's codersdk.Workspace JSON). */
export function evaluateCoderWorkspace(ws: Workspace, apps: string[] = []): { checks: CheckResult[]; terminal: boolean } {
  const name = ws.name ?? 'workspace';
  const build = ws.latest_build ?? {};
  const agents = (build.resources ?? []).flatMap((r) => r.agents ?? []);
  const checks = [
    check(`workspace ${name} running`, 'latest_build.status', 'running', build.status),
    check(`workspace ${name} healthy`, 'health.healthy', true, ws.health?.healthy ?? null),
    check(`workspace ${name} has an agent`, 'agents', true, agents.length > 0),
  ];
  for (const agent of agents) {
    checks.push(check(`agent ${agent.name ?? '?'} connected`, 'status', 'connected', agent.status));
    checks.push(check(`agent ${agent.name ?? '?'} ready`, 'lifecycle_state', 'ready', agent.lifecycle_state));
  }
  const allApps = agents.flatMap((a) => a.apps ?? []);
  for (const slug of apps) {
    const app = allApps.find((a) => a.slug === slug);
    checks.push(check(`app ${slug} healthy`, 'health', 'healthy', app ? app.health : 'not found'));
  }
  const failedBuild = TERMINAL_BUILD.has(build.status ?? '') || build.job?.status === 'failed';
  const brokenAgent = agents.some((a) => TERMINAL_AGENT.has(a.lifecycle_state ?? ''));
  if (build.job?.error) checks.push(check(`workspace ${name} build`, 'job.error', '', build.job.error));
  return { checks, terminal: failedBuild || brokenAgent };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls coderd until every outside check passes, a terminal state is reached, or the deadline passes. */
export async function checkCoderWorkspace(options: CoderOutsideOptions): Promise<ValidateResult> {
  const doFetch = options.fetch ?? fetch;
  const deadline = Date.now() + (options.deadlineMs ?? 600_000);
  const interval = options.pollIntervalMs ?? 2_000;
  const [owner, name] = options.workspace.includes('/') ? options.workspace.split('/', 2) : ['me', options.workspace];
  const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
  const url = new URL(
    `api/v2/users/${encodeURIComponent(owner as string)}/workspace/${encodeURIComponent((name as string).split('.')[0] as string)}`,
    base,
  ).toString();
  const started = Date.now();
  let checks: CheckResult[] = [];
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - Date.now();
    try {
      const response = await doFetch(url, {
        headers: { 'Coder-Session-Token': options.token, Accept: 'application/json' },
        signal: AbortSignal.timeout(Math.max(1_000, Math.min(30_000, remaining))),
      });
      if (response.status === 401 || response.status === 403) {
        throw new WorkspaceTestError('CODER_API_FAILED', `coderd refused the session token (${response.status}) for GET ${url}`, {
          method: 'GET',
          url,
          status: response.status,
        });
      }
      if (response.status === 404) {
        checks = [check(`workspace ${options.workspace} exists`, 'status', 200, 404)];
      } else if (!response.ok) {
        checks = [check('Coder API answers', 'status', 200, response.status)];
      } else {
        const evaluated = evaluateCoderWorkspace((await response.json()) as Workspace, options.apps);
        checks = evaluated.checks;
        options.onPoll?.(checks, attempt);
        if (evaluated.terminal || checks.every((c) => c.successful)) break;
      }
    } catch (error) {
      if (error instanceof WorkspaceTestError) throw error;
      checks = [check('Coder API answers', 'error', null, (error as Error).message)];
    }
    if (Date.now() + interval > deadline) break;
    await sleep(interval);
  }
  const failed = checks.filter((c) => !c.successful).length;
  return {
    ok: failed === 0,
    target: `coder:${options.workspace} (outside)`,
    checks,
    summary: { total: checks.length, failed, skipped: 0, durationMs: Date.now() - started },
  };
}
