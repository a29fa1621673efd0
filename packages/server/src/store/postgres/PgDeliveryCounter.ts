import type { DeliveryCounter } from '../Store';
import type { Pg } from './Pg';

/** Delivery counts in PostgreSQL (see DeliveryCounter). */
export class PgDeliveryCounter implements DeliveryCounter {
  constructor(private readonly pg: Pg) {}

  async redelivered(id: string, now = Date.now()): Promise<number> {
    const { rows } = await this.pg.query<{ count: number }>(
      `INSERT INTO deliveries (id, count, last_seen) VALUES ($1, 2, $2)
       ON CONFLICT (id) DO UPDATE SET count = deliveries.count + 1, last_seen = excluded.last_seen
       RETURNING count`,
      [id, now],
    );
    return rows[0]?.count ?? 2;
  }

  async prune(before: number): Promise<void> {
    await this.pg.query('DELETE FROM deliveries WHERE last_seen < $1', [before]);
  }
}
