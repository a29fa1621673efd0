import type Database from 'better-sqlite3';
import { operationFromRow } from '../operationRows';
import type { OperationBatch, OperationFilter, OperationPage } from '../OperationStore';
import { searchWords, type SearchWord } from '../searchWords';
import { pageOf, SqlOperationStore, type SqlCondition } from '../sql/SqlOperationStore';
import { OperationWriterThread } from './OperationWriterThread';
import { withStorageErrors } from './sqliteErrors';
import { PARTS, SqliteOperationWriter, type WriteRequest } from './SqliteOperationWriter';
import { DEFAULT_TUNING, SqliteTextSearch, type TextSearchTuning } from './SqliteTextSearch';

/** Most statements kept prepared: the fixed ones, and filters' texts, which vary with the filters given. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * The operations log on SQLite (see OperationStore): each batch one immediate transaction, run by a writer thread
 * (SqliteOperationWriter on its own connection) so the event loop never waits on it; text search through the FTS5
 * table `operation_search`, the way SqliteTextSearch picks by how common the words are, so that a first page costs
 * milliseconds with a million operations stored (see docs/performance.md).
 */
export class SqliteOperationStore extends SqlOperationStore {
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();

  private readonly search: SqliteTextSearch;
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
    this.search = new SqliteTextSearch((sql) => this.statement(sql), { ...DEFAULT_TUNING, ...options.tuning });
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
    const expression = filter.text === undefined ? '' : expressionOf(searchWords(filter.text));
    if (expression === '') return super.list(filter, page);
    const where = this.conditions(filter, false);
    if (page.before !== undefined) where.push({ sql: 'id < ?', params: [page.before] });
    const found = withStorageErrors(() => this.search.find(where, expression, page.limit + 1));
    if (found !== undefined) return pageOf(found.map(operationFromRow), page.limit);
    return super.list(filter, page); // common words, all of them old: every match, sorted by the database
  }

  /** On the writer thread: a walk of a million index entries is some 100 ms that the event loop should not wait. */
  protected override async lastKept(keep: number): Promise<string | undefined> {
    return (await this.run({ type: 'lastKept', keep })) as string | undefined;
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

  /** A request on the writer thread (a file), or here (an in-memory database, which no other connection can open). */
  private async run(request: WriteRequest): Promise<unknown> {
    if (this.thread) return this.thread.run(request);
    this.writer ??= new SqliteOperationWriter(this.database);
    const writer = this.writer;
    return withStorageErrors(() => writer.run(request));
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
