import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PG_MIGRATIONS } from '../../src/store/postgres/pgMigrations';
import { generateKey } from '../../src/encryption/Keyring';
import { createTestDatabase } from '../helpers/pgDatabase';

// Worker processes starting together on a database that does not exist yet (a fresh deployment of several
// workers): each must open it, migrate it, make or read the key, and go on. Each process goes through what
// Worker.start does with the store before it touches the broker: openStore (the key file, the WAL switch, the
// migrations and the key fingerprint, all under the start lock), the prunes of what a last run left, then a write.
// Runs the built store, as the CLI does.
const DIST = join(__dirname, '..', '..', 'dist');
const SCRIPT = `const { openStore } = require(${JSON.stringify(join(DIST, 'store', 'openStore.js'))});
const target = process.argv[1].startsWith('postgres') ? { kind: 'postgres', url: process.argv[1], poolSize: 2 } : { kind: 'sqlite', path: process.argv[1] };
(async () => {
  const { store } = await openStore(process.env, target);
  await store.idempotency.prune();
  await store.deliveries.prune(Date.now() - 1000);
  await store.connections.insert({ integration: 'x', userId: String(process.pid), credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
  await store.close();
})().catch((error) => { console.error(error.message); process.exit(1); });`;

function openInProcess(target: string, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', SCRIPT, target], { env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

function countIn(dbPath: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const child = spawn(process.execPath, [
      '-e',
      `const D = require('better-sqlite3'); const db = new D(process.argv[1]); console.log(db.prepare('SELECT count(*) FROM connections').pluck().get())`,
      dbPath,
    ]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('close', () => resolve(out.trim()));
  });
}

describe('fault: several processes opening a new database at once', () => {
  it('SQLite: all succeed, with one schema, one key and every write kept (8 rounds of 6 processes)', async () => {
    for (let round = 0; round < 8; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'nango-shared-'));
      try {
        const dbPath = join(dir, 'data', 'nango.sqlite');
        // Half the rounds make the key file, half take the key from the environment: both paths start together.
        const env: Record<string, string> = round % 2 === 0 ? {} : { NANGO_ENCRYPTION_KEY: generateKey() };
        const results = await Promise.all(Array.from({ length: 6 }, () => openInProcess(dbPath, env)));
        expect(results.map((r) => (r.code === 0 ? 'ok' : r.stderr.trim()))).toEqual(Array(6).fill('ok'));
        expect(await countIn(dbPath)).toBe('6');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // 48 process starts: about 3 s on an idle machine, 15 s or more on a 2-core one running other suites.
  }, 120_000);

  it('PostgreSQL: all succeed on a new database, the migrations run once under the start lock (4 rounds of 6)', async () => {
    for (let round = 0; round < 4; round++) {
      const database = await createTestDatabase();
      try {
        const env = { NANGO_ENCRYPTION_KEY: generateKey() };
        const results = await Promise.all(Array.from({ length: 6 }, () => openInProcess(database.url, env)));
        expect(results.map((r) => (r.code === 0 ? 'ok' : r.stderr.trim()))).toEqual(Array(6).fill('ok'));
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          const counts = await client.query(
            'SELECT (SELECT count(*)::int FROM connections) AS n, (SELECT version FROM nango_schema) AS v',
          );
          expect(counts.rows).toEqual([{ n: 6, v: PG_MIGRATIONS.length }]);
        } finally {
          await client.end();
        }
      } finally {
        await database.drop();
      }
    }
  }, 120_000);
});
