/** What one process counted for one key in one window, to add to the shared count. */
export interface RateCount {
  readonly key: string;
  /** The window's start, epoch ms (a multiple of the window's length). */
  readonly windowStart: number;
  readonly count: number;
}

/**
 * The HTTP API's request counts per rate-limit key and fixed window, shared by every API process on the database
 * (see api/SharedRateLimitStore.ts). SQLite and PostgreSQL implement it alike.
 */
export interface ApiRateCounts {
  /**
   * Adds each count to its key's window, and returns the totals after the additions, in the same order.
   * @throws WorkerError `storage_error`
   */
  add(counts: readonly RateCount[]): Promise<number[]>;
  /** Forgets windows that started before `windowStart`. @throws WorkerError `storage_error` */
  prune(windowStart: number): Promise<void>;
}
