// Pure: the human-readable failure explanation written into the workspace, with secrets removed.

export interface FailureReason {
  /** The phase that failed: `checkout`, `config`, `up` (build), ... */
  phase: string;
  /** One line: what went wrong. */
  message: string;
  /** More: `file:line:col` problems, the build output's tail. */
  details?: string;
}

const HINTS: Record<string, string> = {
  preflight:
    'The builder could not reach the Docker daemon or the Coder server. This is usually a cluster problem, not a repository problem; restart the workspace once it is solved.',
  checkout:
    'The repository could not be cloned or updated. Check the repository URL, the branch and the git credentials of the workspace; the workspace folder may be empty or hold an older checkout.',
  config:
    'The devcontainer configuration is invalid. Fix the problems listed below in the repository (you can edit the files from here), commit, and restart the workspace.',
  up: 'Building or starting the devcontainer failed. Fix the Dockerfile, the features or the lifecycle commands named below, commit, and restart the workspace.',
};

/**
 * Removes secrets from text: every given secret value (tokens; values shorter than 4 characters
 * are ignored), credentials in URLs (`https://user:token@host`), and `Authorization`/token headers.
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('***');
  }
  out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1***@');
  out = out.replace(/((?:authorization|coder-session-token|private-token)\s*[:=]\s*)(?:(?:bearer|basic|token)\s+)?\S+/gi, '$1***');
  return out;
}

export interface RenderFailureExplanationOptions {
  reason: FailureReason;
  fallbackImage: string;
  /** ISO time of the failure. */
  time: string;
  /** Secret values that must not appear (agent token, git token). */
  secrets?: readonly (string | undefined)[];
}

/** The Markdown text of `.devcontainer-builder/FAILED.md`. */
export function renderFailureExplanation({ reason, fallbackImage, time, secrets = [] }: RenderFailureExplanationOptions): string {
  const hint = HINTS[reason.phase] ?? 'Fix the problem described below in the repository, commit, and restart the workspace.';
  const details = reason.details?.trim() ? scrubSecrets(reason.details.trim(), secrets).replace(/```/g, "'''") : '';
  return [
    '# This workspace is running in fallback mode',
    '',
    `The devcontainer could not be started: the **${reason.phase}** phase failed at ${time}.`,
    `Instead of leaving you without a workspace, the builder started the fallback image \`${fallbackImage}\``,
    'with your repository mounted here, so you can fix it from inside.',
    '',
    '## What failed',
    '',
    scrubSecrets(reason.message, secrets),
    '',
    ...(details ? ['## Details', '', '```text', details, '```', ''] : []),
    '## What to do',
    '',
    hint,
    '',
    'This file is rewritten on every failed start and removed once the devcontainer starts normally.',
    '',
  ].join('\n');
}
