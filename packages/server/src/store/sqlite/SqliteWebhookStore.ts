import type Database from 'better-sqlite3';
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
import { withStorageErrors } from './sqliteErrors';

/**
 * The webhook outbox on SQLite (see WebhookStore). A claim is one UPDATE … RETURNING: SQLite runs it alone, so two
 * processes sharing the file never lease the same row.
 */
export class SqliteWebhookStore implements WebhookStore {
  constructor(
    readonly db: Database.Database,
    // Bodies carry ids, tags and end users, never credentials: they are stored as sent, not encrypted.
    readonly cipher: CredentialCipher,
  ) {}

  add(deliveries: readonly NewDelivery[], now = Date.now()): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO webhook_deliveries (id, url, type, body, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
    );
    const all = this.db.transaction(() => {
      for (const d of deliveries) insert.run(d.id, d.url, d.type, d.body, now, now, now);
    });
    withStorageErrors(() => all());
    return Promise.resolve();
  }

  claim(owner: string, leaseMs: number, limit: number, now = Date.now()): Promise<WebhookDelivery[]> {
    const rows = withStorageErrors(
      () =>
        this.db
          .prepare(
            `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
             WHERE id IN (SELECT id FROM webhook_deliveries
                          WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
                          ORDER BY next_attempt_at, created_at LIMIT ?)
             RETURNING ${DELIVERY_COLUMNS}`,
          )
          .all(owner, now + leaseMs, now, now, now, limit) as DeliveryRow[],
    );
    return Promise.resolve(rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || a.createdAt - b.createdAt));
  }

  finish(id: string, owner: string, outcome: AttemptOutcome, now = Date.now()): Promise<boolean> {
    const { state, nextAttemptAt, status, error } = outcomeColumns(outcome);
    const result = withStorageErrors(() =>
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET state = ?, next_attempt_at = COALESCE(?, next_attempt_at), last_status = ?,
             last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
           WHERE id = ? AND lease_owner = ? AND state = 'pending'`,
        )
        .run(state, nextAttemptAt ?? null, status, error, now, id, owner),
    );
    return Promise.resolve(result.changes === 1);
  }

  release(id: string, owner: string, now = Date.now()): Promise<boolean> {
    const result = withStorageErrors(() =>
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL, attempts = MAX(attempts - 1, 0),
             next_attempt_at = ?, updated_at = ?
           WHERE id = ? AND lease_owner = ? AND state = 'pending'`,
        )
        .run(now, now, id, owner),
    );
    return Promise.resolve(result.changes === 1);
  }

  nextDue(): Promise<number | undefined> {
    const row = withStorageErrors(
      () =>
        this.db
          .prepare(
            `SELECT MIN(MAX(next_attempt_at, COALESCE(lease_until, 0))) AS at FROM webhook_deliveries WHERE state = 'pending'`,
          )
          .get() as { at: number | null } | undefined,
    );
    return Promise.resolve(row?.at ?? undefined);
  }

  list(filter: { state?: DeliveryState; limit?: number } = {}): Promise<WebhookDelivery[]> {
    const limit = Math.min(filter.limit ?? 100, MAX_LISTED);
    const where = filter.state === undefined ? '' : 'WHERE state = ?';
    const params: unknown[] = filter.state === undefined ? [limit] : [filter.state, limit];
    const rows = withStorageErrors(
      () =>
        this.db
          .prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries ${where} ORDER BY created_at DESC, id LIMIT ?`)
          .all(...params) as DeliveryRow[],
    );
    return Promise.resolve(rows.map(toDelivery));
  }

  get(id: string): Promise<WebhookDelivery | undefined> {
    const row = withStorageErrors(
      () => this.db.prepare(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?`).get(id) as DeliveryRow | undefined,
    );
    return Promise.resolve(row && toDelivery(row));
  }

  replay(id: string, now = Date.now()): Promise<WebhookDelivery | undefined> {
    withStorageErrors(() =>
      this.db
        .prepare(
          `UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = ?, lease_owner = NULL,
             lease_until = NULL, updated_at = ?
           WHERE id = ? AND state <> 'pending'`,
        )
        .run(now, now, id),
    );
    return this.get(id);
  }

  pruneDelivered(before: number): Promise<number> {
    const result = withStorageErrors(() =>
      this.db.prepare(`DELETE FROM webhook_deliveries WHERE state = 'delivered' AND updated_at < ?`).run(before),
    );
    return Promise.resolve(result.changes);
  }

  backlog(): Promise<WebhookBacklog> {
    return Promise.resolve(toBacklog(withStorageErrors(() => this.db.prepare(BACKLOG_SQL).get() as BacklogRow | undefined)));
  }
}

type BacklogRow = Parameters<typeof toBacklog>[0];
