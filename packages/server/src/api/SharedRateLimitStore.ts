import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Logger } from '../logger';
import type { ApiRateCounts, RateCount } from '../store/ApiRateCounts';

/** How often a process adds what it counted to the shared counts (and reads the others' back). */
export const RATE_FLUSH_MS = 100;

/** Keys a process remembers at most (addresses without a key can be many); the oldest windows go first. */
const MAX_KEYS = 10_000;

/** One key's count in this process: the shared total last read, when, and what was counted here since. */
interface KeyCount {
  windowStart: number;
  shared: number;
  pending: number;
  syncedAt: number;
}

/**
 * @fastify/rate-limit's store, counting across every API process on the database: a fixed window per key (aligned
 * to the epoch, so every process agrees where a window starts), counted here and added to the shared count in the
 * store every RATE_FLUSH_MS, which answers with the total, the other processes' requests included. A request is
 * judged at once on the last total read plus what this process counted since, when that total is at most
 * RATE_FLUSH_MS old; otherwise (a key this process has not seen for a while) after adding and reading it. So a busy
 * key costs one database round trip per RATE_FLUSH_MS, not one per request; the price is that requests other
 * processes admitted in the last RATE_FLUSH_MS (plus a round trip) are not seen yet: with N processes the limit can be
 * passed by what N − 1 of them admit in that time. When the store cannot be reached the counts are kept and added
 * later, and meanwhile each process limits on what it knows.
 */
export class SharedRateLimitStore implements FastifyRateLimitStore {
  private readonly counts = new Map<string, KeyCount>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private lastPrune = 0;
  private failing = false;
  /** While the store fails: no request waits for it before this time (epoch ms); they are judged on what is known. */
  private pausedUntil = 0;

  constructor(
    private readonly store: ApiRateCounts,
    private readonly windowMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The class @fastify/rate-limit constructs (it passes its options, which this store does not need). */
  static of(store: SharedRateLimitStore): FastifyRateLimitStoreCtor {
    return class {
      constructor() {
        return store;
      }
    } as unknown as FastifyRateLimitStoreCtor;
  }

  incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void): void {
    const now = this.now();
    const windowStart = now - (now % this.windowMs);
    let count = this.counts.get(key);
    if (count === undefined || count.windowStart !== windowStart) {
      if (count === undefined && this.counts.size >= MAX_KEYS) this.forgetOldest();
      count = { windowStart, shared: 0, pending: 0, syncedAt: Number.NEGATIVE_INFINITY };
      this.counts.set(key, count);
    }
    count.pending++;
    const entry = count;
    const answer = (): void =>
      callback(null, { current: entry.shared + entry.pending, ttl: windowStart + this.windowMs - this.now() });
    if (now - count.syncedAt <= RATE_FLUSH_MS || now < this.pausedUntil) {
      this.timer ??= setTimeout(() => void this.flush(), RATE_FLUSH_MS);
      answer();
      return;
    }
    // What the others counted is not known lately: read it (adding this request) before judging.
    this.flush().then(answer, answer);
  }

  child(): FastifyRateLimitStore {
    return this; // one limit for every route: the API's own
  }

  /**
   * Adds what was counted here to the shared counts and reads the totals back. One flush runs at a time (each adds
   * what is pending when it starts); callers that come while one runs share the single next one.
   */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running === undefined) {
      const run = this.flushNow().finally(() => {
        if (this.running === run) this.running = undefined;
      });
      this.running = run;
      return run;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.flush();
    });
    return this.queued;
  }

  /** Stops the timer, after adding what is pending. */
  async close(): Promise<void> {
    await this.flush();
    clearTimeout(this.timer);
  }

  private async flushNow(): Promise<void> {
    const sent: { key: string; count: KeyCount; added: RateCount }[] = [];
    for (const [key, count] of this.counts) {
      if (count.pending === 0) continue; // read again with its next request, if it comes later than RATE_FLUSH_MS
      sent.push({ key, count, added: { key, windowStart: count.windowStart, count: count.pending } });
      count.pending = 0;
    }
    if (sent.length === 0) return;
    try {
      const totals = await this.store.add(sent.map((entry) => entry.added));
      sent.forEach(({ count, added }, i) => {
        // The window may have moved on meanwhile: the total is then about a window this key no longer counts.
        if (count.windowStart !== added.windowStart) return;
        count.shared = Math.max(count.shared + added.count, totals[i] ?? 0);
        count.syncedAt = this.now();
      });
      if (this.failing) this.logger.info('the API rate limit counts across processes again');
      this.failing = false;
      await this.pruneNow();
    } catch (error) {
      // Kept, to be added with the next flush: a request counted is never lost, only late.
      for (const { count, added } of sent) {
        if (count.windowStart === added.windowStart) {
          count.pending += added.count; // still judged here meanwhile: shared + pending counts them once
        }
      }
      if (!this.failing)
        this.logger.warn(
          { err: error },
          'cannot add API request counts to the store; each process limits on what it counts until it can',
        );
      this.failing = true;
      this.pausedUntil = this.now() + RATE_FLUSH_MS * 10;
      this.timer ??= setTimeout(() => void this.flush(), RATE_FLUSH_MS * 10);
    }
  }

  /** Past windows, swept now and then by whichever process flushes. */
  private async pruneNow(): Promise<void> {
    const now = this.now();
    if (now - this.lastPrune < Math.max(this.windowMs, 60_000)) return;
    this.lastPrune = now;
    await this.store.prune(now - (now % this.windowMs) - this.windowMs);
    for (const [key, count] of this.counts)
      if (count.pending === 0 && count.windowStart + this.windowMs <= now) this.counts.delete(key);
  }

  private forgetOldest(): void {
    for (const [key, count] of this.counts) {
      if (count.pending === 0) {
        this.counts.delete(key);
        return;
      }
    }
  }
}
