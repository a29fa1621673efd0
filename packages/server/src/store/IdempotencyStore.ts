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

interface Row {
  state: 'running' | 'done';
  outcome: string | null;
  lease_until: number;
  expires_at: number;
}

/**
 * Outcomes of calls with an idempotency key, in SQLite so that every worker process on the database sees them
 * and a crash does not forget that a run had started. A claim is taken in one immediate transaction, so two
 * workers cannot both win it.
 */
export class IdempotencyStore {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      get: db.prepare<[string, string, string], Row>(
        'SELECT state, outcome, lease_until, expires_at FROM idempotency WHERE integration = ? AND user_id = ? AND key = ?',
      ),
      claim: db.prepare<[string, string, string, number, number]>(
        `INSERT OR REPLACE INTO idempotency (integration, user_id, key, state, outcome, lease_until, expires_at)
         VALUES (?, ?, ?, 'running', NULL, ?, ?)`,
      ),
      complete: db.prepare<[string, number, string, string, string]>(
        `UPDATE idempotency SET state = 'done', outcome = ?, expires_at = ? WHERE integration = ? AND user_id = ? AND key = ?`,
      ),
      prune: db.prepare<[number]>('DELETE FROM idempotency WHERE expires_at < ?'),
    };
  }

  /**
   * Takes the key for a run that may last until `leaseUntil`, unless an outcome or a live run exists.
   * @throws a SQLite error (the caller's store translates it)
   */
  claim(scope: IdempotencyScope, leaseUntil: number, expiresAt: number, now = Date.now()): Claim {
    return this.db
      .transaction((): Claim => {
        const row = this.statements.get.get(scope.integration, scope.userId, scope.key);
        if (row && row.expires_at >= now) {
          if (row.state === 'done' && row.outcome !== null)
            return { kind: 'done', outcome: JSON.parse(row.outcome) as StoredOutcome };
          if (row.lease_until >= now) return { kind: 'running' };
          return { kind: 'abandoned' };
        }
        this.statements.claim.run(scope.integration, scope.userId, scope.key, leaseUntil, Math.max(expiresAt, leaseUntil));
        return { kind: 'claimed' };
      })
      .immediate();
  }

  /** Keeps the outcome of a claimed run until `expiresAt`. */
  complete(scope: IdempotencyScope, outcome: StoredOutcome, expiresAt: number): void {
    this.statements.complete.run(JSON.stringify(outcome), expiresAt, scope.integration, scope.userId, scope.key);
  }

  /** Forgets outcomes past their time. */
  prune(now = Date.now()): number {
    return this.statements.prune.run(now).changes;
  }
}
