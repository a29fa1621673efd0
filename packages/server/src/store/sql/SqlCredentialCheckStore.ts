import type { ClaimedCheck, CredentialCheckStore } from '../CredentialCheckStore';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** A row as a claim returns it. */
interface ClaimRow {
  uuid: string;
  integration: string;
  user_id: string;
  checked_at: number | string | null;
  refresh_failed_until: number | string | null;
}

/**
 * The background check's due times in the connections table (see CredentialCheckStore), one text for both databases.
 * The claim walks the index on next_check_at from its start and stops at `limit` rows (rows that need the user hold
 * NULL, outside every range); on PostgreSQL it skips rows another claimer holds locked.
 */
export class SqlCredentialCheckStore implements CredentialCheckStore {
  private readonly claimSql: string;

  constructor(
    private readonly db: SqlRunner,
    dialect: SqlDialect,
  ) {
    // The rows are picked once, in a materialised CTE: as a subquery under `IN`, PostgreSQL may run the pick again for
    // every row it updates (the inner side of a nested loop), each time skipping the rows locked by the one before,
    // and so claim far more than `limit`. The outer conditions repeat the pick's: a row another claimer updated
    // meanwhile is judged again on PostgreSQL.
    const due = `next_check_at <= ? AND auth_status = 'ok'`;
    this.claimSql = `WITH picked AS MATERIALIZED (
        SELECT uuid FROM connections WHERE ${due} ORDER BY next_check_at LIMIT ?${dialect.skipLocked})
      UPDATE connections SET next_check_at = ?
      WHERE uuid IN (SELECT uuid FROM picked) AND ${due}
      RETURNING uuid, integration, user_id, checked_at, refresh_failed_until`;
  }

  async claimDue(until: number, limit: number, at: number): Promise<ClaimedCheck[]> {
    const [leaseUntil, now] = [Math.round(until), Math.round(at)];
    const rows = await this.db.all<ClaimRow>(this.claimSql, [now, limit, leaseUntil, now]);
    return rows.map((row) => ({
      uuid: row.uuid,
      integration: row.integration,
      userId: row.user_id,
      checkedAt: row.checked_at === null ? undefined : Number(row.checked_at),
      cooldownUntil: row.refresh_failed_until === null ? undefined : Number(row.refresh_failed_until),
      claimedUntil: leaseUntil,
    }));
  }

  async finish(uuid: string, version: number, plan: { nextCheckAt: number; checkedAt?: number }): Promise<boolean> {
    const changed = await this.db.run(
      `UPDATE connections SET next_check_at = ?, checked_at = COALESCE(?, checked_at)
       WHERE uuid = ? AND cred_version = ? AND auth_status = 'ok'`,
      [Math.round(plan.nextCheckAt), plan.checkedAt === undefined ? null : Math.round(plan.checkedAt), uuid, version],
    );
    return changed > 0;
  }

  async release(uuid: string, claimedUntil: number, dueAt: number): Promise<void> {
    await this.db.run('UPDATE connections SET next_check_at = ? WHERE uuid = ? AND next_check_at = ?', [
      Math.round(dueAt),
      uuid,
      claimedUntil,
    ]);
  }
}
