/** Default number of 413 answers a client takes before it sends nothing more. */
export const DEFAULT_MAX_OVERFLOW_REJECTIONS = 8;

export type OverflowVerdict = 'retry-smaller' | 'give-up';

/**
 * What a client knows once Coder answered 413: the agent's remaining limit is unknown but may not
 * be zero (coderd refuses only the batch that would pass 1 MiB; smaller ones that fit are still
 * stored). `probeBytes` is how much the client still tries to send: each 413 halves it below the
 * refused batch, each accepted batch spends from it, and after `maxRejections` refusals the client
 * gives up. So a full agent costs a bounded number of requests, and an agent with some room left
 * still gets the error lines, the summary and the last lines.
 */
export class OverflowProbe {
  active = false;
  rejections = 0;
  probeBytes = Number.POSITIVE_INFINITY;

  constructor(readonly maxRejections = DEFAULT_MAX_OVERFLOW_REJECTIONS) {}

  /** Enter overflow mode without a refusal (an earlier run on this agent already saw one). */
  start(probeBytes: number): void {
    this.active = true;
    this.probeBytes = Math.min(this.probeBytes, Math.max(0, Math.floor(probeBytes)));
  }

  /** Coder refused a batch of `batchBytes` bytes with 413. */
  rejected(batchBytes: number): OverflowVerdict {
    this.active = true;
    this.rejections++;
    this.probeBytes = Math.min(this.probeBytes, Math.floor(batchBytes / 2));
    return this.rejections >= this.maxRejections ? 'give-up' : 'retry-smaller';
  }

  /** Coder accepted `bytes` while in overflow mode. */
  accepted(bytes: number): void {
    if (this.active) this.probeBytes = Math.max(0, this.probeBytes - bytes);
  }
}
