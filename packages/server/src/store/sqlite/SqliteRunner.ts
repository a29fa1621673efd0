import type Database from 'better-sqlite3';
import type { SqlRunner } from '../sql/SqlRunner';
import { withStorageErrors } from './sqliteErrors';

/**
 * Most statements one database handle keeps prepared. The fixed statements of the store are about a hundred; the rest
 * are texts built per call (filters, lists of ids), of which a handle could otherwise collect without end.
 */
export const STATEMENT_CACHE_SIZE = 500;

/** One runner, and so one statement cache, per database handle: every part of a SqliteStore shares it. */
const runners = new WeakMap<Database.Database, SqliteRunner>();

/**
 * Runs SQL on one better-sqlite3 handle, each text prepared once and reused (a lookup in a Map is some 0.1 µs; a
 * prepare is 15–20 µs). The async methods share the SqlRunner interface with PostgreSQL; the synchronous ones are for
 * the per-dialect code inside a `transaction`, where nothing else may run between two statements.
 */
export class SqliteRunner implements SqlRunner {
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();

  private constructor(readonly db: Database.Database) {}

  /** The runner of `db`, made on first use. */
  static of(db: Database.Database): SqliteRunner {
    let runner = runners.get(db);
    if (runner === undefined) {
      runner = new SqliteRunner(db);
      runners.set(db, runner);
    }
    return runner;
  }

  /** How many statements the cache holds (for tests). */
  get cached(): number {
    return this.statements.size;
  }

  async all<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    return withStorageErrors(() => this.allNow<R>(sql, params));
  }

  async get<R>(sql: string, params: readonly unknown[] = []): Promise<R | undefined> {
    return withStorageErrors(() => this.getNow<R>(sql, params));
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return withStorageErrors(() => this.runNow(sql, params));
  }

  /** `all`, synchronously, errors as SQLite threw them (for use inside `transaction`). */
  allNow<R>(sql: string, params: readonly unknown[] = []): R[] {
    return this.statement(sql).all(...params) as R[];
  }

  /** `get`, synchronously, errors as SQLite threw them (for use inside `transaction`). */
  getNow<R>(sql: string, params: readonly unknown[] = []): R | undefined {
    return this.statement(sql).get(...params) as R | undefined;
  }

  /** `run`, synchronously, errors as SQLite threw them (for use inside `transaction`). */
  runNow(sql: string, params: readonly unknown[] = []): number {
    return this.statement(sql).run(...params).changes;
  }

  /**
   * Runs `work` in one immediate transaction (the write lock taken at BEGIN, so a read-then-write waits for another
   * process's writer instead of failing busy): committed if it returns, rolled back if it throws.
   * @throws WorkerError `storage_error`, or what `work` threw
   */
  transaction<T>(work: () => T): T {
    return withStorageErrors(() => this.db.transaction(work).immediate());
  }

  /** The prepared statement of `sql`, prepared now if it is not cached; the oldest is dropped when the cache is full. */
  private statement(sql: string): Database.Statement<unknown[], unknown> {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) {
        const oldest = this.statements.keys().next();
        if (oldest.done !== true) this.statements.delete(oldest.value);
      }
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
