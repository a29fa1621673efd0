/** A provider's rate limit learned for one scope (a Connection's uuid): no call to it before `untilMs`. */
export interface LearnedLimit {
  readonly untilMs: number;
  /** Why, for logs and errors: `429 Retry-After 30`, `X-RateLimit-Remaining: 0`, … */
  readonly reason: string;
}

/**
 * Provider rate limits learned from replies (429, Retry-After, remaining-0 headers), shared by every worker and API
 * process on the database, so that later proxy calls and httpRequests wait or fail fast instead of hammering the
 * provider. SQLite and PostgreSQL implement it alike.
 * OWNER: the proxy helper (branch h-proxy) fills in the methods and may change them.
 */
export interface RateLimitStore {
  /** The limit in force for `scope` at `now`, if any. @throws WorkerError `storage_error` */
  get(scope: string, now?: number): Promise<LearnedLimit | undefined>;
  /**
   * As `get`, or what this store object read for `scope` less than `maxAgeMs` ago if nothing was recorded through it
   * since (none in force is kept too): a limit this process learns holds here at once, one another process learns at
   * most `maxAgeMs` late. For the proxy (NANGO_PROXY_STALE_MS). @throws WorkerError `storage_error`
   */
  getRecent(scope: string, maxAgeMs: number, now?: number): Promise<LearnedLimit | undefined>;
  /** Records a limit; one already in force that lasts longer is kept. @throws WorkerError `storage_error` */
  hold(scope: string, limit: LearnedLimit, now?: number): Promise<void>;
}
