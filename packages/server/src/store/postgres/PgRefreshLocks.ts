import type { RefreshLocks } from '../Store';
import type { Pg } from './Pg';

/**
 * Refresh locks in PostgreSQL (see RefreshLocks): each call is one conditional statement, atomic under concurrent
 * writers (an `INSERT … ON CONFLICT DO UPDATE … WHERE` locks the row it judges), as on SQLite. Leases rather than
 * session advisory locks: a lease survives a dropped connection of a live holder, and ends by itself for a dead one.
 */
export class PgRefreshLocks implements RefreshLocks {
  constructor(private readonly pg: Pg) {}

  async tryAcquire(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    const { rowCount } = await this.pg.query(
      `INSERT INTO refresh_locks (uuid, owner, lease_until) VALUES ($1, $2, $3)
       ON CONFLICT (uuid) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE refresh_locks.lease_until <= $4 OR refresh_locks.owner = excluded.owner`,
      [uuid, owner, now + leaseMs, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async renew(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    const { rowCount } = await this.pg.query(
      'UPDATE refresh_locks SET lease_until = $1 WHERE uuid = $2 AND owner = $3 AND lease_until > $4',
      [now + leaseMs, uuid, owner, now],
    );
    return (rowCount ?? 0) > 0;
  }

  async release(uuid: string, owner: string): Promise<void> {
    await this.pg.query('DELETE FROM refresh_locks WHERE uuid = $1 AND owner = $2', [uuid, owner]);
  }
}
