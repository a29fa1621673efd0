import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { sealOutcome } from '../connectionRows';
import type { Claim, IdempotencyScope, IdempotencyStore } from '../Store';
import type { StoredOutcome } from '../StoredOutcome';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** Options of an idempotency store. */
export interface IdempotencyStoreOptions {
  /** Least time between two prunes of expired rows done by claim(). Default: 600000 ms (10 minutes) */
  pruneEveryMs?: number;
}

/** A key's row as a claim judges it. */
export interface IdempotencyRow {
  state: 'running' | 'done';
  outcome: string | null;
  call_hash: string | null;
  lease_until: number;
  expires_at: number;
}

const KEY = 'integration = ? AND user_id = ? AND key = ?';

/** The statements of the idempotency table, by name: one text for both databases, `?` placeholders. */
export function idempotencySql(d: SqlDialect) {
  return {
    /** Read-then-write inside a claim: the row is locked on PostgreSQL. */
    getForUpdate: `SELECT state, outcome, call_hash, lease_until, expires_at FROM idempotency WHERE ${KEY}${d.forUpdate}`,
    // expires_at follows the lease: a row that expired while its run is alive would let a second run claim it.
    renew: `UPDATE idempotency SET lease_until = ?, expires_at = ${d.greatest}(expires_at, ?) WHERE ${KEY} AND state = 'running'`,
    complete: `UPDATE idempotency SET state = 'done', outcome = ?, expires_at = ? WHERE ${KEY}`,
    release: `DELETE FROM idempotency WHERE ${KEY} AND state = 'running'`,
    prune: 'DELETE FROM idempotency WHERE expires_at < ?',
  };
}

/**
 * Outcomes of calls with an idempotency key (see IdempotencyStore) in SQL both databases run. A claim, a read then a
 * write that two workers must not both win, is each database's own (SqliteIdempotencyStore, PgIdempotencyStore).
 */
export abstract class SqlIdempotencyStore implements IdempotencyStore {
  protected readonly sql: ReturnType<typeof idempotencySql>;
  private readonly pruneEveryMs: number;
  private lastPruned = Number.NEGATIVE_INFINITY;

  constructor(
    protected readonly db: SqlRunner,
    dialect: SqlDialect,
    protected readonly cipher: CredentialCipher,
    options: IdempotencyStoreOptions = {},
  ) {
    this.sql = idempotencySql(dialect);
    this.pruneEveryMs = options.pruneEveryMs ?? 600_000;
  }

  async claim(scope: IdempotencyScope, call: string, leaseUntil: number, expiresAt: number, now = Date.now()): Promise<Claim> {
    if (now - this.lastPruned >= this.pruneEveryMs) await this.prune(now);
    return this.claimKey(scope, call, leaseUntil, Math.max(expiresAt, leaseUntil), now);
  }

  async renew(scope: IdempotencyScope, leaseUntil: number): Promise<boolean> {
    return (await this.db.run(this.sql.renew, [leaseUntil, leaseUntil, ...keyOf(scope)])) > 0;
  }

  async complete(scope: IdempotencyScope, outcome: StoredOutcome, expiresAt: number): Promise<void> {
    await this.db.run(this.sql.complete, [sealOutcome(this.cipher, scope, outcome), expiresAt, ...keyOf(scope)]);
  }

  async release(scope: IdempotencyScope): Promise<void> {
    await this.db.run(this.sql.release, keyOf(scope));
  }

  async prune(now = Date.now()): Promise<number> {
    this.lastPruned = now;
    return this.db.run(this.sql.prune, [now]);
  }

  /** Takes the key unless a live row holds it (judged by judgeClaim), atomically; `expires` already covers the lease. */
  protected abstract claimKey(
    scope: IdempotencyScope,
    call: string,
    leaseUntil: number,
    expires: number,
    now: number,
  ): Promise<Claim>;
}

/** The values of a key's WHERE: integration, user id, key. */
export function keyOf(scope: IdempotencyScope): [string, string, string] {
  return [scope.integration, scope.userId, scope.key];
}
