import { COPIED_COLUMNS, copySql } from '../copiedTables';
import type { CopiedTable, RowCopier, StoredRow } from '../Store';
import type { Pg } from './Pg';

const param = (index: number) => `$${index + 1}`;

/** Rows as stored in PostgreSQL, for copy-store. */
export class PgRowCopier implements RowCopier {
  constructor(private readonly pg: Pg) {}

  async count(table: CopiedTable): Promise<number> {
    const { rows } = await this.pg.query<{ n: number }>(copySql(table, param).count);
    return Number(rows[0]?.n ?? 0);
  }

  async read(table: CopiedTable, after: StoredRow | undefined, limit: number): Promise<StoredRow[]> {
    const sql = copySql(table, param);
    const { rows } =
      after === undefined
        ? await this.pg.query<StoredRow>(sql.first(limit))
        : await this.pg.query<StoredRow>(
            sql.after(limit),
            COPIED_COLUMNS[table].key.map((column) => after[column]),
          );
    return rows;
  }

  async write(table: CopiedTable, rows: readonly StoredRow[]): Promise<number> {
    const { insert } = copySql(table, param);
    const { columns } = COPIED_COLUMNS[table];
    return this.pg.transaction(async (client) => {
      let written = 0;
      for (const row of rows)
        written +=
          (
            await client.query(
              insert,
              columns.map((c) => row[c] ?? null),
            )
          ).rowCount ?? 0;
      return written;
    });
  }
}
