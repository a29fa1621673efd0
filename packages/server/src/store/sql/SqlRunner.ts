/**
 * One statement at a time, written with `?` placeholders: what the store code shared by SQLite and PostgreSQL needs
 * of a database. SqliteRunner runs it on a prepared statement cached by its text; PgRunner numbers the placeholders
 * (`$1`, `$2`, …) for the `pg` driver. Transactions are not part of it: each database takes its own kind (an
 * immediate transaction on SQLite, row locks on PostgreSQL), in the per-dialect classes.
 */
export interface SqlRunner {
  /** The rows of a query (or of a write with RETURNING). @throws WorkerError `storage_error` */
  all<R>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** The first row of a query, or undefined. @throws WorkerError `storage_error` */
  get<R>(sql: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** How many rows a write changed. @throws WorkerError `storage_error` */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}
