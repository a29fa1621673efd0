import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { sealOutcome } from '../connectionRows';
import { judgeClaim } from '../judgeClaim';
import type { Claim, IdempotencyScope, IdempotencyStore, StoredOutcome } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/** Options of an idempotency store. */
export interface IdempotencyStoreOptions {
  /** Least time between two prunes of expired rows done by claim(). Default: 600000 ms (10 minutes) */
  pruneEveryMs?: number;
}

interface Row {
  state: 'running' | 'done';
  outcome: string | null;
  call_hash: string | null;
  lease_until: number;
  expires_at: number;
}

type KeyParams = [string, string, string];

/** Idempotency keys in SQLite (see IdempotencyStore): a claim is one immediate transaction. */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly statements;
  private readonly pruneEveryMs: number;
  private lastPruned = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database.Database,
    private readonly cipher: CredentialCipher,
    options: IdempotencyStoreOptions = {},
  ) {
    this.pruneEveryMs = options.pruneEveryMs ?? 600_000;
    const where = 'WHERE integration = ? AND user_id = ? AND key = ?';
    this.statements = {
      get: db.prepare<KeyParams, Row>(`SELECT state, outcome, call_hash, lease_until, expires_at FROM idempotency ${where}`),
      claim: db.prepare<[...KeyParams, string, number, number]>(
        `INSERT OR REPLACE INTO idempotency (integration, user_id, key, call_hash, state, outcome, lease_until, expires_at)
         VALUES (?, ?, ?, ?, 'running', NULL, ?, ?)`,
      ),
      // expires_at follows the lease: a row that expired while its run is alive would let a second run claim it.
      renew: db.prepare<[number, number, ...KeyParams]>(
        `UPDATE idempotency SET lease_until = ?, expires_at = MAX(expires_at, ?) ${where} AND state = 'running'`,
      ),
      complete: db.prepare<[string, number, ...KeyParams]>(
        `UPDATE idempotency SET state = 'done', outcome = ?, expires_at = ? ${where}`,
      ),
      release: db.prepare<KeyParams>(`DELETE FROM idempotency ${where} AND state = 'running'`),
      prune: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_at < ?'),
    };
  }

  async claim(scope: IdempotencyScope, call: string, leaseUntil: number, expiresAt: number, now = Date.now()): Promise<Claim> {
    if (now - this.lastPruned >= this.pruneEveryMs) await this.prune(now);
    return withStorageErrors(() =>
      this.db
        .transaction((): Claim => {
          const row = this.statements.get.get(...key(scope));
          if (row && row.expires_at >= now) return judgeClaim(this.cipher, scope, call, row, now);
          this.statements.claim.run(...key(scope), call, leaseUntil, Math.max(expiresAt, leaseUntil));
          return { kind: 'claimed' };
        })
        .immediate(),
    );
  }

  async renew(scope: IdempotencyScope, leaseUntil: number): Promise<boolean> {
    return withStorageErrors(() => this.statements.renew.run(leaseUntil, leaseUntil, ...key(scope)).changes > 0);
  }

  async complete(scope: IdempotencyScope, outcome: StoredOutcome, expiresAt: number): Promise<void> {
    const sealed = sealOutcome(this.cipher, scope, outcome);
    withStorageErrors(() => this.statements.complete.run(sealed, expiresAt, ...key(scope)));
  }

  async release(scope: IdempotencyScope): Promise<void> {
    withStorageErrors(() => this.statements.release.run(...key(scope)));
  }

  async prune(now = Date.now()): Promise<number> {
    this.lastPruned = now;
    return withStorageErrors(() => this.statements.prune.run(now).changes);
  }
}

function key(scope: IdempotencyScope): KeyParams {
  return [scope.integration, scope.userId, scope.key];
}
