import type Database from 'better-sqlite3';

/** Counts older than this are forgotten: a request's deliveries happen within minutes, not days. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/**
 * Counts deliveries of requests the broker redelivered, by correlation id, in SQLite so that the count survives
 * the very crash that caused the redelivery. Only redeliveries are written: the hot path pays nothing.
 */
export class DeliveryCounter {
  private readonly bump;
  private readonly prune;

  constructor(db: Database.Database) {
    this.bump = db.prepare<[string, number], { count: number }>(
      `INSERT INTO deliveries (id, count, last_seen) VALUES (?, 2, ?)
       ON CONFLICT (id) DO UPDATE SET count = count + 1, last_seen = excluded.last_seen
       RETURNING count`,
    );
    this.prune = db.prepare<[number]>('DELETE FROM deliveries WHERE last_seen < ?');
    this.prune.run(Date.now() - KEEP_MS);
  }

  /** Records one more delivery of a redelivered request; returns how many it has had, the first included. */
  redelivered(id: string, now = Date.now()): number {
    return (this.bump.get(id, now) as { count: number }).count;
  }
}
