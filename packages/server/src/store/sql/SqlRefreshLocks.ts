import type { RefreshLocks } from '../Store';
import type { SqlRunner } from './SqlRunner';

/** The statements of the refresh_locks table, by name: one text for both databases, `?` placeholders. */
export const REFRESH_LOCK_SQL = {
  // Takes a free lock, one whose lease ran out, or one its holder already has (0 changes otherwise). Retaking one's
  // own live lease matters when a release failed (a busy database): the holder would otherwise wait out its own
  // lease before its next refresh of that Connection.
  acquire: `INSERT INTO refresh_locks (uuid, owner, lease_until) VALUES (?, ?, ?)
    ON CONFLICT (uuid) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
    WHERE refresh_locks.lease_until <= ? OR refresh_locks.owner = excluded.owner`,
  // Only a live lease of the same holder is extended: one that ran out may already be someone else's.
  renew: 'UPDATE refresh_locks SET lease_until = ? WHERE uuid = ? AND owner = ? AND lease_until > ?',
  release: 'DELETE FROM refresh_locks WHERE uuid = ? AND owner = ?',
} as const;

/**
 * Refresh locks in the `refresh_locks` table (see RefreshLocks): each call is one conditional statement, atomic under
 * concurrent writers on both databases (SQLite runs it alone; PostgreSQL's `INSERT … ON CONFLICT DO UPDATE … WHERE`
 * locks the row it judges). Leases rather than PostgreSQL's session advisory locks: a lease survives a dropped
 * connection of a live holder, and ends by itself for a dead one.
 */
export class SqlRefreshLocks implements RefreshLocks {
  constructor(private readonly db: SqlRunner) {}

  async tryAcquire(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    return (await this.db.run(REFRESH_LOCK_SQL.acquire, [uuid, owner, now + leaseMs, now])) > 0;
  }

  async renew(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    return (await this.db.run(REFRESH_LOCK_SQL.renew, [now + leaseMs, uuid, owner, now])) > 0;
  }

  async release(uuid: string, owner: string): Promise<void> {
    await this.db.run(REFRESH_LOCK_SQL.release, [uuid, owner]);
  }
}
