import type Database from 'better-sqlite3';
import { withStorageErrors } from './storageErrors';

/**
 * Leases on Connections, one holder at a time, in the `refresh_locks` table (migration 3), so that worker processes
 * sharing one database refresh a Connection's OAuth token one at a time. A lease ends when its holder releases it
 * or when its time runs out, so a worker that dies while refreshing blocks its siblings for one lease at most.
 */
export class RefreshLocks {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      // Takes a free lock, or one whose lease ran out; a live lease of another holder is left alone (0 changes).
      acquire: db.prepare<[string, string, number, number]>(
        `INSERT INTO refresh_locks (uuid, owner, lease_until) VALUES (?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE refresh_locks.lease_until <= ?`,
      ),
      release: db.prepare<[string, string]>('DELETE FROM refresh_locks WHERE uuid = ? AND owner = ?'),
    };
  }

  /**
   * Takes the lock of Connection `uuid` for `owner` until `leaseMs` from now; false when someone else holds a live
   * lease on it. @throws WorkerError `storage_error`
   */
  tryAcquire(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): boolean {
    return withStorageErrors(() => this.statements.acquire.run(uuid, owner, now + leaseMs, now).changes > 0);
  }

  /**
   * Gives the lock back, if `owner` still holds it: a lease that ran out may already belong to someone else.
   * @throws WorkerError `storage_error`
   */
  release(uuid: string, owner: string): void {
    withStorageErrors(() => this.statements.release.run(uuid, owner));
  }
}
