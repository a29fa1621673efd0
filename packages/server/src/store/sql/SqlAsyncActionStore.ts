import type { CredentialCipher } from '../../encryption/CredentialCipher';
import {
  asyncBinding,
  type AsyncActionCall,
  type AsyncActionStatus,
  type AsyncActionStore,
  type ClaimedAsyncAction,
} from '../AsyncActionStore';
import type { StoredOutcome } from '../StoredOutcome';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** A row as read back. */
interface AsyncActionRow {
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

const COLUMNS = 'id, integration, user_id, action, input, state, attempts, max_retries, outcome';

/** The statements of the async_actions table, by name: one text for both databases, `?` placeholders. */
export function asyncActionSql(d: SqlDialect) {
  return {
    create: `INSERT INTO async_actions (id, integration, user_id, action, input, state, attempts, max_retries, key_id,
        created_at, updated_at, expires_at)
      VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)`,
    claim: `UPDATE async_actions SET state = 'running', attempts = attempts + 1, lease_until = ?, updated_at = ?
      WHERE id = ? AND (state = 'queued' OR (state = 'running' AND lease_until < ?))
      RETURNING ${COLUMNS}`,
    renew: `UPDATE async_actions SET lease_until = ? WHERE id = ? AND state = 'running'`,
    requeue: `UPDATE async_actions SET state = 'queued', lease_until = NULL, attempts = ${d.greatest}(0, attempts - ?), updated_at = ?
      WHERE id = ? AND state = 'running'`,
    finish: 'UPDATE async_actions SET state = ?, outcome = ?, lease_until = NULL, updated_at = ?, expires_at = ? WHERE id = ?',
    status: `SELECT ${COLUMNS} FROM async_actions WHERE id = ? AND expires_at >= ?`,
    stranded: `SELECT id FROM async_actions
      WHERE (state = 'queued' AND updated_at < ?) OR (state = 'running' AND lease_until < ?)
      ORDER BY updated_at LIMIT ?`,
    prune: 'DELETE FROM async_actions WHERE expires_at < ?',
  };
}

/**
 * Async actions (see AsyncActionStore) in SQL both databases run: every operation is one statement. A claim is one
 * conditional UPDATE … RETURNING, exclusive on both: SQLite runs it alone, and on PostgreSQL the row lock makes the
 * second of two claimers see the row running and take nothing.
 */
export class SqlAsyncActionStore implements AsyncActionStore {
  private readonly sql: ReturnType<typeof asyncActionSql>;

  constructor(
    private readonly db: SqlRunner,
    dialect: SqlDialect,
    private readonly cipher: CredentialCipher,
  ) {
    this.sql = asyncActionSql(dialect);
  }

  async create(call: AsyncActionCall, now: number, expiresAt: number): Promise<void> {
    // The idempotency key goes in the sealed input: it may be as private as the input.
    const plain = JSON.stringify({ input: call.input, idempotencyKey: call.idempotencyKey });
    const sealed = this.cipher.seal(plain, asyncBinding(call.id, 'input'));
    await this.db.run(this.sql.create, [
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
    ]);
  }

  async claim(id: string, now: number, leaseUntil: number): Promise<ClaimedAsyncAction | undefined> {
    const row = await this.db.get<AsyncActionRow>(this.sql.claim, [leaseUntil, now, id, now]);
    return row && this.claimedOf(row);
  }

  async renew(id: string, leaseUntil: number): Promise<boolean> {
    return (await this.db.run(this.sql.renew, [leaseUntil, id])) > 0;
  }

  async requeue(id: string, now: number, uncount: boolean): Promise<void> {
    await this.db.run(this.sql.requeue, [uncount ? 1 : 0, now, id]);
  }

  async finish(id: string, outcome: StoredOutcome, now: number, expiresAt: number): Promise<void> {
    const sealed = this.cipher.seal(JSON.stringify(outcome), asyncBinding(id, 'outcome')).text;
    await this.db.run(this.sql.finish, [outcome.ok ? 'done' : 'failed', sealed, now, expiresAt, id]);
  }

  async status(id: string, now: number): Promise<AsyncActionStatus | undefined> {
    const row = await this.db.get<AsyncActionRow>(this.sql.status, [id, now]);
    return row && this.statusOf(row);
  }

  async stranded(now: number, queuedBefore: number, limit: number): Promise<string[]> {
    return (await this.db.all<{ id: string }>(this.sql.stranded, [queuedBefore, now, limit])).map((row) => row.id);
  }

  async prune(now: number): Promise<number> {
    return this.db.run(this.sql.prune, [now]);
  }

  /** A claimed row, its input opened. */
  private claimedOf(row: AsyncActionRow): ClaimedAsyncAction {
    const opened = JSON.parse(this.cipher.open(row.input, asyncBinding(row.id, 'input'))) as {
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
  private statusOf(row: AsyncActionRow): AsyncActionStatus {
    const base = { integration: row.integration, userId: row.user_id };
    if ((row.state === 'done' || row.state === 'failed') && row.outcome !== null) {
      const outcome = JSON.parse(this.cipher.open(row.outcome, asyncBinding(row.id, 'outcome'))) as StoredOutcome;
      return { state: row.state, ...base, outcome };
    }
    return { state: row.state === 'done' || row.state === 'failed' ? 'running' : row.state, ...base };
  }
}
