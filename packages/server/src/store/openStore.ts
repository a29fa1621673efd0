import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CredentialCipher } from '../encryption/CredentialCipher';
import { loadKeyring, type Keyring } from '../encryption/Keyring';
import type { Logger } from '../logger';
import { BUSY_TIMEOUT_MS, ConnectionStore } from './ConnectionStore';
import { undecryptableIntegrationKeys } from './integrationKeys';
import { checkKeys, recordedKeyId, recordKeyId, reencryptAll, scrubFreedPages } from './keyMaintenance';

/** An open store with the cipher and keyring it uses. */
export interface OpenedStore {
  store: ConnectionStore;
  cipher: CredentialCipher;
  keyring: Keyring;
}

/**
 * Opens the database with its encryption key, as the worker and `rotate-key` both need it: a database that records
 * a key fingerprint never gets a new key file made for it (a lost key file is an error, not a fresh start); a key
 * that cannot read what is stored is refused; rows written before encryption are encrypted and their plaintext
 * erased from the file; the first start records the key's fingerprint.
 * @throws Error for a bad, missing or wrong key
 */
export function openStore(env: NodeJS.ProcessEnv, dbPath: string, logger?: Logger): OpenedStore {
  const keyring = loadKeyring(env, dbPath, { mayCreate: peekKeyId(dbPath) === undefined });
  if (keyring.created) {
    logger?.warn(
      { keyFile: keyring.source },
      'created an encryption key for credentials; back it up: without it they cannot be read',
    );
  }
  const cipher = new CredentialCipher(keyring);
  const store = new ConnectionStore(dbPath, cipher);
  try {
    checkKeys(store.database, cipher, keyring.source);
    const missing = undecryptableIntegrationKeys(store.database, cipher);
    if (missing.length > 0) {
      throw new Error(
        `Integration secrets in ${store.database.name} are encrypted with key ${missing.join(', ')}, which is not configured: ` +
          'add it to NANGO_ENCRYPTION_OLD_KEYS and run `nango-server rotate-key`.',
      );
    }
    const encrypted = reencryptAll(store.database, cipher, { plaintextOnly: true });
    if (encrypted > 0) {
      scrubFreedPages(store.database);
      logger?.info({ connections: encrypted }, 'encrypted credentials stored before encryption at rest');
    }
    if (recordedKeyId(store.database) === undefined) recordKeyId(store.database, cipher.currentKeyId);
  } catch (error) {
    store.close();
    throw error;
  }
  return { store, cipher, keyring };
}

/** The key fingerprint an existing database records, read without changing it; undefined for a new one. */
function peekKeyId(dbPath: string): string | undefined {
  if (dbPath === ':memory:' || !existsSync(dbPath)) return undefined;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    return recordedKeyId(db);
  } catch (error) {
    // A database from before the meta table (or still being created beside us) has no fingerprint yet; anything
    // else, such as a lock that outlasted the timeout, is a real failure and must not pass for "no fingerprint".
    if (/no such table: meta/.test((error as Error).message)) return undefined;
    throw error;
  } finally {
    db.close();
  }
}
