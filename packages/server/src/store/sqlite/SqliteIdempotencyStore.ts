import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { judgeClaim } from '../judgeClaim';
import { SQLITE } from '../sql/dialect';
import { keyOf, SqlIdempotencyStore, type IdempotencyRow, type IdempotencyStoreOptions } from '../sql/SqlIdempotencyStore';
import type { Claim, IdempotencyScope } from '../Store';
import { SqliteRunner } from './SqliteRunner';

/** A new claim, or a fresh start over an expired row: SQLite replaces the row whole. */
const CLAIM = `INSERT OR REPLACE INTO idempotency (integration, user_id, key, call_hash, state, outcome, lease_until, expires_at)
  VALUES (?, ?, ?, ?, 'running', NULL, ?, ?)`;

/** Idempotency keys in SQLite (see SqlIdempotencyStore): a claim is one immediate transaction. */
export class SqliteIdempotencyStore extends SqlIdempotencyStore {
  private readonly sqlite: SqliteRunner;

  constructor(db: Database.Database, cipher: CredentialCipher, options: IdempotencyStoreOptions = {}) {
    const runner = SqliteRunner.of(db);
    super(runner, SQLITE, cipher, options);
    this.sqlite = runner;
  }

  protected async claimKey(
    scope: IdempotencyScope,
    call: string,
    leaseUntil: number,
    expires: number,
    now: number,
  ): Promise<Claim> {
    return this.sqlite.transaction((): Claim => {
      const row = this.sqlite.getNow<IdempotencyRow>(this.sql.getForUpdate, keyOf(scope));
      if (row && row.expires_at >= now) return judgeClaim(this.cipher, scope, call, row, now);
      this.sqlite.runNow(CLAIM, [...keyOf(scope), call, leaseUntil, expires]);
      return { kind: 'claimed' };
    });
  }
}
