import type Database from 'better-sqlite3';
import { COPIED_COLUMNS, copySql } from '../copiedTables';
import type { CopiedTable, RowCopier, StoredRow } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/** Rows as stored in SQLite, for copy-store. */
export class SqliteRowCopier implements RowCopier {
  constructor(private readonly db: Database.Database) {}

  async count(table: CopiedTable): Promise<number> {
    return withStorageErrors(() => (this.db.prepare(copySql(table, () => '?').count).get() as { n: number }).n);
  }

  async read(table: CopiedTable, after: StoredRow | undefined, limit: number): Promise<StoredRow[]> {
    const sql = copySql(table, () => '?');
    return withStorageErrors(() =>
      after === undefined
        ? (this.db.prepare(sql.first(limit)).all() as StoredRow[])
        : (this.db.prepare(sql.after(limit)).all(...COPIED_COLUMNS[table].key.map((column) => after[column])) as StoredRow[]),
    );
  }

  async write(table: CopiedTable, rows: readonly StoredRow[]): Promise<number> {
    const insert = this.db.prepare(copySql(table, () => '?').insert);
    const { columns } = COPIED_COLUMNS[table];
    return withStorageErrors(() =>
      this.db
        .transaction(() => rows.reduce((written, row) => written + insert.run(...columns.map((c) => row[c] ?? null)).changes, 0))
        .immediate(),
    );
  }
}
