import type { Pg } from './Pg';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { AsyncActionCall, AsyncActionStatus, AsyncActionStore, ClaimedAsyncAction } from '../AsyncActionStore';
import type { StoredOutcome } from '../Store';
import { claimedOf, sealInput, sealOutcomeOf, statusOf, type AsyncActionRow } from '../sqlite/SqliteAsyncActionStore';

const COLUMNS = 'id, integration, user_id, action, input, state, attempts, max_retries, outcome';

/**
 * Async actions in PostgreSQL (see AsyncActionStore): a claim is one conditional UPDATE … RETURNING, which row
 * locking makes exclusive: of two workers claiming the same row, the second sees it running and takes nothing.
 */
export class PgAsyncActionStore implements AsyncActionStore {
  constructor(
    readonly pg: Pg,
    readonly cipher: CredentialCipher,
  ) {}

  async create(call: AsyncActionCall, now: number, expiresAt: number): Promise<void> {
    const sealed = sealInput(this.cipher, call);
    await this.pg.query(
      `INSERT INTO async_actions (id, integration, user_id, action, input, state, attempts, max_retries, key_id,
         created_at, updated_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'queued', 0, $6, $7, $8, $8, $9)`,
      [call.id, call.integration, call.userId, call.action, sealed.text, call.maxRetries, sealed.keyId, now, expiresAt],
    );
  }

  async claim(id: string, now: number, leaseUntil: number): Promise<ClaimedAsyncAction | undefined> {
    const { rows } = await this.pg.query<AsyncActionRow>(
      `UPDATE async_actions SET state = 'running', attempts = attempts + 1, lease_until = $1, updated_at = $2
       WHERE id = $3 AND (state = 'queued' OR (state = 'running' AND lease_until < $2))
       RETURNING ${COLUMNS}`,
      [leaseUntil, now, id],
    );
    return rows[0] && claimedOf(this.cipher, rows[0]);
  }

  async renew(id: string, leaseUntil: number): Promise<boolean> {
    const { rowCount } = await this.pg.query(`UPDATE async_actions SET lease_until = $1 WHERE id = $2 AND state = 'running'`, [
      leaseUntil,
      id,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async requeue(id: string, now: number, uncount: boolean): Promise<void> {
    await this.pg.query(
      `UPDATE async_actions SET state = 'queued', lease_until = NULL, attempts = GREATEST(0, attempts - $1), updated_at = $2
       WHERE id = $3 AND state = 'running'`,
      [uncount ? 1 : 0, now, id],
    );
  }

  async finish(id: string, outcome: StoredOutcome, now: number, expiresAt: number): Promise<void> {
    await this.pg.query(
      `UPDATE async_actions SET state = $1, outcome = $2, lease_until = NULL, updated_at = $3, expires_at = $4 WHERE id = $5`,
      [outcome.ok ? 'done' : 'failed', sealOutcomeOf(this.cipher, id, outcome), now, expiresAt, id],
    );
  }

  async status(id: string, now: number): Promise<AsyncActionStatus | undefined> {
    const { rows } = await this.pg.query<AsyncActionRow>(
      `SELECT ${COLUMNS} FROM async_actions WHERE id = $1 AND expires_at >= $2`,
      [id, now],
    );
    return rows[0] && statusOf(this.cipher, rows[0]);
  }

  async stranded(now: number, queuedBefore: number, limit: number): Promise<string[]> {
    const { rows } = await this.pg.query<{ id: string }>(
      `SELECT id FROM async_actions
       WHERE (state = 'queued' AND updated_at < $1) OR (state = 'running' AND lease_until < $2)
       ORDER BY updated_at LIMIT $3`,
      [queuedBefore, now, limit],
    );
    return rows.map((row) => row.id);
  }

  async prune(now: number): Promise<number> {
    const { rowCount } = await this.pg.query('DELETE FROM async_actions WHERE expires_at < $1', [now]);
    return rowCount ?? 0;
  }
}
