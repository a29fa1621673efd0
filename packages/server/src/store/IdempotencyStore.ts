import type Database from 'better-sqlite3';

/** Which call a key belongs to: keys are per integration and user id, so two users cannot collide. */
export interface IdempotencyScope {
  integration: string;
  userId: string;
  key: string;
}

/** The first outcome of a keyed call, as kept: the result's JSON, or the error it ended with. */
export type StoredOutcome = { ok: true; json: string | undefined } | { ok: false; code: string; message: string };

/** What a claim found. */
export type Claim =
  | { kind: 'claimed' } // nobody ran it (or its outcome expired): run it now
  | { kind: 'done'; outcome: StoredOutcome } // answer with this
  | { kind: 'running' } // another run holds the lease: wait
  | { kind: 'abandoned' }; // a run started and its worker vanished: the outcome is unknown

/** Options of an IdempotencyStore. */
export interface IdempotencyStoreOptions {
  /** Least time between two prunes of expired rows done by claim(). Default: 600000 ms (10 minutes) */
  pruneEveryMs?: number;
}

interface Row {
  state: 'running' | 'done';
  outcome: string | null;
  lease_until: number;
  expires_at: number;
}

type KeyParams = [string, string, string];

/**
 * Outcomes of calls with an idempotency key, in SQLite so that every worker process on the database sees them
 * and a crash does not forget that a run had started. A claim is taken in one immediate transaction, so two
 * workers cannot both win it.
 */
export class IdempotencyStore {
  private readonly statements;
  private readonly pruneEveryMs: number;
  private lastPruned = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: Database.Database,
    options: IdempotencyStoreOptions = {},
  ) {
    this.pruneEveryMs = options.pruneEveryMs ?? 600_000;
    const where = 'WHERE integration = ? AND user_id = ? AND key = ?';
    this.statements = {
      get: db.prepare<KeyParams, Row>(`SELECT state, outcome, lease_until, expires_at FROM idempotency ${where}`),
      claim: db.prepare<[...KeyParams, number, number]>(
        `INSERT OR REPLACE INTO idempotency (integration, user_id, key, state, outcome, lease_until, expires_at)
         VALUES (?, ?, ?, 'running', NULL, ?, ?)`,
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

  /**
   * Takes the key for a run that may last until `leaseUntil`, unless an outcome or a live run exists. At most
   * once every `pruneEveryMs` it first forgets expired rows, so the table does not grow between restarts.
   * @throws a SQLite error (the caller's store translates it)
   */
  claim(scope: IdempotencyScope, leaseUntil: number, expiresAt: number, now = Date.now()): Claim {
    if (now - this.lastPruned >= this.pruneEveryMs) this.prune(now);
    return this.db
      .transaction((): Claim => {
        const row = this.statements.get.get(...key(scope));
        if (row && row.expires_at >= now) {
          if (row.state === 'done' && row.outcome !== null)
            return { kind: 'done', outcome: JSON.parse(row.outcome) as StoredOutcome };
          if (row.lease_until >= now) return { kind: 'running' };
          return { kind: 'abandoned' };
        }
        this.statements.claim.run(...key(scope), leaseUntil, Math.max(expiresAt, leaseUntil));
        return { kind: 'claimed' };
      })
      .immediate();
  }

  /**
   * Extends the lease of a claimed run that is still going.
   * @returns false when the key is not running any more (done or released)
   * @throws a SQLite error
   */
  renew(scope: IdempotencyScope, leaseUntil: number): boolean {
    return this.statements.renew.run(leaseUntil, leaseUntil, ...key(scope)).changes > 0;
  }

  /**
   * Keeps the outcome of a claimed run until `expiresAt`.
   * @throws a SQLite error
   */
  complete(scope: IdempotencyScope, outcome: StoredOutcome, expiresAt: number): void {
    this.statements.complete.run(JSON.stringify(outcome), expiresAt, ...key(scope));
  }

  /**
   * Gives up a claim whose run never started, so that the next call with the key runs it. A kept outcome is not
   * touched.
   * @throws a SQLite error
   */
  release(scope: IdempotencyScope): void {
    this.statements.release.run(...key(scope));
  }

  /**
   * Forgets outcomes past their time.
   * @throws a SQLite error
   */
  prune(now = Date.now()): number {
    this.lastPruned = now;
    return this.statements.prune.run(now).changes;
  }
}

function key(scope: IdempotencyScope): KeyParams {
  return [scope.integration, scope.userId, scope.key];
}
