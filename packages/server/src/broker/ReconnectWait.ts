/**
 * The waits of a publisher that keeps trying to reach the broker until it is closed: the delay grows with each failed
 * attempt (200 ms doubling, at most 5 s), and closing wakes every wait at once, so a close never sits out a backoff.
 */
export class ReconnectWait {
  private readonly wakers = new Set<() => void>();

  /** The delay before attempt `attempt + 1` (0-based). */
  static delayMs(attempt: number): number {
    return Math.min(5_000, 200 * 2 ** Math.min(attempt, 5));
  }

  /** Waits the delay after failed attempt `attempt`, or less if wakeAll() is called meanwhile. */
  after(attempt: number): Promise<void> {
    return this.for(ReconnectWait.delayMs(attempt));
  }

  /** Waits `ms`, or less if wakeAll() is called meanwhile. */
  for(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  /** Ends every wait now (the owner is closing). */
  wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
