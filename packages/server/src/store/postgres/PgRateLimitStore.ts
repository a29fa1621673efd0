import type { Pg } from './Pg';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { LearnedLimit, RateLimitStore } from '../RateLimitStore';

/** Learned rate limits in the `rate_limits` table of PostgreSQL; each call is one statement on a primary key. */
export class PgRateLimitStore implements RateLimitStore {
  constructor(
    readonly pg: Pg,
    // Kept for the constructor shape every part shares: nothing here is secret.
    readonly cipher: CredentialCipher,
  ) {}

  async get(scope: string, now: number = Date.now()): Promise<LearnedLimit | undefined> {
    const { rows } = await this.pg.query<{ until_ms: string; reason: string }>(
      'SELECT until_ms, reason FROM rate_limits WHERE scope = $1 AND until_ms > $2',
      [scope, now],
    );
    const row = rows[0];
    return row === undefined ? undefined : { untilMs: Number(row.until_ms), reason: row.reason };
  }

  async hold(scope: string, limit: LearnedLimit, now: number = Date.now()): Promise<void> {
    // A longer limit already in force is kept: two processes may learn of one limit from replies that differ.
    await this.pg.query(
      `INSERT INTO rate_limits (scope, until_ms, reason, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (scope) DO UPDATE SET until_ms = EXCLUDED.until_ms, reason = EXCLUDED.reason,
         updated_at = EXCLUDED.updated_at
       WHERE rate_limits.until_ms < EXCLUDED.until_ms`,
      [scope, limit.untilMs, limit.reason, now],
    );
    await this.pg.query('DELETE FROM rate_limits WHERE until_ms <= $1', [now]);
  }
}
