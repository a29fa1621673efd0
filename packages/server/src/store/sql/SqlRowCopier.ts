import { COPIED_COLUMNS, copySql } from '../copiedTables';
import type { CopiedTable, RowCopier, StoredRow } from '../Store';
import type { SqlRunner } from './SqlRunner';

/**
 * Rows as stored, for copy-store (see RowCopier; the statements are copySql's), read in SQL both databases run.
 * Writing a batch in one transaction is each database's own (SqliteRowCopier, PgRowCopier).
 */
export abstract class SqlRowCopier implements RowCopier {
  constructor(protected readonly db: SqlRunner) {}

  abstract write(table: CopiedTable, rows: readonly StoredRow[]): Promise<number>;

  async count(table: CopiedTable): Promise<number> {
    return Number((await this.db.get<{ n: number }>(copySql(table).count))?.n ?? 0);
  }

  async read(table: CopiedTable, after: StoredRow | undefined, limit: number): Promise<StoredRow[]> {
    const sql = copySql(table);
    return after === undefined
      ? this.db.all<StoredRow>(sql.first, [limit])
      : this.db.all<StoredRow>(sql.after, [...COPIED_COLUMNS[table].key.map((column) => after[column]), limit]);
  }
}

/** The values of a row's insert, in the table's column order. */
export function insertValues(table: CopiedTable, row: StoredRow): unknown[] {
  return COPIED_COLUMNS[table].columns.map((column) => row[column] ?? null);
}
