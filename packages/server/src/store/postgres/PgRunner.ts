import type pg from 'pg';
import type { SqlRunner } from '../sql/SqlRunner';

/** What a PgRunner sends statements to: the pool (Pg, errors as storage_error) or a client inside a transaction. */
export interface PgQueryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** Most texts whose numbered form is kept; past it the oldest is dropped (texts built per call could pile up). */
const NUMBERED_CACHE_SIZE = 500;
const numberedTexts = new Map<string, string>();

/** `?` placeholders as PostgreSQL's `$1`, `$2`, …; the shared statements hold no `?` but placeholders. */
export function numbered(sql: string): string {
  let text = numberedTexts.get(sql);
  if (text === undefined) {
    let index = 0;
    text = sql.replace(/\?/g, () => `$${++index}`);
    if (numberedTexts.size >= NUMBERED_CACHE_SIZE) {
      const oldest = numberedTexts.keys().next();
      if (oldest.done !== true) numberedTexts.delete(oldest.value);
    }
    numberedTexts.set(sql, text);
  }
  return text;
}

/**
 * Runs the shared SQL on PostgreSQL: placeholders numbered (once per text), one round trip per statement, as the
 * per-dialect code did before. On the pool, failures arrive as storage_error (see Pg); on a transaction's client they
 * arrive as the driver threw them, and Pg.transaction turns them into one.
 */
export class PgRunner implements SqlRunner {
  constructor(private readonly target: PgQueryable) {}

  async all<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.target.query(numbered(sql), [...params])).rows as R[];
  }

  async get<R>(sql: string, params: readonly unknown[] = []): Promise<R | undefined> {
    return (await this.target.query(numbered(sql), [...params])).rows[0] as R | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.target.query(numbered(sql), [...params])).rowCount ?? 0;
  }
}
