import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import {
  asyncBinding,
  type AsyncActionCall,
  type AsyncActionStatus,
  type AsyncActionStore,
  type ClaimedAsyncAction,
} from '../AsyncActionStore';
import type { StoredOutcome } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/** A row as read back. */
export interface AsyncActionRow {
  id: string;
  integration: string;
  user_id: string;
  action: string;
  input: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_retries: number;
  outcome: string | null;
}

/** Async actions in SQLite (see AsyncActionStore): a claim is one conditional UPDATE … RETURNING. */
export class SqliteAsyncActionStore implements AsyncActionStore {
  private readonly statements;

  constructor(
    readonly db: Database.Database,
    readonly cipher: CredentialCipher,
  ) {
    this.statements = {
      create: db.prepare(
        `INSERT INTO async_actions (id, integration, user_id, action, input, state, attempts, max_retries, key_id,
           created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)`,
      ),
      claim: db.prepare<[number, number, string, number], AsyncActionRow>(
        `UPDATE async_actions SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
         WHERE id = ? AND (state = 'queued' OR (state = 'running' AND lease_until < ?))
         RETURNING id, integration, user_id, action, input, state, attempts, max_retries, outcome`,
      ),
      renew: db.prepare<[number, string]>(`UPDATE async_actions SET lease_until = ? WHERE id = ? AND state = 'running'`),
      requeue: db.prepare<[number, number, string]>(
        `UPDATE async_actions SET state = 'queued', lease_until = NULL, attempts = MAX(0, attempts - ?), updated_at = ?
         WHERE id = ? AND state = 'running'`,
      ),
      finish: db.prepare<[string, string, number, number, string]>(
        `UPDATE async_actions SET state = ?, outcome = ?, lease_until = NULL, updated_at = ?, expires_at = ? WHERE id = ?`,
      ),
      status: db.prepare<[string, number], AsyncActionRow>(
        `SELECT id, integration, user_id, action, input, state, attempts, max_retries, outcome FROM async_actions
         WHERE id = ? AND expires_at >= ?`,
      ),
      stranded: db.prepare<[number, number, number], { id: string }>(
        `SELECT id FROM async_actions
         WHERE (state = 'queued' AND updated_at < ?) OR (state = 'running' AND lease_until < ?)
         ORDER BY updated_at LIMIT ?`,
      ),
      prune: db.prepare<[number]>('DELETE FROM async_actions WHERE expires_at < ?'),
    };
  }

  async create(call: AsyncActionCall, now: number, expiresAt: number): Promise<void> {
    const sealed = sealInput(this.cipher, call);
    withStorageErrors(() =>
      this.statements.create.run(
        call.id,
        call.integration,
        call.userId,
        call.action,
        sealed.text,
        call.maxRetries,
        sealed.keyId,
        now,
        now,
        expiresAt,
      ),
    );
  }

  async claim(id: string, now: number, leaseUntil: number): Promise<ClaimedAsyncAction | undefined> {
    const row = withStorageErrors(() => this.statements.claim.get(leaseUntil, now, id, now));
    return row && claimedOf(this.cipher, row);
  }

  async renew(id: string, leaseUntil: number): Promise<boolean> {
    return withStorageErrors(() => this.statements.renew.run(leaseUntil, id).changes > 0);
  }

  async requeue(id: string, now: number, uncount: boolean): Promise<void> {
    withStorageErrors(() => this.statements.requeue.run(uncount ? 1 : 0, now, id));
  }

  async finish(id: string, outcome: StoredOutcome, now: number, expiresAt: number): Promise<void> {
    const sealed = sealOutcomeOf(this.cipher, id, outcome);
    withStorageErrors(() => this.statements.finish.run(outcome.ok ? 'done' : 'failed', sealed, now, expiresAt, id));
  }

  async status(id: string, now: number): Promise<AsyncActionStatus | undefined> {
    const row = withStorageErrors(() => this.statements.status.get(id, now));
    return row && statusOf(this.cipher, row);
  }

  async stranded(now: number, queuedBefore: number, limit: number): Promise<string[]> {
    return withStorageErrors(() => this.statements.stranded.all(queuedBefore, now, limit).map((row) => row.id));
  }

  async prune(now: number): Promise<number> {
    return withStorageErrors(() => this.statements.prune.run(now).changes);
  }
}

/** The sealed input of a call (and its idempotency key, which may be as private as the input). */
export function sealInput(cipher: CredentialCipher, call: AsyncActionCall): { keyId: string; text: string } {
  const plain = JSON.stringify({ input: call.input, idempotencyKey: call.idempotencyKey });
  return cipher.seal(plain, asyncBinding(call.id, 'input'));
}

/** The sealed outcome of a row. */
export function sealOutcomeOf(cipher: CredentialCipher, id: string, outcome: StoredOutcome): string {
  return cipher.seal(JSON.stringify(outcome), asyncBinding(id, 'outcome')).text;
}

/** A claimed row, its input opened. */
export function claimedOf(cipher: CredentialCipher, row: AsyncActionRow): ClaimedAsyncAction {
  const opened = JSON.parse(cipher.open(row.input, asyncBinding(row.id, 'input'))) as {
    input: Record<string, unknown>;
    idempotencyKey?: string;
  };
  return {
    id: row.id,
    integration: row.integration,
    userId: row.user_id,
    action: row.action,
    input: opened.input,
    idempotencyKey: opened.idempotencyKey,
    maxRetries: Number(row.max_retries),
    attempts: Number(row.attempts),
  };
}

/** A row's status, its outcome opened once it has one. */
export function statusOf(cipher: CredentialCipher, row: AsyncActionRow): AsyncActionStatus {
  const base = { integration: row.integration, userId: row.user_id };
  if ((row.state === 'done' || row.state === 'failed') && row.outcome !== null) {
    const outcome = JSON.parse(cipher.open(row.outcome, asyncBinding(row.id, 'outcome'))) as StoredOutcome;
    return { state: row.state, ...base, outcome };
  }
  return { state: row.state === 'done' || row.state === 'failed' ? 'running' : row.state, ...base };
}
