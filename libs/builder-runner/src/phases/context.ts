// What every phase works on: the settings, the one Docker context, its own log, the status it
// reports into, and what the phases before it produced.
import type { DockerContext } from '@devcontainer-kit/docker-context';
import type { AgentHandle } from '../agent.js';
import type { prefetchAgentBinary } from '../agent-binary.js';
import type { ContainerState } from '../container.js';
import type { ContainerHook } from '../devcontainer-up.js';
import { BuilderError } from '../errors.js';
import type { CheckoutAction } from '../git-checkout.js';
import type { PhaseLog, PhaseName } from '../phase-log.js';
import type { Redactor } from '../redact.js';
import type { BuilderSettings } from '../settings.js';
import type { BuilderStatus } from '../status.js';
import type { ExtensionsPlan } from './extensions.js';
import type { WarmStartCandidate } from './warm-start.js';

/** The devcontainer the later phases work on (from `up`, or the fallback). */
export interface ContainerRef {
  containerId: string;
  remoteUser: string;
  remoteWorkspaceFolder: string | undefined;
}

/** The config phase's result. */
export interface ConfigResult {
  file: string;
  config: Record<string, unknown>;
  /** sha256 over devcontainer.json, its Dockerfile and local features. */
  configHash: string;
  /** Files that went into the hash (relative to the workspace folder). */
  hashedFiles: string[];
}

/** What `up` leaves for the background: the hooks after `waitFor`, run with `run-user-commands`. */
export interface HooksPlan {
  waitFor: string;
  background: ContainerHook[];
  /** Arguments of `devcontainer run-user-commands` for this container. */
  args: string[];
}

/** What phases hand on to later ones. */
export interface PipelineState {
  /** What the checkout phase did ('cloned': a fresh checkout). */
  checkoutAction?: CheckoutAction;
  config?: ConfigResult;
  /** What the config's `${localEnv:…}` reads from the builder's environment (set by the config phase). */
  localEnv?: Record<string, string>;
  container?: ContainerRef;
  /** Set when checkout, config or up failed and the fallback runs instead. */
  failure?: { phase: PhaseName; error: BuilderError };
  extensionsPlan?: ExtensionsPlan;
  agent?: AgentHandle;
  /** The agent binary fetched while `up` runs (binary mode known in advance). */
  agentBinary?: ReturnType<typeof prefetchAgentBinary>;
  agentRestarts: number;
  /** The Coder version that answered in preflight (buildinfo). */
  coderVersion?: string;
  /** The devcontainer as inspected by a warm start (labels, env): later phases need not inspect it again. */
  inspected?: ContainerState;
  /** The recorded container, inspected as the run started (see inspectRecordedContainer). */
  earlyInspect?: Promise<{ id: string; state: ContainerState | undefined } | undefined>;
  /** A warm start found before `up` (a deferred checkout asked): `up` takes it, once. */
  warmStart?: WarmStartCandidate & { inspected: ContainerState };
  hooksPlan?: HooksPlan;
  /** The background hooks' run, while it goes (settles, never rejects). */
  hooksRun?: Promise<unknown>;
  /** The hooks' log source, kept open for the runs after a container restart. */
  hooksLog?: PhaseLog;
}

export interface PhaseContext {
  settings: BuilderSettings;
  /** The one Docker context: every docker and devcontainer CLI child gets exactly its env. */
  docker: DockerContext;
  /** The builder's own environment, read only for the names devcontainer.json's `${localEnv:…}` asks for. */
  localEnv: Readonly<Record<string, string | undefined>>;
  /** This phase's log (already redacting). */
  log: PhaseLog;
  status: BuilderStatus;
  redactor: Redactor;
  state: PipelineState;
  /** Writes the status file (never throws). */
  save(): Promise<void>;
  /** Agent restart backoff (ms). */
  backoff: { initialMs: number; maxMs: number };
  fetch: typeof fetch;
}

/** Throws an `aborted` BuilderError when the run's signal fired. */
export function throwIfAborted(ctx: Pick<PhaseContext, 'docker'>): void {
  if (ctx.docker.signal?.aborted) throw new BuilderError('stopped by a signal', { code: 'aborted' });
}
