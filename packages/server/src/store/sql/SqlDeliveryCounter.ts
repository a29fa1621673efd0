import type { DeliveryCounter } from '../Store';
import type { SqlRunner } from './SqlRunner';

/** The statements of the deliveries table, by name: one text for both databases, `?` placeholders. */
export const DELIVERY_SQL = {
  bump: `INSERT INTO deliveries (id, count, last_seen) VALUES (?, 2, ?)
    ON CONFLICT (id) DO UPDATE SET count = deliveries.count + 1, last_seen = excluded.last_seen
    RETURNING count`,
  prune: 'DELETE FROM deliveries WHERE last_seen < ?',
} as const;

/** Delivery counts (see DeliveryCounter). Only redeliveries are written: the hot path pays nothing. */
export class SqlDeliveryCounter implements DeliveryCounter {
  constructor(private readonly db: SqlRunner) {}

  async redelivered(id: string, now = Date.now()): Promise<number> {
    return (await this.db.get<{ count: number }>(DELIVERY_SQL.bump, [id, now]))?.count ?? 2;
  }

  async prune(before: number): Promise<void> {
    await this.db.run(DELIVERY_SQL.prune, [before]);
  }
}
