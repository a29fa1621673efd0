import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { POSTGRES } from '../sql/dialect';
import { resealed, SqlKeyRecords, type ResealRow } from '../sql/SqlKeyRecords';
import type { Pg } from './Pg';
import { PgRunner } from './PgRunner';

/** Key fingerprint and re-encryption in PostgreSQL (see SqlKeyRecords). */
export class PgKeyRecords extends SqlKeyRecords {
  constructor(private readonly pg: Pg) {
    super(new PgRunner(pg), POSTGRES);
  }

  async reencryptBatch(cipher: CredentialCipher, plaintextOnly: boolean, limit: number): Promise<number> {
    return this.pg.transaction(async (client) => {
      const tx = new PgRunner(client);
      const rows = await tx.all<ResealRow>(this.sql.pickToReencrypt(plaintextOnly), [cipher.currentKeyId, limit]);
      for (const row of rows) {
        const sealed = resealed(cipher, row);
        await tx.run(this.sql.reseal, [sealed.text, sealed.keyId, row.uuid]);
      }
      return rows.length;
    });
  }

  /**
   * PostgreSQL has no secure_delete: an updated row's old version stays in the table file as a dead tuple until
   * VACUUM, and in WAL segments and backups until they are recycled. VACUUM FULL rewrites the table without them
   * (it takes an exclusive lock on the table for the time it runs; docs/operations.md, Credentials at rest).
   */
  async scrub(): Promise<void> {
    await this.pg.query('VACUUM FULL connections');
  }
}
