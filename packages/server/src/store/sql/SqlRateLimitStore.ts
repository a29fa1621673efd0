import type { LearnedLimit, RateLimitStore } from '../RateLimitStore';
import { RecentReads } from '../RecentReads';
import type { SqlRunner } from './SqlRunner';

/** The statements of the rate_limits table, by name: one text for both databases, `?` placeholders. */
export const RATE_LIMIT_SQL = {
  get: 'SELECT until_ms, reason FROM rate_limits WHERE scope = ? AND until_ms > ?',
  // A longer limit already in force is kept: two processes may learn of one limit from replies that differ.
  hold: `INSERT INTO rate_limits (scope, until_ms, reason, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (scope) DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason,
      updated_at = excluded.updated_at
    WHERE rate_limits.until_ms < excluded.until_ms`,
  prune: 'DELETE FROM rate_limits WHERE until_ms <= ?',
} as const;

/** Learned rate limits in the `rate_limits` table (see RateLimitStore); each call is one statement on a primary key. */
export class SqlRateLimitStore implements RateLimitStore {
  /** The limits lately read by getRecent, by scope; null when none was in force. hold() drops them all. */
  private readonly recent = new RecentReads<LearnedLimit | null>();

  constructor(private readonly db: SqlRunner) {}

  async get(scope: string, now: number = Date.now()): Promise<LearnedLimit | undefined> {
    const row = await this.db.get<{ until_ms: number; reason: string }>(RATE_LIMIT_SQL.get, [scope, now]);
    return row === undefined ? undefined : { untilMs: Number(row.until_ms), reason: row.reason };
  }

  async getRecent(scope: string, maxAgeMs: number, now: number = Date.now()): Promise<LearnedLimit | undefined> {
    if (maxAgeMs <= 0) return this.get(scope, now);
    const limit = await this.recent.through(scope, maxAgeMs, async () => (await this.get(scope, now)) ?? null);
    // A limit kept may have lifted since it was read.
    return limit === null || limit.untilMs <= now ? undefined : limit;
  }

  async hold(scope: string, limit: LearnedLimit, now: number = Date.now()): Promise<void> {
    try {
      await this.db.run(RATE_LIMIT_SQL.hold, [scope, limit.untilMs, limit.reason, now]);
      // Rows past their time are dead weight; a write is rare (a provider said no), so it is the time to sweep.
      await this.db.run(RATE_LIMIT_SQL.prune, [now]);
    } finally {
      this.recent.wrote();
    }
  }
}
