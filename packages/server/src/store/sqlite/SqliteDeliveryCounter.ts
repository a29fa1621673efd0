import type Database from 'better-sqlite3';
import type { DeliveryCounter } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/**
 * Delivery counts in SQLite (see DeliveryCounter). Only redeliveries are written: the hot path pays nothing.
 */
export class SqliteDeliveryCounter implements DeliveryCounter {
  private readonly bump;
  private readonly forget;

  constructor(db: Database.Database) {
    this.bump = db.prepare<[string, number], { count: number }>(
      `INSERT INTO deliveries (id, count, last_seen) VALUES (?, 2, ?)
       ON CONFLICT (id) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen
       RETURNING count`,
    );
    this.forget = db.prepare<[number]>('DELETE FROM deliveries WHERE last_seen < ?');
  }

  async redelivered(id: string, now = Date.now()): Promise<number> {
    return withStorageErrors(() => (this.bump.get(id, now) as { count: number }).count);
  }

  async prune(before: number): Promise<void> {
    withStorageErrors(() => this.forget.run(before));
  }
}
