/** The default bound of a RecentReads: entries kept at most, the oldest read dropped first. */
export const RECENT_READS_MAX_ENTRIES = 10_000;

interface Entry<V> {
  readonly value: V;
  /** When the read that produced it started (ms since the epoch, the clock given). */
  readonly readAt: number;
  /** The store's write generation when that read started. */
  readonly generation: number;
}

/**
 * Rows read lately, for callers that accept a copy up to `maxAgeMs` old instead of a store round trip (the proxy:
 * see docs/performance.md, "Proxy reads"). Two rules keep it honest:
 * - a write made through the same store object bumps the generation, and every entry read before it is dropped, so
 *   this process never sees its own writes late;
 * - a write by another process (another worker or API on the database) is seen once the entry is `maxAgeMs` old:
 *   the bound a caller states.
 * The age counts from when the read started, not when it ended, so a slow read does not stretch the bound.
 */
export class RecentReads<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private generation = 0;

  constructor(
    private readonly maxEntries = RECENT_READS_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The value kept for `key` if it was read less than `maxAgeMs` ago and nothing was written through the store
   * since; else `read()`'s, kept for the next caller unless a write ended meanwhile. `undefined` (nothing found) is
   * never kept: a row just made by another process is found at once.
   */
  async through(key: string, maxAgeMs: number, read: () => Promise<V>): Promise<V> {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.generation === this.generation && now - entry.readAt < maxAgeMs) return entry.value;
    const generation = this.generation;
    const value = await read();
    if (value !== undefined) this.keep(key, value, generation, now);
    return value;
  }

  /**
   * Keeps `value` as read at `readAt` under `generation` (from `current()`), unless a write came after that; a
   * newer entry already kept wins.
   */
  keep(key: string, value: V, generation = this.generation, readAt = this.now()): void {
    if (generation !== this.generation) return;
    const held = this.entries.get(key);
    if (held !== undefined && held.generation === generation && held.readAt > readAt) return;
    this.entries.delete(key); // re-inserted last: Map order is the order of reads, the oldest first out
    this.entries.set(key, { value, readAt, generation });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** The current write generation, for a read that `keep`s its value itself. */
  current(): number {
    return this.generation;
  }

  /** A write through the store: every entry read before it is stale. */
  wrote(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Entries kept (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }
}
