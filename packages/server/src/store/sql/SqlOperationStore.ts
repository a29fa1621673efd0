import { operationIdFloor } from '../operationIds';
import { messageFromRow, OPERATION_COLUMNS, operationFromRow, type MessageRow, type OperationRow } from '../operationRows';
import type {
  MessagePage,
  OperationBatch,
  OperationFilter,
  OperationPage,
  OperationStore,
  RetentionLimits,
  SlotCount,
  StoredOperation,
  TimeSlots,
} from '../OperationStore';
import type { SqlRunner } from './SqlRunner';
import { newestFirst, type SqlCondition } from '../newestFirst';
import { searchWords, type SearchWord } from '../searchWords';

/** The name of the lease pruning runs under. */
const PRUNING_LEASE = 'operations.prune';

export type { SqlCondition } from '../newestFirst';

/**
 * The operations log in the SQL both databases run: listings, reads, the pruning lease and cutoff. What differs is
 * left to each database's class: batch writes and deletes (a transaction of its own kind), and the full-text
 * condition (FTS5 on SQLite, tsvector on PostgreSQL).
 */
export abstract class SqlOperationStore implements OperationStore {
  constructor(protected readonly db: Pick<SqlRunner, 'all' | 'run'>) {}

  abstract write(batch: OperationBatch): Promise<void>;

  /** The condition "the operation's index entries hold every one of `words`". */
  protected abstract textCondition(words: readonly SearchWord[]): SqlCondition;

  /** Deletes these operations with their messages and index entries, in one transaction. */
  protected abstract deleteOperations(ids: readonly string[]): Promise<void>;

  async list(filter: OperationFilter, page: { limit: number; before?: string | undefined }): Promise<OperationPage> {
    const where = this.conditions(filter);
    if (page.before !== undefined) where.push({ sql: 'id < ?', params: [page.before] });
    const query = newestFirst(OPERATION_COLUMNS, where, page.limit + 1);
    const rows = await this.db.all<OperationRow>(query.sql, query.params);
    return pageOf(rows.map(operationFromRow), page.limit);
  }

  async listAfter(filter: OperationFilter, after: string, limit: number): Promise<StoredOperation[]> {
    // The tail's window is a few seconds of operations: one query, sorted by the database.
    const where = [...this.conditions(filter), { sql: 'id > ?', params: [after] }];
    const rows = await this.db.all<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ${where.map((condition) => condition.sql).join(' AND ')}
       ORDER BY id LIMIT ?`,
      [...where.flatMap((condition) => condition.params), limit],
    );
    return rows.map(operationFromRow);
  }

  async countBySlot(filter: OperationFilter, slots: TimeSlots): Promise<SlotCount[]> {
    // The filter's id range bounds the rows read (an index range); integer division by the slot size groups them. Both
    // databases divide integers to an integer (the casts: SQLite binds a JS number as a float), and the start is at or
    // before every row's, so no row rounds the wrong way.
    const where = this.conditions(filter);
    const rows = await this.db.all<{ slot: number | string; status: string; n: number | string }>(
      `SELECT (started_at - CAST(? AS BIGINT)) / CAST(? AS BIGINT) AS slot, status, COUNT(*) AS n FROM operations
       ${where.length > 0 ? `WHERE ${where.map((condition) => condition.sql).join(' AND ')}` : ''}
       GROUP BY 1, 2`,
      [slots.start, slots.size, ...where.flatMap((condition) => condition.params)],
    );
    // PostgreSQL hands BIGINT back as text.
    return rows.map((row) => ({ slot: Number(row.slot), status: row.status, count: Number(row.n) }));
  }

  async get(id: string): Promise<StoredOperation | undefined> {
    const rows = await this.db.all<OperationRow>(`SELECT ${OPERATION_COLUMNS} FROM operations WHERE id = ?`, [id]);
    return rows[0] && operationFromRow(rows[0]);
  }

  async getMany(ids: readonly string[]): Promise<StoredOperation[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE id IN (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    return rows.map(operationFromRow);
  }

  async messages(id: string, page: { limit: number; after?: string | undefined }): Promise<MessagePage> {
    const after = page.after === undefined ? 0 : Number(page.after);
    const rows = await this.db.all<MessageRow>(
      `SELECT seq, operation_id, at, level, text, fields FROM operation_messages
       WHERE operation_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
      [id, Number.isSafeInteger(after) ? after : 0, page.limit + 1],
    );
    const messages = rows.slice(0, page.limit).map(messageFromRow);
    return { messages, next: rows.length > page.limit ? (messages.at(-1)?.cursor ?? null) : null };
  }

  async claimPruning(owner: string, leaseUntil: number, now = Date.now()): Promise<boolean> {
    const changed = await this.db.run(
      `INSERT INTO leases (name, owner, lease_until) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
       WHERE leases.owner = excluded.owner OR leases.lease_until <= ?`,
      [PRUNING_LEASE, owner, leaseUntil, now],
    );
    return changed > 0;
  }

  async pruneCutoff(limits: RetentionLimits): Promise<string | undefined> {
    const byAge = limits.before === undefined ? undefined : operationIdFloor(limits.before);
    const byCount = limits.keep === undefined ? undefined : await this.lastKept(limits.keep);
    if (byCount === undefined) return byAge;
    return byAge === undefined || byCount > byAge ? byCount : byAge;
  }

  /**
   * The id of the oldest of the newest `keep` operations; undefined when there are no more than `keep`. Here one walk
   * of the primary key, which PostgreSQL does on its side, once per pruning round.
   */
  protected async lastKept(keep: number): Promise<string | undefined> {
    const kept = await this.db.all<{ id: string }>('SELECT id FROM operations ORDER BY id DESC LIMIT 1 OFFSET ?', [keep - 1]);
    return kept[0]?.id;
  }

  async prune(cutoff: string, limit: number): Promise<number> {
    const rows = await this.db.all<{ id: string }>('SELECT id FROM operations WHERE id < ? ORDER BY id LIMIT ?', [cutoff, limit]);
    if (rows.length > 0) await this.deleteOperations(rows.map((row) => row.id));
    return rows.length;
  }

  /** The conditions of a filter, text included; each a column the indexes lead with, or a range of ids. */
  protected conditions(filter: OperationFilter, withText = true): SqlCondition[] {
    const where: SqlCondition[] = [];
    if (filter.from !== undefined) where.push({ sql: 'id >= ?', params: [operationIdFloor(filter.from)] });
    if (filter.to !== undefined) where.push({ sql: 'id < ?', params: [operationIdFloor(filter.to + 1)] });
    const any = (column: string, values: readonly string[] | undefined) => {
      if (values === undefined) return;
      const each = values.map((value) => ({ sql: `${column} = ?`, params: [value] }));
      if (each.length === 1) where.push(each[0] as SqlCondition);
      else where.push({ sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: values, alternatives: each });
    };
    any('kind', filter.kinds);
    any('status', filter.statuses);
    // The status index holds all but successes (see the migration): said so, the database may use it.
    if (filter.statuses !== undefined && !filter.statuses.includes('success')) {
      where.push({ sql: "status <> 'success'", params: [] });
    }
    const equal = (column: string, value: string | undefined) => {
      if (value !== undefined) where.push({ sql: `${column} = ?`, params: [value] });
    };
    equal('integration', filter.integration);
    equal('connection_id', filter.connectionId);
    equal('end_user_id', filter.endUserId);
    equal('error_code', filter.errorCode);
    const words = filter.text === undefined ? [] : searchWords(filter.text);
    if (withText && words.length > 0) where.push(this.textCondition(words));
    return where;
  }
}

/** A page from `limit + 1` operations: the extra one only says there is a next page. */
export function pageOf(operations: StoredOperation[], limit: number): OperationPage {
  const page = operations.slice(0, limit);
  return { operations: page, next: operations.length > limit ? (page.at(-1)?.id ?? null) : null };
}
