import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CredentialCipher } from '../encryption/CredentialCipher';
import { loadKeyring, type Keyring } from '../encryption/Keyring';
import type { Logger } from '../logger';
import { checkKeys, reencryptAll } from './keyMaintenance';
import { BUSY_TIMEOUT_MS, SqliteStore } from './sqlite/SqliteStore';
import { recordedKeyId } from './sqlite/SqliteKeyRecords';
import { underStartLock } from './sqlite/underStartLock';
import type { Store } from './Store';

/** The PostgreSQL store and its driver, loaded only when PostgreSQL is configured (a SQLite start never needs them). */
const postgresStore = () => require('./postgres/PgStore') as typeof import('./postgres/PgStore');

/** Which store to open: a SQLite file, or a PostgreSQL URL (see resolveWorkerSettings). */
export type StoreTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize: number };

/** An open store with the cipher and keyring it uses. */
export interface OpenedStore {
  store: Store;
  cipher: CredentialCipher;
  keyring: Keyring;
}

/**
 * Opens the store with its encryption key, as the worker and `rotate-key` both need it, holding the database's start
 * lock so that processes starting together take turns: a database that records a key fingerprint never gets a new
 * key file made for it (a lost key file is an error, not a fresh start); a key that cannot read what is stored is
 * refused; rows written before encryption are encrypted and their plaintext erased; the first start records the
 * key's fingerprint. PostgreSQL needs NANGO_ENCRYPTION_KEY: workers on several machines share no key file.
 * @throws Error for a bad, missing or wrong key; WorkerError `storage_error` when the database cannot be reached
 */
export async function openStore(env: NodeJS.ProcessEnv, target: StoreTarget, logger?: Logger): Promise<OpenedStore> {
  if (target.kind === 'postgres') {
    if (!env['NANGO_ENCRYPTION_KEY']) {
      throw new Error(
        'A PostgreSQL store needs NANGO_ENCRYPTION_KEY, the same on every worker (there is no key file beside the database); make one with: nango-server generate-key',
      );
    }
    const keyring = loadKeyring(env, ':memory:');
    const cipher = new CredentialCipher(keyring);
    const store = await postgresStore().PgStore.open(
      target.url,
      cipher,
      {
        poolSize: target.poolSize,
        onIdleError: (error) => logger?.warn({ err: error.message }, 'database connection lost; the pool reconnects'),
      },
      (opened) => prepareKeys(opened, cipher, keyring, logger),
    );
    return { store, cipher, keyring };
  }
  const dbPath = target.path;
  return underStartLock(dbPath, async () => {
    const keyring = loadKeyring(env, dbPath, { mayCreate: peekKeyId(dbPath) === undefined });
    if (keyring.created) {
      logger?.warn(
        { keyFile: keyring.source },
        'created an encryption key for credentials; back it up: without it they cannot be read',
      );
    }
    const cipher = new CredentialCipher(keyring);
    const store = new SqliteStore(dbPath, cipher);
    try {
      await prepareKeys(store, cipher, keyring, logger);
    } catch (error) {
      await store.close();
      throw error;
    }
    return { store, cipher, keyring };
  });
}

/** The key checks of every start, and the encryption of rows from before encryption. */
async function prepareKeys(store: Store, cipher: CredentialCipher, keyring: Keyring, logger: Logger | undefined): Promise<void> {
  await checkKeys(store, cipher, keyring.source);
  const inUse = [...(await store.integrations.keyIdsInUse()), ...(await store.records.keyIdsInUse())];
  const missing = [...new Set(inUse)].filter((id) => !cipher.canDecrypt(id));
  if (missing.length > 0) {
    throw new Error(
      `Integration secrets or sync records in ${store.location} are encrypted with key ${missing.join(', ')}, which is not configured: ` +
        'add it to NANGO_ENCRYPTION_OLD_KEYS and run `nango-server rotate-key`.',
    );
  }
  const encrypted = await reencryptAll(store, cipher, { plaintextOnly: true });
  if (encrypted > 0) {
    await store.keys.scrub();
    logger?.info({ connections: encrypted }, 'encrypted credentials stored before encryption at rest');
  }
  if ((await store.keys.recordedKeyId()) === undefined) await store.keys.recordKeyId(cipher.currentKeyId);
}

/** The key fingerprint an existing SQLite database records, read without changing it; undefined for a new one. */
function peekKeyId(dbPath: string): string | undefined {
  if (dbPath === ':memory:' || !existsSync(dbPath)) return undefined;
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  try {
    return recordedKeyId(db);
  } catch (error) {
    // A database from before the meta table (or a new, empty file) has no fingerprint yet; anything else, such as a
    // lock that outlasted the timeout, is a real failure and must not pass for "no fingerprint".
    if (/no such table: meta/.test((error as Error).message)) return undefined;
    throw error;
  } finally {
    db.close();
  }
}
