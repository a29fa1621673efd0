import { copySql } from '../copiedTables';
import { insertValues, SqlRowCopier } from '../sql/SqlRowCopier';
import type { CopiedTable, StoredRow } from '../Store';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';

/** Rows as stored in PostgreSQL, for copy-store (see SqlRowCopier): a batch is written in one transaction. */
export class PgRowCopier extends SqlRowCopier {
  constructor(private readonly pg: Pg) {
    super(new PgRunner(pg));
  }

  async write(table: CopiedTable, rows: readonly StoredRow[]): Promise<number> {
    const { insert } = copySql(table);
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      let written = 0;
      for (const row of rows) written += await tx.run(insert, insertValues(table, row));
      return written;
    });
  }
}
