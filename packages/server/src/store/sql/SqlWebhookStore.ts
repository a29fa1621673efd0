import { DELIVERY_COLUMNS, MAX_LISTED, outcomeColumns, toBacklog, toDelivery, type DeliveryRow } from '../webhookRows';
import type { AttemptOutcome, DeliveryState, NewDelivery, WebhookBacklog, WebhookDelivery, WebhookStore } from '../WebhookStore';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/** The statements of the webhook_deliveries table, by name: one text for both databases, `?` placeholders. */
export function webhookSql(d: SqlDialect) {
  return {
    finish: `UPDATE webhook_deliveries SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_status = ?,
        last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
      WHERE id = ? AND lease_owner = ? AND state = 'pending'`,
    release: `UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL, attempts = ${d.greatest}(attempts - 1, 0),
        next_attempt_at = ?, updated_at = ?
      WHERE id = ? AND lease_owner = ? AND state = 'pending'`,
    nextDue: `SELECT MIN(${d.greatest}(next_attempt_at, COALESCE(lease_until, 0))) AS at FROM webhook_deliveries
      WHERE state = 'pending'`,
    list: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries ORDER BY created_at DESC, id LIMIT ?`,
    listInState: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE state = ? ORDER BY created_at DESC, id LIMIT ?`,
    get: `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`,
    replay: `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL,
        lease_until = NULL, updated_at = ?
      WHERE id = ? AND state <> 'pending'`,
    pruneDelivered: `DELETE FROM webhook_deliveries WHERE state = 'delivered' AND updated_at < ?`,
    /** The `webhook_deliveries_due` index starts with state. */
    backlog: `SELECT COUNT(*) AS pending, MIN(created_at) AS oldest FROM webhook_deliveries WHERE state = 'pending'`,
  };
}

/**
 * The webhook outbox (see WebhookStore) in SQL both databases run. Adding a batch and claiming due rows are each
 * database's own (SqliteWebhookStore, PgWebhookStore): one writes rows in a loop inside a transaction and claims
 * with one conditional update, the other writes one multi-row statement and claims with row locks.
 */
export abstract class SqlWebhookStore implements WebhookStore {
  private readonly sql: ReturnType<typeof webhookSql>;

  constructor(
    protected readonly db: SqlRunner,
    dialect: SqlDialect,
  ) {
    this.sql = webhookSql(dialect);
  }

  abstract add(deliveries: readonly NewDelivery[], now?: number): Promise<void>;
  abstract claim(owner: string, leaseMs: number, limit: number, now?: number): Promise<WebhookDelivery[]>;

  async finish(id: string, owner: string, outcome: AttemptOutcome, now = Date.now()): Promise<boolean> {
    const { state, nextAttemptAt, status, error } = outcomeColumns(outcome);
    return (await this.db.run(this.sql.finish, [state, nextAttemptAt ?? null, status, error, now, id, owner])) === 1;
  }

  async release(id: string, owner: string, now = Date.now()): Promise<boolean> {
    return (await this.db.run(this.sql.release, [now, now, id, owner])) === 1;
  }

  async nextDue(): Promise<number | undefined> {
    const at = (await this.db.get<{ at: string | number | null }>(this.sql.nextDue))?.at;
    return at === null || at === undefined ? undefined : Number(at);
  }

  async list(filter: { state?: DeliveryState; limit?: number } = {}): Promise<WebhookDelivery[]> {
    const limit = Math.min(filter.limit ?? 100, MAX_LISTED);
    const rows =
      filter.state === undefined
        ? await this.db.all<DeliveryRow>(this.sql.list, [limit])
        : await this.db.all<DeliveryRow>(this.sql.listInState, [filter.state, limit]);
    return rows.map(toDelivery);
  }

  async get(id: string): Promise<WebhookDelivery | undefined> {
    const row = await this.db.get<DeliveryRow>(this.sql.get, [id]);
    return row && toDelivery(row);
  }

  async replay(id: string, now = Date.now()): Promise<WebhookDelivery | undefined> {
    await this.db.run(this.sql.replay, [now, now, id]);
    return this.get(id);
  }

  async pruneDelivered(before: number): Promise<number> {
    return this.db.run(this.sql.pruneDelivered, [before]);
  }

  async backlog(): Promise<WebhookBacklog> {
    return toBacklog(await this.db.get<{ pending: number | string; oldest: number | string | null }>(this.sql.backlog));
  }
}

/** Claimed deliveries, oldest due first (RETURNING gives no order). */
export function dueFirst(rows: readonly DeliveryRow[]): WebhookDelivery[] {
  return rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt);
}
