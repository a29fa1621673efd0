import type Database from 'better-sqlite3';
import { OPERATION_COLUMNS, operationFromRow, type OperationRow } from '../operationRows';
import type { OperationBatch, OperationFilter, OperationPage } from '../OperationStore';
import { searchWords, type SearchWord } from '../searchWords';
import { pageOf, SqlOperationStore, type SqlCondition } from '../SqlOperationStore';
import { OperationWriterThread } from './OperationWriterThread';
import { withStorageErrors } from './sqliteErrors';
import { PARTS, SqliteOperationWriter, type WriteRequest } from './SqliteOperationWriter';

/** How a text search picks its way (see SqliteOperationStore); tests make them small. */
export interface TextSearchTuning {
  /** A search whose words match at most this many operations collects them all and sorts them. Default: 2000 */
  readonly probe: number;
  /** Otherwise it walks the newest operations this many at a time, asking the index about each chunk. Default: 1000 */
  readonly chunk: number;
  /** After this many chunks without a full page it falls back to collecting every match. Default: 50 */
  readonly maxChunks: number;
}

const DEFAULT_TUNING: TextSearchTuning = { probe: 2_000, chunk: 1_000, maxChunks: 50 };

/** Most statements kept prepared: the fixed ones, and filters' texts, which vary with the filters given. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * The operations log on SQLite (see OperationStore): each batch one immediate transaction, run by a writer thread
 * (SqliteOperationWriter on its own connection) so the event loop never waits on it; text search through the FTS5
 * table `operation_search`.
 *
 * Which way a text search goes depends on how common its words are, found out with one bounded probe of the index:
 * rare words (few operations) are collected whole and sorted, which costs their count; common words are met walking
 * the newest operations, checking a chunk at a time against the index, which costs the depth of the page. Either
 * way the first page costs milliseconds with a million operations stored (see docs/performance.md).
 */
export class SqliteOperationStore extends SqlOperationStore {
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();

  private readonly tuning: TextSearchTuning;
  /** Where writes run: a thread of their own for a file; none for an in-memory database (they run here). */
  private readonly thread: OperationWriterThread | undefined;
  private writer: SqliteOperationWriter | undefined;

  /**
   * @param file the database file, for the writer thread's own connection (see OperationWriterThread); without it
   *   writes run on `database`, in this thread
   */
  constructor(
    private readonly database: Database.Database,
    options: { file?: string | undefined; busyTimeoutMs?: number; tuning?: Partial<TextSearchTuning> } = {},
  ) {
    super({
      all: async <R>(sql: string, params: readonly unknown[]) =>
        withStorageErrors(() => this.statement(sql).all(...params) as R[]),
      run: async (sql: string, params: readonly unknown[]) => withStorageErrors(() => this.statement(sql).run(...params).changes),
    });
    this.tuning = { ...DEFAULT_TUNING, ...options.tuning };
    const { file, busyTimeoutMs = 5_000 } = options;
    this.thread = file === undefined ? undefined : new OperationWriterThread({ path: file, busyTimeoutMs });
  }

  async write(batch: OperationBatch): Promise<void> {
    await this.run({ type: 'write', batch });
  }

  /** Stops the writer thread, once the writes in flight are done. */
  async close(): Promise<void> {
    await this.thread?.close();
  }

  override async list(filter: OperationFilter, page: { limit: number; before?: string | undefined }): Promise<OperationPage> {
    const words = filter.text === undefined ? '' : matchExpression(filter.text);
    if (words === '') return super.list(filter, page);
    const where = this.conditions(filter, false);
    if (page.before !== undefined) where.push({ sql: 'id < ?', params: [page.before] });
    const rare = await this.db.all<{ seq: number }>(
      `SELECT DISTINCT rowid / ${PARTS} AS seq FROM operation_search WHERE operation_search MATCH ? LIMIT ?`,
      [words, this.tuning.probe + 1],
    );
    if (rare.length <= this.tuning.probe) {
      const seqs = { sql: 'seq IN (SELECT value FROM json_each(?))', params: [JSON.stringify(rare.map((row) => row.seq))] };
      const rows = await this.unordered([...where, seqs]);
      rows.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return pageOf(rows.slice(0, page.limit + 1).map(operationFromRow), page.limit);
    }
    const walked = await this.walk(where, words, page.limit + 1);
    if (walked !== undefined) return pageOf(walked.map(operationFromRow), page.limit);
    return super.list(filter, page); // common words, all of them old: every match, sorted
  }

  protected textCondition(words: readonly SearchWord[]): SqlCondition {
    return {
      sql: `seq IN (SELECT rowid / ${PARTS} FROM operation_search WHERE operation_search MATCH ?)`,
      params: [expressionOf(words)],
    };
  }

  protected async deleteOperations(ids: readonly string[]): Promise<void> {
    await this.run({ type: 'delete', ids });
  }

  /** A write on the writer thread (a file), or here (an in-memory database, which no other connection can open). */
  private async run(request: WriteRequest): Promise<void> {
    if (this.thread) return this.thread.run(request);
    this.writer ??= new SqliteOperationWriter(this.database);
    const writer = this.writer;
    withStorageErrors(() => writer.run(request));
  }

  /**
   * Walks the operations under `where` newest first, a chunk at a time, keeping those the index matches in the chunk's
   * range of seqs (a range, so one index lookup per chunk; exact, since every operation of the chunk lies in it).
   * Undefined when `maxChunks` chunks were not enough for `wanted` operations.
   */
  private async walk(where: readonly SqlCondition[], words: string, wanted: number): Promise<OperationRow[] | undefined> {
    const found: string[] = [];
    let before: string | undefined;
    for (let chunk = 0; chunk < this.tuning.maxChunks; chunk++) {
      const conditions = before === undefined ? where : [...where, { sql: 'id < ?', params: [before] }];
      const rows = await this.ids(conditions, this.tuning.chunk);
      let low = Infinity;
      let high = -Infinity;
      for (const row of rows) {
        low = Math.min(low, row.seq);
        high = Math.max(high, row.seq);
      }
      const matched =
        rows.length === 0
          ? []
          : await this.db.all<{ seq: number }>(
              `SELECT DISTINCT rowid / ${PARTS} AS seq FROM operation_search
               WHERE operation_search MATCH ? AND rowid >= ? AND rowid < ?`,
              [words, low * PARTS, (high + 1) * PARTS],
            );
      const hits = new Set(matched.map((row) => row.seq));
      for (const row of rows) {
        if (found.length < wanted && hits.has(row.seq)) found.push(row.id);
      }
      // A full page, or the last chunk: every operation under `where` was looked at.
      if (found.length === wanted || rows.length < this.tuning.chunk) return this.byIds(found);
      before = rows.at(-1)?.id;
    }
    return undefined;
  }

  /** Seq and id of up to `limit` operations under `where`, newest first. */
  private ids(where: readonly SqlCondition[], limit: number): Promise<{ seq: number; id: string }[]> {
    const clause = where.length === 0 ? '' : `WHERE ${where.map((condition) => condition.sql).join(' AND ')}`;
    return this.db.all(`SELECT seq, id FROM operations ${clause} ORDER BY id DESC LIMIT ?`, [
      ...where.flatMap((condition) => condition.params),
      limit,
    ]);
  }

  /** The operations of `ids`, in that order. */
  private async byIds(ids: readonly string[]): Promise<OperationRow[]> {
    if (ids.length === 0) return [];
    const rows = await this.unordered([{ sql: 'id IN (SELECT value FROM json_each(?))', params: [JSON.stringify(ids)] }]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  private unordered(where: readonly SqlCondition[]): Promise<OperationRow[]> {
    return this.db.all<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ${where.map((condition) => condition.sql).join(' AND ')}`,
      where.flatMap((condition) => condition.params),
    );
  }

  /** The prepared statement of `sql`, kept for reuse (a prepare costs some 15 µs; a lookup, nothing). */
  private statement(sql: string): Database.Statement<unknown[], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare<unknown[], unknown>(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (oldest.done !== true) this.statements.delete(oldest.value);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** An FTS5 expression requiring every word: each quoted (they hold only letters and digits), prefixes starred. */
function expressionOf(words: readonly SearchWord[]): string {
  return words.map(({ word, prefix }) => `"${word}"${prefix ? '*' : ''}`).join(' ');
}

function matchExpression(text: string): string {
  return expressionOf(searchWords(text));
}
