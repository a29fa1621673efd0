import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { sealOutcome } from '../connectionRows';
import { judgeClaim } from '../judgeClaim';
import type { Claim, IdempotencyScope, IdempotencyStore, StoredOutcome } from '../Store';
import type { IdempotencyStoreOptions } from '../sqlite/SqliteIdempotencyStore';
import type { Pg } from './Pg';

interface Row {
  state: 'running' | 'done';
  outcome: string | null;
  call_hash: string | null;
  lease_until: number;
  expires_at: number;
}

const WHERE = 'WHERE integration = $1 AND user_id = $2 AND key = $3';

/**
 * Idempotency keys in PostgreSQL (see IdempotencyStore). A claim inserts the key if it is new; otherwise it locks
 * the key's row (`SELECT … FOR UPDATE`) and judges it, so two workers cannot both win a key.
 */
export class PgIdempotencyStore implements IdempotencyStore {
  private readonly pruneEveryMs: number;
  private lastPruned = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly pg: Pg,
    private readonly cipher: CredentialCipher,
    options: IdempotencyStoreOptions = {},
  ) {
    this.pruneEveryMs = options.pruneEveryMs ?? 600_000;
  }

  async claim(scope: IdempotencyScope, call: string, leaseUntil: number, expiresAt: number, now = Date.now()): Promise<Claim> {
    if (now - this.lastPruned >= this.pruneEveryMs) await this.prune(now);
    const params = [scope.integration, scope.userId, scope.key];
    const expires = Math.max(expiresAt, leaseUntil);
    return this.pg.transaction(async (client): Promise<Claim> => {
      // A concurrent insert of the same key waits here until the other transaction ends, then counts as a conflict.
      const inserted = await client.query(
        `INSERT INTO idempotency (integration, user_id, key, call_hash, state, outcome, lease_until, expires_at)
         VALUES ($1, $2, $3, $4, 'running', NULL, $5, $6) ON CONFLICT DO NOTHING`,
        [...params, call, leaseUntil, expires],
      );
      if (inserted.rowCount === 1) return { kind: 'claimed' };
      const { rows } = await client.query<Row>(
        `SELECT state, outcome, call_hash, lease_until, expires_at FROM idempotency ${WHERE} FOR UPDATE`,
        params,
      );
      const row = rows[0];
      if (!row) return { kind: 'running' }; // released or pruned in between: the caller looks again
      if (row.expires_at >= now) return judgeClaim(this.cipher, scope, call, row, now);
      await client.query(
        `UPDATE idempotency SET call_hash = $4, state = 'running', outcome = NULL, lease_until = $5, expires_at = $6 ${WHERE}`,
        [...params, call, leaseUntil, expires],
      );
      return { kind: 'claimed' };
    });
  }

  async renew(scope: IdempotencyScope, leaseUntil: number): Promise<boolean> {
    // expires_at follows the lease: a row that expired while its run is alive would let a second run claim it.
    const { rowCount } = await this.pg.query(
      `UPDATE idempotency SET lease_until = $4, expires_at = GREATEST(expires_at, $4) ${WHERE} AND state = 'running'`,
      [scope.integration, scope.userId, scope.key, leaseUntil],
    );
    return (rowCount ?? 0) > 0;
  }

  async complete(scope: IdempotencyScope, outcome: StoredOutcome, expiresAt: number): Promise<void> {
    await this.pg.query(`UPDATE idempotency SET state = 'done', outcome = $4, expires_at = $5 ${WHERE}`, [
      scope.integration,
      scope.userId,
      scope.key,
      sealOutcome(this.cipher, scope, outcome),
      expiresAt,
    ]);
  }

  async release(scope: IdempotencyScope): Promise<void> {
    await this.pg.query(`DELETE FROM idempotency ${WHERE} AND state = 'running'`, [scope.integration, scope.userId, scope.key]);
  }

  async prune(now = Date.now()): Promise<number> {
    this.lastPruned = now;
    const { rowCount } = await this.pg.query('DELETE FROM idempotency WHERE expires_at < $1', [now]);
    return rowCount ?? 0;
  }
}
