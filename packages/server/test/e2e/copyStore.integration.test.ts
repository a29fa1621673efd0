import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from '../../src/encryption/Keyring';
import { openStore, type StoreTarget } from '../../src/store/openStore';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { rawQuery } from '../helpers/storeFactories';

// `nango-server copy-store`, run as a user runs it (the built command line): SQLite to PostgreSQL and back,
// ciphertexts moved as they are, a non-empty target refused, and an interrupted copy resumed.
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const CONNECTIONS = 1_234; // more than two batches of 500

function copyStore(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'copy-store', ...args], { timeout: 60_000 });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

jest.setTimeout(60_000);

describe('nango-server copy-store', () => {
  let dir: string;
  let database: TestDatabase;
  const key = generateKey();
  const env = { NANGO_ENCRYPTION_KEY: key };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-copy-'));
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A SQLite deployment with Connections and a kept idempotency outcome. */
  async function seedSqlite(path: string): Promise<void> {
    const { store } = await openStore(env, { kind: 'sqlite', path });
    for (let i = 0; i < CONNECTIONS; i++) {
      await store.connections.insert({
        integration: 'slack',
        userId: `u${i}`,
        credentials: { access_token: `secret-${i}`, raw: {} },
        additionalConfig: { n: i },
      });
    }
    await store.idempotency.claim(
      { integration: 'slack', userId: 'u1', key: 'k1' },
      'call',
      Date.now() + 60_000,
      Date.now() + 60_000,
    );
    await store.idempotency.complete(
      { integration: 'slack', userId: 'u1', key: 'k1' },
      { ok: true, json: '"kept"' },
      Date.now() + 60_000,
    );
    await store.integrations.insert({
      uniqueKey: 'gh',
      provider: 'github',
      oauthClientId: 'id',
      oauthClientSecret: 'client-secret',
      // A CUSTOM integration's app key: its own sealed column is copied too.
      appPrivateKey: 'app-private-key',
      oauthScopes: 'repo',
      displayName: 'GitHub',
      extra: { forward_webhooks: true },
    });
    // A paused sync schedule with its own frequency and a checkpoint (its flags are 0/1 in both stores).
    const u1 = (await store.connections.get('slack', 'u1'))!.uuid;
    const schedule = await store.syncSchedules.ensure(
      { integration: 'slack', sync: 'issues', variant: 'base', connection: u1 },
      'paused',
    );
    await store.syncSchedules.setFrequency(schedule.id, 7_200_000, 3_600_000);
    await store.syncSchedules.trigger([schedule.id], true);
    await store.close();
  }

  async function check(target: StoreTarget): Promise<void> {
    const { store } = await openStore(env, target); // the key checks of a worker's start pass
    try {
      expect((await store.connections.listAll()).length).toBe(CONNECTIONS);
      expect(await store.connections.get('slack', 'u777')).toMatchObject({
        credentials: { access_token: 'secret-777' },
        additionalConfig: { n: 777 },
      });
      const replay = await store.idempotency.claim(
        { integration: 'slack', userId: 'u1', key: 'k1' },
        'call',
        Date.now(),
        Date.now(),
      );
      expect(replay).toEqual({ kind: 'done', outcome: { ok: true, json: '"kept"' } });
      expect(await store.integrations.get('gh')).toMatchObject({
        oauthClientSecret: 'client-secret',
        appPrivateKey: 'app-private-key',
        displayName: 'GitHub',
        extra: { forward_webhooks: true },
      });
      const u1 = (await store.connections.get('slack', 'u1'))!.uuid;
      expect(
        await store.syncSchedules.get({ integration: 'slack', sync: 'issues', variant: 'base', connection: u1 }),
      ).toMatchObject({
        status: 'paused',
        frequencyMs: 7_200_000,
        resetPending: true,
        fullPending: true,
        triggered: true,
      });
    } finally {
      await store.close();
    }
  }

  it('copies SQLite to PostgreSQL and back, with progress, ciphertexts as they are', async () => {
    const sqlite = join(dir, 'nango.sqlite');
    await seedSqlite(sqlite);
    const there = await copyStore('--from', `sqlite:${sqlite}`, '--to', database.url);
    // The Connections, the key record, an idempotency outcome, an integration and a sync schedule.
    expect(there.stderr).toContain(`Done: ${CONNECTIONS + 4} row(s) written, 0 already there.`);
    expect(there.stderr).toContain('100%');
    expect(there.status).toBe(0);
    await check({ kind: 'postgres', url: database.url, poolSize: 2 });

    const back = join(dir, 'back', 'nango.sqlite');
    const home = await copyStore('--from', database.url, '--to', back);
    expect(home.status).toBe(0);
    await check({ kind: 'sqlite', path: back });
  });

  it('refuses a non-empty target unless told it resumes a copy, and then fills in what is missing', async () => {
    const sqlite = join(dir, 'nango.sqlite');
    await seedSqlite(sqlite);
    expect((await copyStore('--from', sqlite, '--to', database.url)).status).toBe(0);
    // An interrupted copy: part of the rows never arrived.
    const { store } = await openStore(env, { kind: 'postgres', url: database.url, poolSize: 1 });
    await rawQuery(store, "DELETE FROM connections WHERE user_id LIKE 'u1%'");
    await store.close();

    const refused = await copyStore('--from', sqlite, '--to', database.url);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/is not empty \(.*row\(s\) in connections.*\); copy into an empty database, or pass --resume/);
    const resumed = await copyStore('--from', sqlite, '--to', database.url, '--resume');
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(/Done: \d+ row\(s\) written/);
    await check({ kind: 'postgres', url: database.url, poolSize: 2 });
  });

  it('explains its arguments', async () => {
    const missing = await copyStore('--from', join(dir, 'x.sqlite'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--from and --to are both needed');
    const same = await copyStore('--from', join(dir, 'x.sqlite'), '--to', `sqlite:${join(dir, 'x.sqlite')}`);
    expect(same.stderr).toContain('name the same store');
  });
});
