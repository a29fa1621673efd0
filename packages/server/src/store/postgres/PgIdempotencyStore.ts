import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { judgeClaim } from '../judgeClaim';
import { POSTGRES } from '../sql/dialect';
import { keyOf, SqlIdempotencyStore, type IdempotencyRow, type IdempotencyStoreOptions } from '../sql/SqlIdempotencyStore';
import type { Claim, IdempotencyScope } from '../Store';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';

const KEY = 'integration = $1 AND user_id = $2 AND key = $3';

/** A new key; an existing one is left to the lock and judgement that follow. */
const INSERT_NEW = `INSERT INTO idempotency (integration, user_id, key, call_hash, state, outcome, lease_until, expires_at)
  VALUES ($1, $2, $3, $4, 'running', NULL, $5, $6) ON CONFLICT DO NOTHING`;

/** A fresh start over an expired row, locked by the claim. */
const RECLAIM = `UPDATE idempotency SET call_hash = $4, state = 'running', outcome = NULL, lease_until = $5, expires_at = $6
  WHERE ${KEY}`;

/**
 * Idempotency keys in PostgreSQL (see SqlIdempotencyStore). A claim inserts the key if it is new; otherwise it locks
 * the key's row (`SELECT … FOR UPDATE`) and judges it, so two workers cannot both win a key.
 */
export class PgIdempotencyStore extends SqlIdempotencyStore {
  constructor(
    private readonly pg: Pg,
    cipher: CredentialCipher,
    options: IdempotencyStoreOptions = {},
  ) {
    super(new PgRunner(pg), POSTGRES, cipher, options);
  }

  protected async claimKey(
    scope: IdempotencyScope,
    call: string,
    leaseUntil: number,
    expires: number,
    now: number,
  ): Promise<Claim> {
    return this.pg.transaction(async (client): Promise<Claim> => {
      // A concurrent insert of the same key waits here until the other transaction ends, then counts as a conflict.
      const inserted = await client.query(INSERT_NEW, [...keyOf(scope), call, leaseUntil, expires]);
      if (inserted.rowCount === 1) return { kind: 'claimed' };
      const row = await new PgRunner(client).get<IdempotencyRow>(this.sql.getForUpdate, keyOf(scope));
      if (!row) return { kind: 'running' }; // released or pruned in between: the caller looks again
      if (row.expires_at >= now) return judgeClaim(this.cipher, scope, call, row, now);
      await client.query(RECLAIM, [...keyOf(scope), call, leaseUntil, expires]);
      return { kind: 'claimed' };
    });
  }
}
