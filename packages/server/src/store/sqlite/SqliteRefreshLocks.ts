import type Database from 'better-sqlite3';
import type { RefreshLocks } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/** Refresh locks in the `refresh_locks` table of SQLite (see RefreshLocks); each call is one conditional statement. */
export class SqliteRefreshLocks implements RefreshLocks {
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

  async tryAcquire(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    return withStorageErrors(() => this.statements.acquire.run(uuid, owner, now + leaseMs, now).changes > 0);
  }

  async renew(uuid: string, owner: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    return withStorageErrors(() => this.statements.renew.run(now + leaseMs, uuid, owner, now).changes > 0);
  }

  async release(uuid: string, owner: string): Promise<void> {
    withStorageErrors(() => this.statements.release.run(uuid, owner));
  }
}
