import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the tests use: NANGO_TEST_POSTGRES_URL (set by .ci/run to the database it made for the run), else
 * the local server as user postgres. Each test makes databases of its own through it, and drops them.
 */
export const TEST_POSTGRES_URL = process.env['NANGO_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty database on the test server, with the URL to reach it. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops it, ending whatever sessions still use it. */
  drop(): Promise<void>;
}

/** Makes a new database with a unique name (prefixed with the run's database name, so a CI run's are recognisable). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const base = new URL(TEST_POSTGRES_URL);
  const prefix = base.pathname.slice(1) || 'postgres';
  const name = `${prefix}_t${randomBytes(5).toString('hex')}`.slice(0, 63);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Runs one statement on the test server's own database. */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
