import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { KeyRecords } from '../Store';
import type { Pg } from './Pg';

/** Key fingerprint and re-encryption in PostgreSQL (see KeyRecords). */
export class PgKeyRecords implements KeyRecords {
  constructor(private readonly pg: Pg) {}

  async recordedKeyId(): Promise<string | undefined> {
    const { rows } = await this.pg.query<{ value: string }>("SELECT value FROM meta WHERE key = 'key_id'");
    return rows[0]?.value;
  }

  async recordKeyId(keyId: string): Promise<void> {
    await this.pg.query(
      "INSERT INTO meta (key, value) VALUES ('key_id', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [keyId],
    );
  }

  async keyIdsInUse(): Promise<string[]> {
    const { rows } = await this.pg.query<{ key_id: string }>('SELECT DISTINCT key_id FROM connections WHERE key_id IS NOT NULL');
    return rows.map((row) => row.key_id);
  }

  async countToReencrypt(cipher: CredentialCipher, plaintextOnly: boolean): Promise<number> {
    const { rows } = await this.pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM connections WHERE ${which(plaintextOnly)}`,
      [cipher.currentKeyId],
    );
    return rows[0]?.n ?? 0;
  }

  async reencryptBatch(cipher: CredentialCipher, plaintextOnly: boolean, limit: number): Promise<number> {
    return this.pg.transaction(async (client) => {
      // SKIP LOCKED: rows a worker is writing right now are left for the next batch instead of waited for.
      const { rows } = await client.query<{ uuid: string; credentials: string; key_id: string | null }>(
        `SELECT uuid, credentials, key_id FROM connections WHERE ${which(plaintextOnly)}
         LIMIT ${Number(limit)} FOR UPDATE SKIP LOCKED`,
        [cipher.currentKeyId],
      );
      for (const row of rows) {
        const plain = row.key_id === null ? row.credentials : cipher.open(row.credentials, row.uuid);
        const sealed = cipher.seal(plain, row.uuid);
        await client.query('UPDATE connections SET credentials = $1, key_id = $2 WHERE uuid = $3', [
          sealed.text,
          sealed.keyId,
          row.uuid,
        ]);
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

/** Rows to re-encrypt; with plaintextOnly only rows from before encryption (never on PostgreSQL, kept for symmetry). */
function which(plaintextOnly: boolean): string {
  return plaintextOnly ? 'key_id IS NULL AND $1::text IS NOT NULL' : '(key_id IS NULL OR key_id <> $1)';
}
