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
      // Takes a free lock, one whose lease ran out, or one its holder already has (0 changes otherwise). Retaking
      // one's own live lease matters when a release failed (a busy database): the holder would otherwise wait out
      // its own lease before its next refresh of that Connection.
      acquire: db.prepare<[string, string, number, number]>(
        `INSERT INTO refresh_locks (uuid, owner, lease_until) VALUES (?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE refresh_locks.lease_until <= ? OR refresh_locks.owner = excluded.owner`,
      ),
      // Only a live lease of the same holder is extended: one that ran out may already be someone else's.
      renew: db.prepare<[number, string, string, number]>(
        'UPDATE refresh_locks SET lease_until = ? WHERE uuid = ? AND owner = ? AND lease_until > ?',
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
   * Extends the lease of `owner` on Connection `uuid` to `leaseMs` from now, if it still holds a live one; false
   * when it does not (its lease ran out, and maybe another holder took the lock). @throws WorkerError `storage_error`
   */
  renew(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): boolean {
    return withStorageErrors(() => this.statements.renew.run(now + leaseMs, uuid, owner, now).changes > 0);
  }

  /**
   * Gives the lock back, if `owner` still holds it: a lease that ran out may already belong to someone else.
   * @throws WorkerError `storage_error`
   */
  release(uuid: string, owner: string): void {
    withStorageErrors(() => this.statements.release.run(uuid, owner));
  }
}
