import type { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { Store } from '../../src/store/Store';
import { createTestDatabase } from './pgDatabase';
import { testCipher } from './testCipher';

/** A store for one test, and how to dispose of it. */
export interface TestStore<S extends Store = Store> {
  store: S;
  cipher: CredentialCipher;
  /** Closes the store and removes its database. */
  dispose(): Promise<void>;
}

/** Opens a fresh store of each kind: the suites that take it run once per implementation. */
export const STORE_KINDS: ReadonlyArray<readonly [string, (cipher?: CredentialCipher) => Promise<TestStore>]> = [
  ['sqlite', sqliteTestStore],
  ['postgres', pgTestStore],
];

/** An in-memory SQLite store. */
export async function sqliteTestStore(cipher: CredentialCipher = testCipher()): Promise<TestStore<SqliteStore>> {
  const store = new SqliteStore(':memory:', cipher);
  return { store, cipher, dispose: () => store.close() };
}

/** A PostgreSQL store on a database of its own, dropped by dispose(). */
export async function pgTestStore(cipher: CredentialCipher = testCipher()): Promise<TestStore<PgStore>> {
  const database = await createTestDatabase();
  const store = await PgStore.open(database.url, cipher, { poolSize: 4 });
  return {
    store,
    cipher,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/** Runs SQL written with `?` placeholders on either store, as a test's window into its tables. */
export async function rawQuery<R>(store: Store, sql: string, params: unknown[] = []): Promise<R[]> {
  if (store instanceof SqliteStore) {
    const statement = store.database.prepare(sql);
    if (statement.reader) return statement.all(...params) as R[];
    statement.run(...params);
    return [];
  }
  if (store instanceof PgStore) {
    let index = 0;
    const { rows } = await store.pg.query(
      sql.replace(/\?/g, () => `$${++index}`),
      params,
    );
    return rows as R[];
  }
  throw new Error(`no raw access to a ${store.kind} store`);
}
