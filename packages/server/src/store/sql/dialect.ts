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
  /**
   * The text of one top-level key of a JSON text column, as an expression with one `?` for the key: give the key
   * through `jsonKeyParam`. Numbers come out as their digits, so a payload's `123` matches a stored `123` or `"123"`.
   */
  jsonText(column: string): string;
  /** The parameter jsonText's `?` takes for `key` (SQLite wants a JSON path, PostgreSQL the key itself). */
  jsonKeyParam(key: string): string;
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
  jsonText: (column) => `CAST(json_extract(${column}, ?) AS TEXT)`,
  // A quoted label takes any key but one with a double quote, which the caller refuses (see jsonKeyUsable).
  jsonKeyParam: (key) => `$."${key}"`,
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
  jsonText: (column) => `(${column}::jsonb ->> ?::text)`,
  jsonKeyParam: (key) => key,
  isUniqueViolation: (error) => causeCode(error) === UNIQUE_VIOLATION,
};

/** Whether a key can be looked up by jsonText on both databases: SQLite's quoted JSON path label takes no `"` or `\\`. */
export function jsonKeyUsable(key: string): boolean {
  return key.length > 0 && key.length <= 256 && !/["\\]/.test(key);
}
