import type { ReconnectOptions } from './options';

/** Share of each backoff step that is random: a wait lasts between 80% and 100% of its step. */
export const RECONNECT_JITTER = 0.2;

/**
 * How long to wait before reconnect attempt `attempt` (1 for the first): the step doubles from
 * `initialDelayMs` up to `maxDelayMs`, and the jitter only shortens it, so a wait never exceeds `maxDelayMs`.
 * `random` is injectable so tests can pin the jitter.
 */
export function backoffDelayMs(attempt: number, policy: Required<ReconnectOptions>, random: () => number = Math.random): number {
  // 2 ** attempt reaches Infinity after ~1000 attempts; Math.min still caps it at maxDelayMs.
  const step = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(step * (1 - RECONNECT_JITTER * random()));
}

/**
 * One wait at a time that `cancel()` ends early. The reconnect loop waits here between attempts, and
 * close() cancels the wait: a pending timer would otherwise keep the process alive for up to maxDelayMs.
 */
export class CancellableSleep {
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  /** Resolves after `ms`, or at once when cancel() is called. */
  sleep(ms: number): Promise<void> {
    this.cancel();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => this.cancel(), ms);
    });
  }

  /** Ends the current wait, if any, and clears its timer. */
  cancel(): void {
    clearTimeout(this.timer);
    const wake = this.wake;
    this.timer = undefined;
    this.wake = undefined;
    wake?.();
  }
}
