import { UNIQUE_VIOLATION } from '../postgres/pgErrors';

/**
 * The few pieces of SQL text where SQLite and PostgreSQL differ inside statements that are otherwise the same; the
 * shared statements of each table (store/sql/Sql*Store.ts) splice them in once, when the store is made.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** An expression giving a fresh random id per row. */
  readonly randomId: string;
  /** The larger of two values: SQLite's two-argument MAX, PostgreSQL's GREATEST. */
  readonly greatest: 'MAX' | 'GREATEST';
  /** ASCII-case-insensitive LIKE: SQLite's LIKE is, PostgreSQL's ILIKE is. */
  readonly likeAnyCase: 'LIKE' | 'ILIKE';
  /** After `ORDER BY` a text column: byte order, SQLite's default (PostgreSQL's default follows the locale). */
  readonly byteOrder: string;
  /**
   * Ends the SELECT of a read-then-write transaction: PostgreSQL locks the rows read; on SQLite the immediate
   * transaction already holds the database's one write lock.
   */
  readonly forUpdate: string;
  /** Ends a SELECT that picks rows to claim: PostgreSQL locks them and skips those another claimer holds. */
  readonly skipLocked: string;
  /** Whether an error the runner threw is a unique (or primary key) violation. */
  isUniqueViolation(error: unknown): boolean;
}

/** The driver's own error, which the runners keep as the `cause` of their storage_error. */
function causeCode(error: unknown): unknown {
  return (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
}

/** SQLite (better-sqlite3). */
export const SQLITE: SqlDialect = {
  name: 'sqlite',
  randomId: 'lower(hex(randomblob(16)))',
  greatest: 'MAX',
  likeAnyCase: 'LIKE',
  byteOrder: '',
  forUpdate: '',
  skipLocked: '',
  isUniqueViolation: (error) => {
    const code = causeCode(error);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
};

/** PostgreSQL (pg). */
export const POSTGRES: SqlDialect = {
  name: 'postgres',
  randomId: 'gen_random_uuid()::text',
  greatest: 'GREATEST',
  likeAnyCase: 'ILIKE',
  byteOrder: ' COLLATE "C"',
  forUpdate: ' FOR UPDATE',
  skipLocked: ' FOR UPDATE SKIP LOCKED',
  isUniqueViolation: (error) => causeCode(error) === UNIQUE_VIOLATION,
};
