import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * What earlier runs on the same agent already used of Coder's per-agent log limit, kept in a small
 * JSON file so a restarted builder starts with the right remaining budget.
 * Format: `{"version":1,"agent":"<16 hex>","sentBytes":N,"overflowed":false,"updatedAt":"…"}`.
 * `agent` is a hash of the agent URL and token (never the token): a new agent (a new workspace
 * build, so a new token and a fresh 1 MiB) starts from zero.
 */
export interface BudgetAccountState {
  /** Bytes of output Coder accepted from earlier runs on this agent. */
  sentBytes: number;
  /** Coder answered 413 in an earlier run: the agent's limit is (nearly) full. */
  overflowed: boolean;
}

const VERSION = 1;

/** The agent key stored in the account: a short hash, so the file never holds the token. */
export function budgetAccountAgentKey(agentUrl: string, agentToken: string): string {
  return createHash('sha256').update(`${agentUrl}\n${agentToken}`).digest('hex').slice(0, 16);
}

/**
 * Parse an account file's text for one agent. Missing, corrupt, foreign (another agent) or
 * implausible content yields a fresh state plus a reason (never throws).
 */
export function parseBudgetAccount(
  text: string | undefined,
  agentKey: string,
): { state: BudgetAccountState; problem?: 'corrupt' | 'other-agent' } {
  const fresh = { sentBytes: 0, overflowed: false };
  if (text === undefined) return { state: fresh };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { state: fresh, problem: 'corrupt' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { state: fresh, problem: 'corrupt' };
  const o = parsed as Record<string, unknown>;
  if (o.version !== VERSION || typeof o.agent !== 'string') return { state: fresh, problem: 'corrupt' };
  if (o.agent !== agentKey) return { state: fresh, problem: 'other-agent' };
  const sent = o.sentBytes;
  if (typeof sent !== 'number' || !Number.isSafeInteger(sent) || sent < 0) return { state: fresh, problem: 'corrupt' };
  return { state: { sentBytes: sent, overflowed: o.overflowed === true } };
}

/** The file's text for a state. */
export function formatBudgetAccount(state: BudgetAccountState, agentKey: string, now = new Date()): string {
  return `${JSON.stringify({
    version: VERSION,
    agent: agentKey,
    sentBytes: state.sentBytes,
    overflowed: state.overflowed,
    updatedAt: now.toISOString(),
  })}\n`;
}

/**
 * The account of one client: read once at start, then updated (atomically: a temporary file in
 * the same directory, then rename) each time Coder accepts a batch. Additive: each write re-reads
 * the file and adds only this client's new bytes, so two clients on one agent do not erase each
 * other's counts. Problems are reported through `onError` once and never thrown.
 */
export class BudgetAccount {
  /** What earlier runs had used when this client started. */
  readonly earlier: BudgetAccountState;
  private unwritten = 0;
  private overflowUnwritten = false;
  private failed = false;
  private tmpCounter = 0;

  constructor(
    readonly path: string,
    private readonly agentKey: string,
    private readonly onError: (message: string) => void,
  ) {
    const { state, problem } = parseBudgetAccount(this.readText(), agentKey);
    this.earlier = state;
    if (problem === 'corrupt') this.report(`the budget account ${path} is not readable JSON of this format: starting from 0`);
  }

  /** Coder accepted `bytes` more from this client. */
  add(bytes: number): void {
    if (bytes <= 0) return;
    this.unwritten += bytes;
    this.write();
  }

  /** Coder answered 413 for this agent. */
  markOverflowed(): void {
    this.overflowUnwritten = true;
    this.write();
  }

  private readText(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') this.report(`cannot read the budget account ${this.path} (${code ?? 'error'}): starting from 0`);
      return undefined;
    }
  }

  private write(): void {
    if (this.failed) return;
    const current = parseBudgetAccount(this.readTextQuietly(), this.agentKey).state;
    const next: BudgetAccountState = {
      sentBytes: current.sentBytes + this.unwritten,
      overflowed: current.overflowed || this.overflowUnwritten,
    };
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${this.tmpCounter++}.tmp`);
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, formatBudgetAccount(next, this.agentKey), { mode: 0o600 });
      renameSync(tmp, this.path);
      this.unwritten = 0;
      this.overflowUnwritten = false;
    } catch (err) {
      this.failed = true;
      this.report(
        `cannot write the budget account ${this.path} (${(err as NodeJS.ErrnoException).code ?? 'error'}); a restart will not know what this run sent`,
      );
    }
  }

  private readTextQuietly(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch {
      return undefined;
    }
  }

  private report(message: string): void {
    this.onError(message);
  }
}
