// The one backoff: doubling delays with a cap, reset after a quiet period; sleeps end on abort.
import { setTimeout as sleep } from 'node:timers/promises';

export interface Backoff {
  /** The delay the next wait() will use (ms). */
  readonly next: number;
  /** Waits the current delay (returns early, without throwing, on abort), then doubles it up to the cap. */
  wait(signal?: AbortSignal): Promise<void>;
  reset(): void;
}

/** `initialMs`, doubled after every wait, at most `maxMs`. */
export function createBackoff({ initialMs = 1000, maxMs = 30_000 }: { initialMs?: number; maxMs?: number } = {}): Backoff {
  let delay = initialMs;
  return {
    get next() {
      return delay;
    },
    async wait(signal) {
      const ms = delay;
      delay = Math.min(delay * 2, maxMs);
      await sleep(ms, undefined, signal ? { signal } : {}).catch(() => {});
    },
    reset() {
      delay = initialMs;
    },
  };
}
