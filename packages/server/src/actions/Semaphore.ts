/** Lets at most `limit` holders in at once; the rest wait in arrival order. */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<() => void> = [];

  /** Called whenever a place is given up (to a waiter or freed). */
  onRelease: (() => void) | undefined;

  constructor(private readonly limit: number) {}

  /** Places free right now, less those already promised to waiters. */
  get free(): number {
    return Math.max(0, this.limit - this.held - this.waiting.length);
  }

  /** Runs `work` once a place is free, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.held >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the place passes straight to the next waiter
      else this.held--;
      this.onRelease?.();
    }
  }
}
