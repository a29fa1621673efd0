import type { ApiRateCounts, RateCount } from '../ApiRateCounts';
import type { SqlRunner } from './SqlRunner';

/** The statements of the api_rate_counts table: one text for both databases, `?` placeholders. */
export const API_RATE_SQL = {
  add: `INSERT INTO api_rate_counts (rate_key, window_start, count) VALUES (?, ?, ?)
    ON CONFLICT (rate_key, window_start) DO UPDATE SET count = api_rate_counts.count + excluded.count
    RETURNING count`,
  prune: 'DELETE FROM api_rate_counts WHERE window_start < ?',
} as const;

/** API request counts in the `api_rate_counts` table (see ApiRateCounts): one upsert on the primary key per count. */
export class SqlApiRateCounts implements ApiRateCounts {
  constructor(private readonly db: SqlRunner) {}

  async add(counts: readonly RateCount[]): Promise<number[]> {
    const totals: number[] = [];
    for (const { key, windowStart, count } of counts) {
      const row = await this.db.get<{ count: number | string }>(API_RATE_SQL.add, [key, windowStart, count]);
      totals.push(Number(row?.count ?? count));
    }
    return totals;
  }

  async prune(windowStart: number): Promise<void> {
    await this.db.run(API_RATE_SQL.prune, [windowStart]);
  }
}
