import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../encryption/CredentialCipher';

/** Rows re-encrypted per transaction: small enough not to hold the write lock long, big enough to be quick. */
const BATCH = 500;

/**
 * Refuses to go on when some Connections are encrypted with a key that is not configured: started with a changed
 * or missing key, the worker would fail on every one of them.
 * @throws Error saying which key ids are missing and what to do
 */
export function checkKeys(db: Database.Database, cipher: CredentialCipher, keySource: string): void {
  const recorded = recordedKeyId(db);
  if (recorded !== undefined && !cipher.canDecrypt(recorded)) {
    throw new Error(
      `The database ${db.name} was encrypted with key ${recorded}, but the configured key (from ${keySource}) is ` +
        `${cipher.currentKeyId}. Set NANGO_ENCRYPTION_KEY to that key (or restore its key file), or add it to ` +
        'NANGO_ENCRYPTION_OLD_KEYS and run `nango-server rotate-key`.',
    );
  }
  const used = (db.prepare('SELECT DISTINCT key_id FROM connections WHERE key_id IS NOT NULL').pluck().all() as string[]).filter(
    (id) => !cipher.canDecrypt(id),
  );
  if (used.length === 0) return;
  throw new Error(
    `Connections in ${db.name} are encrypted with key ${used.join(', ')}, but the configured key (from ${keySource}) is ` +
      `${cipher.currentKeyId}. Set NANGO_ENCRYPTION_KEY to the key that encrypted them (or restore its key file), or add ` +
      'it to NANGO_ENCRYPTION_OLD_KEYS and run `nango-server rotate-key`.',
  );
}

/**
 * Re-encrypts, with the current key, every Connection whose credentials are under another key or still in clear
 * (rows written before encryption). Works in batches and only ever picks rows not yet done, so it can be stopped
 * and run again. Returns how many rows it changed.
 */
export function reencryptAll(
  db: Database.Database,
  cipher: CredentialCipher,
  options: { plaintextOnly?: boolean; onProgress?: (done: number, total: number) => void } = {},
): number {
  const { plaintextOnly = false, onProgress } = options;
  const current = cipher.currentKeyId;
  // With plaintextOnly (at every start) only rows from before encryption are picked; the key test is then false.
  const which = plaintextOnly ? 'key_id IS NULL AND ? IS NOT NULL' : 'key_id IS NULL OR key_id != ?';
  const count = db.prepare(`SELECT count(*) FROM connections WHERE ${which}`).pluck();
  const pick = db.prepare<[string], { uuid: string; credentials: string; key_id: string | null }>(
    `SELECT uuid, credentials, key_id FROM connections WHERE ${which} LIMIT ${BATCH}`,
  );
  const write = db.prepare('UPDATE connections SET credentials = ?, key_id = ? WHERE uuid = ?');
  const total = count.get(current) as number;
  let done = 0;
  onProgress?.(done, total);
  for (;;) {
    const changed = db
      .transaction(() => {
        const rows = pick.all(current);
        for (const row of rows) {
          const plain = row.key_id === null ? row.credentials : cipher.open(row.credentials, row.uuid);
          const sealed = cipher.seal(plain, row.uuid);
          write.run(sealed.text, sealed.keyId, row.uuid);
        }
        return rows.length;
      })
      .immediate();
    if (changed === 0) return done;
    done += changed;
    onProgress?.(done, total);
  }
}

/** Id of the key the database's credentials are encrypted with, recorded in its meta table (its fingerprint). */
export function recordedKeyId(db: Database.Database): string | undefined {
  return db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'key_id'").get()?.value;
}

/** Records the key the credentials are now encrypted with; done at the first start and after a full rotation. */
export function recordKeyId(db: Database.Database, keyId: string): void {
  db.prepare("INSERT INTO meta (key, value) VALUES ('key_id', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(
    keyId,
  );
}

/**
 * Erases what re-encryption left behind: with secure_delete on, freed pages are zeroed, but old page images can
 * still sit in the WAL file until a checkpoint, and VACUUM rewrites the file without them.
 */
export function scrubFreedPages(db: Database.Database): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.pragma('wal_checkpoint(TRUNCATE)');
}
