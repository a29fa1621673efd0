import type Database from 'better-sqlite3';
import type { CredentialCipher } from '../encryption/CredentialCipher';

/**
 * Key ids of run-time integrations' client secrets that the configured keys cannot decrypt: like Connections, they
 * need the old key in NANGO_ENCRYPTION_OLD_KEYS until `rotate-key` has run.
 */
export function undecryptableIntegrationKeys(db: Database.Database, cipher: CredentialCipher): string[] {
  const used = db.prepare('SELECT DISTINCT key_id FROM integrations').pluck().all() as string[];
  return used.filter((id) => !cipher.canDecrypt(id));
}

/**
 * For `rotate-key`: re-encrypts every run-time integration's client secret with the current key, and drops OAuth
 * sessions sealed with another (they live minutes; a flow in progress is simply started again). One transaction:
 * the integrations are few. Returns how many secrets were re-encrypted.
 */
export function reencryptIntegrationSecrets(db: Database.Database, cipher: CredentialCipher): number {
  const current = cipher.currentKeyId;
  return db
    .transaction(() => {
      const rows = db
        .prepare<[string], { uuid: string; oauth_client_secret: string }>(
          'SELECT uuid, oauth_client_secret FROM integrations WHERE key_id != ?',
        )
        .all(current);
      const write = db.prepare('UPDATE integrations SET oauth_client_secret = ?, key_id = ? WHERE uuid = ?');
      for (const row of rows) {
        const sealed = cipher.seal(cipher.open(row.oauth_client_secret, row.uuid), row.uuid);
        write.run(sealed.text, sealed.keyId, row.uuid);
      }
      db.prepare('DELETE FROM oauth_sessions WHERE key_id != ?').run(current);
      return rows.length;
    })
    .immediate();
}
