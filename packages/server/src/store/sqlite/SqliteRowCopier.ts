import type Database from 'better-sqlite3';
import { copySql } from '../copiedTables';
import { insertValues, SqlRowCopier } from '../sql/SqlRowCopier';
import type { CopiedTable, StoredRow } from '../Store';
import { SqliteRunner } from './SqliteRunner';

/** Rows as stored in SQLite, for copy-store (see SqlRowCopier): a batch is written in one immediate transaction. */
export class SqliteRowCopier extends SqlRowCopier {
  private readonly sqlite: SqliteRunner;

  constructor(db: Database.Database) {
    const runner = SqliteRunner.of(db);
    super(runner);
    this.sqlite = runner;
  }

  async write(table: CopiedTable, rows: readonly StoredRow[]): Promise<number> {
    const { insert } = copySql(table);
    return this.sqlite.transaction(() =>
      rows.reduce((written, row) => written + this.sqlite.runNow(insert, insertValues(table, row)), 0),
    );
  }
}
