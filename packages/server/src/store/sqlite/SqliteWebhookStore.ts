import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { SQLITE } from '../sql/dialect';
import { dueFirst, SqlWebhookStore } from '../sql/SqlWebhookStore';
import { DELIVERY_COLUMNS, type DeliveryRow } from '../webhookRows';
import type { NewDelivery, WebhookDelivery } from '../WebhookStore';
import { SqliteRunner } from './SqliteRunner';

const INSERT = `INSERT INTO webhook_deliveries (id, url, type, body, state, attempts, next_attempt_at, created_at, updated_at)
  VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`;

const CLAIM = `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
  WHERE id IN (SELECT id FROM webhook_deliveries
               WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
               ORDER BY next_attempt_at, created_at LIMIT ?)
  RETURNING ${DELIVERY_COLUMNS}`;

/**
 * The webhook outbox on SQLite (see SqlWebhookStore). A batch is added row by row in one transaction; a claim is one
 * UPDATE … RETURNING, which SQLite runs alone, so two processes sharing the file never lease the same row.
 */
export class SqliteWebhookStore extends SqlWebhookStore {
  private readonly sqlite: SqliteRunner;

  constructor(
    db: Database.Database,
    // Bodies carry ids, tags and end users, never credentials: they are stored as sent, not encrypted.
    readonly cipher: CredentialCipher,
  ) {
    const runner = SqliteRunner.of(db);
    super(runner, SQLITE);
    this.sqlite = runner;
  }

  async add(deliveries: readonly NewDelivery[], now = Date.now()): Promise<void> {
    this.sqlite.transaction(() => {
      for (const d of deliveries) this.sqlite.runNow(INSERT, [d.id, d.url, d.type, d.body, now, now, now]);
    });
  }

  async claim(owner: string, leaseMs: number, limit: number, now = Date.now()): Promise<WebhookDelivery[]> {
    return dueFirst(await this.db.all<DeliveryRow>(CLAIM, [owner, now + leaseMs, now, now, now, limit]));
  }
}
