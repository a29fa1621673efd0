import type { CredentialCipher } from '../../encryption/CredentialCipher';
import {
  BACKLOG_SQL,
  DELIVERY_COLUMNS,
  MAX_LISTED,
  outcomeColumns,
  toBacklog,
  toDelivery,
  type DeliveryRow,
} from '../webhookRows';
import type { AttemptOutcome, DeliveryState, NewDelivery, WebhookBacklog, WebhookDelivery, WebhookStore } from '../WebhookStore';
import type { Pg } from './Pg';

/**
 * The webhook outbox on PostgreSQL (see WebhookStore). A claim locks the due rows it picks with `FOR UPDATE SKIP
 * LOCKED` (a row another claimer just leased is skipped, or re-checked on its new version and found leased), so
 * workers claiming at the same time get disjoint rows.
 */
export class PgWebhookStore implements WebhookStore {
  constructor(
    readonly pg: Pg,
    // Bodies carry ids, tags and end users, never credentials: they are stored as sent, not encrypted.
    readonly cipher: CredentialCipher,
  ) {}

  async add(deliveries: readonly NewDelivery[], now = Date.now()): Promise<void> {
    if (deliveries.length === 0) return;
    // One statement: all rows or none. The last parameter is `now`.
    const values: unknown[] = deliveries.flatMap((d) => [d.id, d.url, d.type, d.body]);
    const at = `$${values.length + 1}`;
    const rows = deliveries.map((_, i) => {
      const p = (n: number) => `$${i * 4 + n}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'pending', 0, ${at}, ${at}, ${at})`;
    });
    await this.pg.query(
      `INSERT INTO webhook_deliveries (id, url, type, body, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES ${rows.join(', ')}`,
      [...values, now],
    );
  }

  async claim(owner: string, leaseMs: number, limit: number, now = Date.now()): Promise<WebhookDelivery[]> {
    const { rows } = await this.pg.query<DeliveryRow>(
      // MATERIALIZED: the rows are picked (and locked) once; inlined, the planner may run the pick per row and
      // lease more than `limit`, or rows another claimer locked a moment later.
      `WITH picked AS MATERIALIZED (
         SELECT id FROM webhook_deliveries
         WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
         ORDER BY next_attempt_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries AS w SET lease_owner = $1, lease_until = $2, attempts = w.attempts + 1, updated_at = $3
       FROM picked WHERE w.id = picked.id
       RETURNING w.*`,
      [owner, now + leaseMs, now, limit],
    );
    return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
  }

  async finish(id: string, owner: string, outcome: AttemptOutcome, now = Date.now()): Promise<boolean> {
    const { state, nextAttemptAt, status, error } = outcomeColumns(outcome);
    const result = await this.pg.query(
      `UPDATE webhook_deliveries SET state = $1, next_attempt_at = COALESCE($2, next_attempt_at), last_status = $3,
         last_error = $4, lease_owner = NULL, lease_until = NULL, updated_at = $5
       WHERE id = $6 AND lease_owner = $7 AND state = 'pending'`,
      [state, nextAttemptAt ?? null, status, error, now, id, owner],
    );
    return result.rowCount === 1;
  }

  async release(id: string, owner: string, now = Date.now()): Promise<boolean> {
    const result = await this.pg.query(
      `UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL, attempts = GREATEST(attempts - 1, 0),
         next_attempt_at = $1, updated_at = $1
       WHERE id = $2 AND lease_owner = $3 AND state = 'pending'`,
      [now, id, owner],
    );
    return result.rowCount === 1;
  }

  async nextDue(): Promise<number | undefined> {
    const { rows } = await this.pg.query<{ at: string | number | null }>(
      `SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_until, 0))) AS at FROM webhook_deliveries WHERE state = 'pending'`,
    );
    const at = rows[0]?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  async list(filter: { state?: DeliveryState; limit?: number } = {}): Promise<WebhookDelivery[]> {
    const limit = Math.min(filter.limit ?? 100, MAX_LISTED);
    const { rows } =
      filter.state === undefined
        ? await this.pg.query<DeliveryRow>(
            `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries ORDER BY created_at DESC, id LIMIT $1`,
            [limit],
          )
        : await this.pg.query<DeliveryRow>(
            `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE state = $1 ORDER BY created_at DESC, id LIMIT $2`,
            [filter.state, limit],
          );
    return rows.map(toDelivery);
  }

  async get(id: string): Promise<WebhookDelivery | undefined> {
    const { rows } = await this.pg.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = $1`, [id]);
    return rows[0] && toDelivery(rows[0]);
  }

  async replay(id: string, now = Date.now()): Promise<WebhookDelivery | undefined> {
    await this.pg.query(
      `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_owner = NULL,
         lease_until = NULL, updated_at = $1
       WHERE id = $2 AND state <> 'pending'`,
      [now, id],
    );
    return this.get(id);
  }

  async pruneDelivered(before: number): Promise<number> {
    const result = await this.pg.query(`DELETE FROM webhook_deliveries WHERE state = 'delivered' AND updated_at < $1`, [before]);
    return result.rowCount ?? 0;
  }

  async backlog(): Promise<WebhookBacklog> {
    const { rows } = await this.pg.query<{ pending: string; oldest: number | null }>(BACKLOG_SQL);
    return toBacklog(rows[0]);
  }
}
