import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { KeyRecords } from '../Store';
import type { SqlDialect } from './dialect';
import type { SqlRunner } from './SqlRunner';

/**
 * Connections to re-encrypt. With plaintextOnly (at every start) only rows from before encryption: the key test is
 * then always true, and the parameter is kept so both forms take the same one.
 */
function toReencrypt(plaintextOnly: boolean): string {
  return plaintextOnly ? '(key_id IS NULL AND CAST(? AS TEXT) IS NOT NULL)' : '(key_id IS NULL OR key_id <> ?)';
}

/** The key fingerprint the database records; also read on a read-only handle at start (see recordedKeyId). */
export const RECORDED_KEY_ID = "SELECT value FROM meta WHERE key = 'key_id'";

/** The statements of the key records (the meta table, and the key ids of connections), by name: `?` placeholders. */
export function keySql(d: SqlDialect) {
  return {
    recordedKeyId: RECORDED_KEY_ID,
    recordKeyId: "INSERT INTO meta (key, value) VALUES ('key_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    keyIdsInUse: 'SELECT DISTINCT key_id FROM connections WHERE key_id IS NOT NULL',
    countToReencrypt: (plaintextOnly: boolean) =>
      `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM connections WHERE ${toReencrypt(plaintextOnly)}`,
    // PostgreSQL skips the rows a worker is writing right now: they are left for the next batch instead of waited for.
    pickToReencrypt: (plaintextOnly: boolean) =>
      `SELECT uuid, credentials, key_id FROM connections WHERE ${toReencrypt(plaintextOnly)} LIMIT ?${d.skipLocked}`,
    reseal: 'UPDATE connections SET credentials = ?, key_id = ? WHERE uuid = ?',
  };
}

/** A Connection picked for re-encryption. */
export interface ResealRow {
  uuid: string;
  credentials: string;
  key_id: string | null;
}

/**
 * The key fingerprint of the database and the key ids of its Connections (see KeyRecords), in SQL both databases run.
 * A batch of re-encryption (a transaction) and the scrub of what it left behind are each database's own.
 */
export abstract class SqlKeyRecords implements KeyRecords {
  protected readonly sql: ReturnType<typeof keySql>;

  constructor(
    protected readonly db: SqlRunner,
    dialect: SqlDialect,
  ) {
    this.sql = keySql(dialect);
  }

  abstract reencryptBatch(cipher: CredentialCipher, plaintextOnly: boolean, limit: number): Promise<number>;
  abstract scrub(): Promise<void>;

  async recordedKeyId(): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>(this.sql.recordedKeyId))?.value;
  }

  async recordKeyId(keyId: string): Promise<void> {
    await this.db.run(this.sql.recordKeyId, [keyId]);
  }

  async keyIdsInUse(): Promise<string[]> {
    return (await this.db.all<{ key_id: string }>(this.sql.keyIdsInUse)).map((row) => row.key_id);
  }

  async countToReencrypt(cipher: CredentialCipher, plaintextOnly: boolean): Promise<number> {
    const row = await this.db.get<{ n: number }>(this.sql.countToReencrypt(plaintextOnly), [cipher.currentKeyId]);
    return Number(row?.n ?? 0);
  }
}

/** A row's credentials sealed with the current key: opened first unless they are still in clear. */
export function resealed(cipher: CredentialCipher, row: ResealRow): { text: string; keyId: string } {
  const plain = row.key_id === null ? row.credentials : cipher.open(row.credentials, row.uuid);
  return cipher.seal(plain, row.uuid);
}
