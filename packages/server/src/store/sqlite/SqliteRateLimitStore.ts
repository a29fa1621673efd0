import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { LearnedLimit, RateLimitStore } from '../RateLimitStore';
import { withStorageErrors } from './sqliteErrors';

/** Learned rate limits in the `rate_limits` table of SQLite; each call is one statement on a primary key. */
export class SqliteRateLimitStore implements RateLimitStore {
  private readonly statements;

  constructor(
    db: Database.Database,
    // Kept for the constructor shape every part shares: nothing here is secret.
    readonly cipher: CredentialCipher,
  ) {
    this.statements = {
      get: db.prepare<[string, number], { until_ms: number; reason: string }>(
        'SELECT until_ms, reason FROM rate_limits WHERE scope = ? AND until_ms > ?',
      ),
      // A longer limit already in force is kept: two processes may learn of one limit from replies that differ.
      hold: db.prepare<[string, number, string, number]>(
        `INSERT INTO rate_limits (scope, until_ms, reason, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET until_ms = excluded.until_ms, reason = excluded.reason,
           updated_at = excluded.updated_at
         WHERE rate_limits.until_ms < excluded.until_ms`,
      ),
      prune: db.prepare<[number]>('DELETE FROM rate_limits WHERE until_ms <= ?'),
    };
  }

  async get(scope: string, now: number = Date.now()): Promise<LearnedLimit | undefined> {
    const row = withStorageErrors(() => this.statements.get.get(scope, now));
    return row === undefined ? undefined : { untilMs: row.until_ms, reason: row.reason };
  }

  async hold(scope: string, limit: LearnedLimit, now: number = Date.now()): Promise<void> {
    withStorageErrors(() => {
      this.statements.hold.run(scope, limit.untilMs, limit.reason, now);
      // Rows past their time are dead weight; a write is rare (a provider said no), so it is the time to sweep.
      this.statements.prune.run(now);
    });
  }
}
