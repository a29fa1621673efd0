import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../../encryption/CredentialCipher';
import { SQLITE } from '../sql/dialect';
import { RECORDED_KEY_ID, resealed, SqlKeyRecords, type ResealRow } from '../sql/SqlKeyRecords';
import { withStorageErrors } from './sqliteErrors';
import { SqliteRunner } from './SqliteRunner';

/** Key fingerprint and re-encryption in SQLite (see SqlKeyRecords). */
export class SqliteKeyRecords extends SqlKeyRecords {
  private readonly sqlite: SqliteRunner;

  constructor(private readonly database: Database.Database) {
    const runner = SqliteRunner.of(database);
    super(runner, SQLITE);
    this.sqlite = runner;
  }

  async reencryptBatch(cipher: CredentialCipher, plaintextOnly: boolean, limit: number): Promise<number> {
    return this.sqlite.transaction(() => {
      const rows = this.sqlite.allNow<ResealRow>(this.sql.pickToReencrypt(plaintextOnly), [cipher.currentKeyId, limit]);
      for (const row of rows) {
        const sealed = resealed(cipher, row);
        this.sqlite.runNow(this.sql.reseal, [sealed.text, sealed.keyId, row.uuid]);
      }
      return rows.length;
    });
  }

  /**
   * With secure_delete on, freed pages are zeroed, but old page images can still sit in the WAL file until a
   * checkpoint, and VACUUM rewrites the file without them.
   */
  async scrub(): Promise<void> {
    withStorageErrors(() => {
      this.database.pragma('wal_checkpoint(TRUNCATE)');
      this.database.exec('VACUUM');
      this.database.pragma('wal_checkpoint(TRUNCATE)');
    });
  }
}

/** The key fingerprint a database records, read on any handle (the worker's, or a read-only peek). */
export function recordedKeyId(db: Database.Database): string | undefined {
  return db.prepare<[], { value: string }>(RECORDED_KEY_ID).get()?.value;
}
