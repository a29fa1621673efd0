import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../src/store/sqlite/sqliteMigrations';
import { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { Store } from '../../src/store/Store';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';
import { testCipher } from '../helpers/testCipher';

const credentials = { access_token: 'tok', raw: { access_token: 'tok' } };
const T = 1_700_000_000_000;
const LEASE = 600_000;

describe.each(STORE_KINDS)('CredentialCheckStore on %s', (_kind, open) => {
  let opened: TestStore;
  let store: Store;
  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });
  afterEach(() => opened.dispose());

  const insert = (userId: string) => store.connections.insert({ integration: 'acme', userId, credentials, additionalConfig: {} });

  it('claims a new Connection at once, once per lease, with nothing known of its last check', async () => {
    const created = await insert('u1');
    const claims = await store.credentialChecks.claimDue(T + LEASE, 10, T);
    expect(claims).toEqual([
      {
        uuid: created.uuid,
        integration: 'acme',
        userId: 'u1',
        checkedAt: undefined,
        cooldownUntil: undefined,
        claimedUntil: T + LEASE,
      },
    ]);
    expect(await store.credentialChecks.claimDue(T + 1 + LEASE, 10, T + 1)).toEqual([]);
    // A claimer that died: its lease ends and the row is claimed again.
    expect(await store.credentialChecks.claimDue(T + 2 * LEASE, 10, T + LEASE)).toHaveLength(1);
  });

  it('records a plan: not due before it, due after, with when the credentials were last proven good', async () => {
    const created = await insert('u1');
    await store.credentialChecks.claimDue(T + LEASE, 10, T);
    const version = (await store.connections.credentialsVersion(created.uuid)) as number;
    expect(await store.credentialChecks.finish(created.uuid, version, { nextCheckAt: T + 5_000, checkedAt: T })).toBe(true);
    expect(await store.credentialChecks.claimDue(T + 4_999 + LEASE, 10, T + 4_999)).toEqual([]);
    const [claim] = await store.credentialChecks.claimDue(T + 5_000 + LEASE, 10, T + 5_000);
    expect(claim).toMatchObject({ uuid: created.uuid, checkedAt: T });
    // A plan without checkedAt keeps the one recorded.
    await store.credentialChecks.finish(created.uuid, version, { nextCheckAt: T + 6_000 });
    expect((await store.credentialChecks.claimDue(T + 6_000 + LEASE, 10, T + 6_000))[0]?.checkedAt).toBe(T);
  });

  it('drops a plan made for credentials written since, which are due at once', async () => {
    const created = await insert('u1');
    await store.credentialChecks.claimDue(T + LEASE, 10, T);
    const version = (await store.connections.credentialsVersion(created.uuid)) as number;
    expect(await store.connections.replaceCredentials(created.uuid, { access_token: 'new', raw: {} }, version)).toBe(true);
    expect(await store.credentialChecks.finish(created.uuid, version, { nextCheckAt: T + 5_000, checkedAt: T })).toBe(false);
    expect(await store.credentialChecks.claimDue(T + 1 + LEASE, 10, T + 1)).toEqual([
      expect.objectContaining({ uuid: created.uuid, checkedAt: undefined }),
    ]);
  });

  it('never claims a Connection that needs the user, until new credentials come', async () => {
    const created = await insert('u1');
    const version = (await store.connections.credentialsVersion(created.uuid)) as number;
    expect(await store.connections.markNeedsReauthorization(created.uuid, 'invalid_grant', version)).toBe(true);
    expect(await store.credentialChecks.claimDue(T + LEASE, 10, T)).toEqual([]);
    expect(await store.credentialChecks.finish(created.uuid, version, { nextCheckAt: T })).toBe(false);
    expect(await store.credentialChecks.claimDue(T + LEASE, 10, T)).toEqual([]);
    expect(await store.connections.updateCredentials('acme', 'u1', { access_token: 'fresh', raw: {} })).toBe(true);
    expect(await store.credentialChecks.claimDue(T + LEASE, 10, T)).toHaveLength(1);
  });

  it('claims the earliest due first, at most the limit, and carries the refresh cool-down', async () => {
    const rows = [];
    for (const userId of ['a', 'b', 'c']) rows.push(await insert(userId));
    const dues = [T - 10, T - 30, T - 20];
    for (const [index, row] of rows.entries()) {
      const version = (await store.connections.credentialsVersion(row.uuid)) as number;
      await store.credentialChecks.finish(row.uuid, version, { nextCheckAt: dues[index] as number });
    }
    await store.connections.setRefreshCooldown(rows[1]?.uuid as string, T + 30_000);
    // In no particular order: the workers look at a claim's rows side by side.
    const first = await store.credentialChecks.claimDue(T + LEASE, 2, T);
    expect(first.map((claim) => claim.userId).sort()).toEqual(['b', 'c']);
    expect(first.find((claim) => claim.userId === 'b')?.cooldownUntil).toBe(T + 30_000);
    expect((await store.credentialChecks.claimDue(T + LEASE, 2, T)).map((claim) => claim.userId)).toEqual(['a']);
  });

  it('gives back a claim not looked at, unless it changed since', async () => {
    const [one, two] = [await insert('u1'), await insert('u2')];
    await store.credentialChecks.claimDue(T + LEASE, 10, T);
    await store.connections.updateCredentials('acme', 'u2', { access_token: 'new', raw: {} }); // due at once again: 0
    await store.credentialChecks.release(one.uuid, T + LEASE, T + 100);
    await store.credentialChecks.release(two.uuid, T + LEASE, T + 100); // not its claim any more: left at 0
    expect((await store.credentialChecks.claimDue(T + 50 + LEASE, 10, T + 50)).map((claim) => claim.userId)).toEqual(['u2']);
    expect((await store.credentialChecks.claimDue(T + 100 + LEASE, 10, T + 100)).map((claim) => claim.userId)).toEqual(['u1']);
  });

  it('gives each due Connection to one of many claimers at once', async () => {
    for (let index = 0; index < 40; index++) await insert(`u${index}`);
    const claims = await Promise.all(Array.from({ length: 3 }, () => store.credentialChecks.claimDue(T + LEASE, 10, T)));
    for (const claim of claims) expect(claim.length).toBeLessThanOrEqual(10); // a batch stays a batch
    const uuids = claims.flat().map((claim) => claim.uuid);
    expect(new Set(uuids).size).toBe(uuids.length);
    const rest = await store.credentialChecks.claimDue(T + LEASE, 100, T);
    expect(uuids.length + rest.length).toBe(40);
  });

  it('looks the due rows up through an index', async () => {
    const query = "SELECT uuid FROM connections WHERE next_check_at <= 5 AND auth_status = 'ok' ORDER BY next_check_at LIMIT 10";
    let plan: unknown;
    if (store instanceof PgStore) {
      // A table this small is read whole unless told not to: the question is whether the index can serve the query.
      plan = await store.pg.transaction(async (client) => {
        await client.query('SET LOCAL enable_seqscan = off');
        return (await client.query(`EXPLAIN ${query}`)).rows;
      });
    } else {
      plan = await rawQuery(store, `EXPLAIN QUERY PLAN ${query}`);
    }
    expect(JSON.stringify(plan)).toContain('connections_by_next_check');
  });
});

describe('the migration to background checks on SQLite', () => {
  let dir = '';
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'nango-checks-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has every existing Connection looked at soon, except those that need the user', async () => {
    const path = join(dir, 'old.sqlite');
    const db = new Database(path);
    const before = SQLITE_MIGRATIONS.findIndex((sql) => sql.includes('next_check_at'));
    for (const sql of SQLITE_MIGRATIONS.slice(0, before)) db.exec(sql);
    db.pragma(`user_version = ${before}`);
    const row = `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials,
      additional_config, auth_status) VALUES (?, 'acme', ?, '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '{}', '{}', ?)`;
    db.prepare(row).run('00000000-0000-0000-0000-000000000001', 'ok-user', 'ok');
    db.prepare(row).run('00000000-0000-0000-0000-000000000002', 'marked-user', 'needs_reauthorization');
    db.close();
    const store = new SqliteStore(path, testCipher());
    try {
      const claims = await store.credentialChecks.claimDue(T + LEASE, 10, T);
      expect(claims.map((claim) => claim.userId)).toEqual(['ok-user']);
    } finally {
      await store.close();
    }
  });
});
