import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { POSTGRES } from '../sql/dialect';
import { dueFirst, SqlWebhookStore } from '../sql/SqlWebhookStore';
import type { DeliveryRow } from '../webhookRows';
import type { NewDelivery, WebhookDelivery } from '../WebhookStore';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';

// MATERIALIZED: the rows are picked (and locked) once; inlined, the planner may run the pick per row and lease more
// than `limit`, or rows another claimer locked a moment later.
const CLAIM = `WITH picked AS MATERIALIZED (
    SELECT id FROM webhook_deliveries
    WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
    ORDER BY next_attempt_at, created_at LIMIT $4 FOR UPDATE SKIP LOCKED)
  UPDATE webhook_deliveries AS w SET lease_owner = $1, lease_until = $2, attempts = w.attempts + 1, updated_at = $3
  FROM picked WHERE w.id = picked.id
  RETURNING w.*`;

/**
 * The webhook outbox on PostgreSQL (see SqlWebhookStore). A batch is one multi-row INSERT; a claim locks the due rows
 * it picks with `FOR UPDATE SKIP LOCKED` (a row another claimer just leased is skipped, or re-checked on its new
 * version and found leased), so workers claiming at the same time get disjoint rows.
 */
export class PgWebhookStore extends SqlWebhookStore {
  constructor(
    private readonly pg: Pg,
    // Bodies carry ids, tags and end users, never credentials: they are stored as sent, not encrypted.
    readonly cipher: CredentialCipher,
  ) {
    super(new PgRunner(pg), POSTGRES);
  }

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
    const { rows } = await this.pg.query<DeliveryRow>(CLAIM, [owner, now + leaseMs, now, limit]);
    return dueFirst(rows);
  }
}
