// The store a benchmark's worker uses: a SQLite file in a temp folder (the default), or a fresh PostgreSQL database
// (--store postgres) on NANGO_BENCH_POSTGRES_URL's server, dropped afterwards. Both can be seeded with Connections
// directly, through the store's own schema and cipher.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import server from '@nangohq/server';

export const POSTGRES_URL = process.env.NANGO_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Makes a store of `kind` for one worker: { env, seed(count) → ms, open() → the store itself (for seeding other
 * tables; close it before the worker starts on SQLite), dispose() }.
 */
export async function benchStore(kind) {
  const dir = mkdtempSync(join(tmpdir(), 'nango-bench-'));
  if (kind === 'sqlite') {
    const path = join(dir, 'bench.sqlite');
    return {
      env: { NANGO_DB_PATH: path },
      seed: (count) => seedSqlite(path, count),
      open: async () => new server.SqliteStore(path, new server.CredentialCipher(server.loadKeyring({}, path))),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `nango_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const key = server.generateKey();
  return {
    env: { NANGO_DATABASE_URL: url.toString(), NANGO_ENCRYPTION_KEY: key },
    seed: (count) => seedPostgres(url.toString(), key, count),
    open: () =>
      server.PgStore.open(
        url.toString(),
        new server.CredentialCipher(server.loadKeyring({ NANGO_ENCRYPTION_KEY: key }, ':memory:')),
        { poolSize: 2 },
      ),
    dispose: async () => {
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs one statement as the PostgreSQL admin (database creation and removal). */
export async function admin(sql) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const CREDENTIALS = JSON.stringify({ api_key: 'k', raw: { api_key: 'k' } });

/** Inserts `count` Connections in one transaction, encrypted with the key file the worker will read. */
function seedSqlite(path, count) {
  const started = performance.now();
  const cipher = new server.CredentialCipher(server.loadKeyring({}, path));
  const store = new server.SqliteStore(path, cipher);
  const now = new Date().toISOString();
  const insert = store.database.prepare(
    `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id)
     VALUES (?, 'bench', ?, ?, ?, ?, '{}', ?)`,
  );
  store.database.transaction(() => {
    for (let i = 0; i < count; i++) {
      const uuid = randomUUID();
      const sealed = cipher.seal(CREDENTIALS, uuid);
      insert.run(uuid, `user-${i}`, now, now, sealed.text, sealed.keyId);
    }
  })();
  store.database.close();
  return performance.now() - started;
}

/** Inserts `count` Connections, 10,000 per statement (arrays unnested), encrypted with NANGO_ENCRYPTION_KEY. */
async function seedPostgres(url, key, count) {
  const started = performance.now();
  const cipher = new server.CredentialCipher(server.loadKeyring({ NANGO_ENCRYPTION_KEY: key }, ':memory:'));
  const store = await server.PgStore.open(url, cipher, { poolSize: 2 });
  await store.keys.recordKeyId(cipher.currentKeyId);
  const now = new Date().toISOString();
  for (let from = 0; from < count; from += 10_000) {
    const uuids = [];
    const users = [];
    const texts = [];
    for (let i = from; i < Math.min(count, from + 10_000); i++) {
      const uuid = randomUUID();
      uuids.push(uuid);
      users.push(`user-${i}`);
      texts.push(cipher.seal(CREDENTIALS, uuid).text);
    }
    await store.pg.query(
      `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id)
       SELECT u, 'bench', n, $4, $4, c, '{}', $5 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(u, n, c)`,
      [uuids, users, texts, now, cipher.currentKeyId],
    );
  }
  await store.pg.query('ANALYZE connections');
  await store.close();
  return performance.now() - started;
}
