import { randomBytes } from 'node:crypto';
import { openStore } from '../../src/store/openStore';
import type { Store } from '../../src/store/Store';
import { startApi, type ApiHarness } from './apiHarness';
import { createTestDatabase } from './pgDatabase';

/** The two stores an API suite runs on. */
export const API_STORES = ['sqlite', 'postgres'] as const;
export type ApiStore = (typeof API_STORES)[number];

/**
 * startApi on a fresh SQLite file, or on a PostgreSQL database of its own (made through NANGO_TEST_POSTGRES_URL and
 * dropped by stop(), with an encryption key set for it and put back as it was after). `store()` is a second handle on
 * the same database either way.
 */
export async function startApiOn(kind: ApiStore, options: Parameters<typeof startApi>[0] = {}): Promise<ApiHarness> {
  if (kind === 'sqlite') return startApi(options);
  const database = await createTestDatabase();
  const keyBefore = process.env['NANGO_ENCRYPTION_KEY'];
  process.env['NANGO_ENCRYPTION_KEY'] ??= randomBytes(32).toString('base64');
  let second: Store | undefined;
  const restore = async () => {
    await second?.close();
    await database.drop();
    if (keyBefore === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
    else process.env['NANGO_ENCRYPTION_KEY'] = keyBefore;
  };
  let api: ApiHarness;
  try {
    api = await startApi({ ...options, databaseUrl: database.url });
  } catch (error) {
    await restore();
    throw error;
  }
  const stop = api.stop.bind(api);
  return {
    ...api,
    async store() {
      second ??= (await openStore(process.env, { kind: 'postgres', url: database.url, poolSize: 2 })).store;
      return second.connections;
    },
    async stop() {
      try {
        await stop();
      } finally {
        await restore();
      }
    },
  };
}
