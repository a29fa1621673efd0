import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import type { KeyRecords } from '../Store';
import { withStorageErrors } from './sqliteErrors';

/** Key fingerprint and re-encryption in SQLite (see KeyRecords). */
export class SqliteKeyRecords implements KeyRecords {
  constructor(private readonly db: Database.Database) {}

  async recordedKeyId(): Promise<string | undefined> {
    return withStorageErrors(() => recordedKeyId(this.db));
  }

  async recordKeyId(keyId: string): Promise<void> {
    withStorageErrors(() =>
      this.db
        .prepare("INSERT INTO meta (key, value) VALUES ('key_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .run(keyId),
    );
  }

  async keyIdsInUse(): Promise<string[]> {
    return withStorageErrors(
      () => this.db.prepare('SELECT DISTINCT key_id FROM connections WHERE key_id IS NOT NULL').pluck().all() as string[],
    );
  }

  async countToReencrypt(cipher: CredentialCipher, plaintextOnly: boolean): Promise<number> {
    return withStorageErrors(
      () =>
        this.db
          .prepare(`SELECT count(*) FROM connections WHERE ${which(plaintextOnly)}`)
          .pluck()
          .get(cipher.currentKeyId) as number,
    );
  }

  async reencryptBatch(cipher: CredentialCipher, plaintextOnly: boolean, limit: number): Promise<number> {
    const pick = this.db.prepare<[string], { uuid: string; credentials: string; key_id: string | null }>(
      `SELECT uuid, credentials, key_id FROM connections WHERE ${which(plaintextOnly)} LIMIT ${Number(limit)}`,
    );
    const write = this.db.prepare('UPDATE connections SET credentials = ?, key_id = ? WHERE uuid = ?');
    return withStorageErrors(() =>
      this.db
        .transaction(() => {
          const rows = pick.all(cipher.currentKeyId);
          for (const row of rows) {
            const plain = row.key_id === null ? row.credentials : cipher.open(row.credentials, row.uuid);
            const sealed = cipher.seal(plain, row.uuid);
            write.run(sealed.text, sealed.keyId, row.uuid);
          }
          return rows.length;
        })
        .immediate(),
    );
  }

  /**
   * With secure_delete on, freed pages are zeroed, but old page images can still sit in the WAL file until a
   * checkpoint, and VACUUM rewrites the file without them.
   */
  async scrub(): Promise<void> {
    withStorageErrors(() => {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.exec('VACUUM');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    });
  }
}

/** The key fingerprint a database records, read on any handle (the worker's, or a read-only peek). */
export function recordedKeyId(db: Database.Database): string | undefined {
  return db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'key_id'").get()?.value;
}

/** Rows to re-encrypt; with plaintextOnly (at every start) only rows from before encryption, the key test then false. */
function which(plaintextOnly: boolean): string {
  return plaintextOnly ? 'key_id IS NULL AND ? IS NOT NULL' : 'key_id IS NULL OR key_id != ?';
}
