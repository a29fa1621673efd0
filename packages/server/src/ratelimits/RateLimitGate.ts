import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerError } from '../errors';
import type { Logger } from '../logger';
import type { LearnedLimit, RateLimitStore } from '../store/RateLimitStore';
import { readRateLimit, type RetryHeaders } from './readRateLimit';

/** A `provider_rate_limited` error, with how long until the limit lifts (for a `Retry-After` reply header). */
export class ProviderRateLimited extends WorkerError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super('provider_rate_limited', message);
  }
}

/**
 * The learned rate limits of providers, per Connection, as every proxy call and action httpRequest sees them: one
 * store read before a call (a primary-key read: microseconds on SQLite, a round trip on PostgreSQL), or with
 * `maxStaleMs` a read this process made that recently (a limit learned by this process holds at once, one learned
 * by another at most `maxStaleMs` later); one write when a reply announces a limit. A store that fails is logged and let through: a lost limit costs one more 429, a blocked proxy costs more.
 */
export class RateLimitGate {
  constructor(
    private readonly store: RateLimitStore,
    /** The longest a call waits for a limit to lift (NANGO_RATE_LIMIT_MAX_WAIT_MS). */
    readonly maxWaitMs: number,
    private readonly logger?: Logger,
    /**
     * How old a limit read may be (NANGO_PROXY_STALE_MS for the proxy): 0 reads the store before every call; more
     * reuses this process's read for that long, so a limit another process learns holds here that much later.
     */
    private readonly maxStaleMs = 0,
  ) {}

  /**
   * Resolves when `scope` (a Connection's uuid) may call its provider: at once, or once its learned limit lifts.
   * @param budgetMs the caller's own time left; it waits at most this and maxWaitMs
   * @returns how long it waited for the limit to lift (0 when there was none), for the call's operation
   * @throws ProviderRateLimited (`provider_rate_limited`) when the limit lasts longer than the wait allowed
   * @param signal aborts the wait; a function when the caller makes its signal only if a wait needs one
   * @throws the reason of `signal` when it aborts the wait
   */
  async pass(scope: string, label: string, budgetMs: number, signal?: AbortSignal | (() => AbortSignal)): Promise<number> {
    const limit = await this.read(scope);
    if (limit === undefined) return 0;
    const waitMs = limit.untilMs - Date.now();
    if (waitMs <= 0) return 0;
    const allowedMs = Math.max(0, Math.min(this.maxWaitMs, budgetMs));
    if (waitMs > allowedMs) {
      const message = `${label}: the provider's rate limit for this connection (${limit.reason}) lifts in ${Math.ceil(waitMs / 1000)} s, longer than this call may wait (${allowedMs} ms); try again later`;
      throw new ProviderRateLimited(message, waitMs);
    }
    await sleep(waitMs, undefined, signal === undefined ? {} : { signal: typeof signal === 'function' ? signal() : signal });
    return waitMs;
  }

  /** Records the limit a reply announces, if any, and returns it. Never throws. */
  async learn(
    scope: string,
    status: number,
    header: (name: string) => string | undefined,
    retry?: RetryHeaders,
  ): Promise<LearnedLimit | undefined> {
    const limit = readRateLimit(status, header, retry);
    if (limit === undefined) return undefined;
    try {
      await this.store.hold(scope, limit);
    } catch (err) {
      this.logger?.warn({ err, scope }, 'could not record a provider rate limit');
    }
    return limit;
  }

  private async read(scope: string): Promise<LearnedLimit | undefined> {
    try {
      return this.maxStaleMs > 0 ? await this.store.getRecent(scope, this.maxStaleMs) : await this.store.get(scope);
    } catch (err) {
      this.logger?.warn({ err, scope }, 'could not read the learned provider rate limit; calling the provider anyway');
      return undefined;
    }
  }
}
