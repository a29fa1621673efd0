import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { ConnectionStore } from '../../src/store/Store';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';
import { testCipher } from '../helpers/testCipher';

const credentials = { access_token: 'tok', raw: { access_token: 'tok' } };

describe.each(STORE_KINDS)('ConnectionStore on %s', (_kind, open) => {
  let opened: TestStore;
  let store: ConnectionStore;
  beforeEach(async () => {
    opened = await open();
    store = opened.store.connections;
  });
  afterEach(() => opened.dispose());

  it('stores a Connection with uuid, timestamps, credentials and config', async () => {
    const created = await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: { channelId: 'C1' } });
    expect(created.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.dateCreated).toBe(created.lastModified);
    expect(new Date(created.dateCreated).toISOString()).toBe(created.dateCreated);
    expect(await store.get('slack', '1')).toEqual(created);
  });

  it('refuses a second Connection for the same integration and user', async () => {
    await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    await expect(store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} })).rejects.toThrow(
      expect.objectContaining({ code: 'connection_exists' }),
    );
    await expect(store.insert({ integration: 'github', userId: '1', credentials, additionalConfig: {} })).resolves.toBeDefined();
  });

  it('keeps the registration key a Connection was inserted with', async () => {
    await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {}, registrationKey: 'k1' });
    await store.insert({ integration: 'slack', userId: '2', credentials, additionalConfig: {} });
    expect(await store.registrationKeyOf('slack', '1')).toBe('k1');
    expect(await store.registrationKeyOf('slack', '2')).toBeUndefined();
    expect(await store.registrationKeyOf('slack', 'nobody')).toBeUndefined();
  });

  it('updates config and credentials, bumping lastModified, and says when nothing matched', async () => {
    const created = await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await store.updateConfig('slack', '1', { channelId: 'C2' })).toBe(true);
    const updated = await store.get('slack', '1');
    expect(updated?.additionalConfig).toEqual({ channelId: 'C2' });
    expect((updated?.lastModified ?? '') > created.lastModified).toBe(true);
    expect(updated?.dateCreated).toBe(created.dateCreated);
    expect(await store.updateCredentials('slack', '1', { access_token: 'new', raw: { access_token: 'new' } })).toBe(true);
    expect((await store.get('slack', '1'))?.credentials['access_token']).toBe('new');
    expect(await store.updateConfig('slack', 'nobody', {})).toBe(false);
    expect(await store.updateCredentials('nope', '1', credentials)).toBe(false);
  });

  it('finds the Connections of one integration by a config value, numbers as their digits, bounded by a limit', async () => {
    await store.insert({ integration: 'gh', userId: 'b', credentials, additionalConfig: { installation_id: 42 } });
    await store.insert({
      integration: 'gh',
      userId: 'a',
      credentials,
      additionalConfig: { installation_id: '42', 'team.id': 'T1' },
    });
    await store.insert({ integration: 'gh', userId: 'c', credentials, additionalConfig: { installation_id: 7 } });
    await store.insert({ integration: 'other', userId: 'd', credentials, additionalConfig: { installation_id: 42 } });
    expect(await store.userIdsByConfigValue('gh', 'installation_id', '42', 10)).toEqual(['a', 'b']);
    expect(await store.userIdsByConfigValue('gh', 'installation_id', '42', 1)).toEqual(['a']);
    // A dotted key is one key, as Slack's token response keeps `team.id`.
    expect(await store.userIdsByConfigValue('gh', 'team.id', 'T1', 10)).toEqual(['a']);
    expect(await store.userIdsByConfigValue('gh', 'installation_id', '8', 10)).toEqual([]);
    expect(await store.userIdsByConfigValue('gh', 'missing', '42', 10)).toEqual([]);
    // A key that cannot be a JSON path label matches nothing, rather than an error.
    expect(await store.userIdsByConfigValue('gh', 'a"b', '42', 10)).toEqual([]);
  });

  it('lists by user id and by integration without credentials', async () => {
    await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    await store.insert({ integration: 'github', userId: '1', credentials, additionalConfig: {} });
    await store.insert({ integration: 'slack', userId: '2', credentials, additionalConfig: {} });
    const forUser = await store.listByUserId('1');
    expect(forUser.map((c) => c.integration)).toEqual(['github', 'slack']);
    expect(forUser.every((c) => !('credentials' in c))).toBe(true);
    expect((await store.listByIntegration('slack')).map((c) => c.userId)).toEqual(['1', '2']);
    expect(await store.listByUserId('nobody')).toEqual([]);
  });

  it('lists in byte order of the names, the same on both stores', async () => {
    for (const userId of ['b', 'B', 'a', '_', 'é'])
      await store.insert({ integration: 'slack', userId, credentials, additionalConfig: {} });
    expect((await store.listByIntegration('slack')).map((c) => c.userId)).toEqual(['B', '_', 'a', 'b', 'é']);
    expect((await store.listAll()).length).toBe(5);
  });

  it('deletes, and says when there was nothing to delete', async () => {
    await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    expect(await store.delete('slack', '1')).toBe(true);
    expect(await store.delete('slack', '1')).toBe(false);
    expect(await store.get('slack', '1')).toBeUndefined();
  });

  it('changes the config of several Connections all or none', async () => {
    await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: { a: 1 } });
    await store.insert({ integration: 'slack', userId: '2', credentials, additionalConfig: { a: 2 } });
    expect(await store.updateConfigs('slack', ['1', 'nobody', '2'], () => ({ changed: true }))).toEqual(['nobody']);
    expect(await store.getConfig('slack', '1')).toEqual({ a: 1 });
    expect(await store.updateConfigs('slack', ['2', '1'], (current) => ({ ...current, b: true }))).toEqual([]);
    expect(await store.getConfig('slack', '1')).toEqual({ a: 1, b: true });
    expect(await store.getConfig('slack', '2')).toEqual({ a: 2, b: true });
  });

  it('fences refreshed credentials by version, and a rejection mark too', async () => {
    const created = await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    const version = (await store.credentialsVersion(created.uuid)) as number;
    expect(await store.credentialsVersion('no-such-uuid')).toBeUndefined();
    await store.updateCredentials('slack', '1', { access_token: 'app', raw: {} }); // written meanwhile
    expect(await store.replaceCredentials(created.uuid, { access_token: 'refreshed', raw: {} }, version)).toBe(false);
    expect(await store.markNeedsReauthorization(created.uuid, 'rejected', version)).toBe(false);
    expect((await store.get('slack', '1'))?.credentials['access_token']).toBe('app');
    const now = (await store.credentialsVersion(created.uuid)) as number;
    expect(now).toBe(version + 1);
    expect(await store.markNeedsReauthorization(created.uuid, 'invalid_grant', now)).toBe(true);
    expect(await store.get('slack', '1')).toMatchObject({
      authorization: 'needs_reauthorization',
      authorizationError: 'invalid_grant',
    });
    expect(await store.replaceCredentials(created.uuid, { access_token: 'refreshed', raw: {} }, now)).toBe(true);
    expect(await store.get('slack', '1')).toMatchObject({ authorization: 'ok', credentials: { access_token: 'refreshed' } });
  });

  it('keeps and clears a refresh cool-down', async () => {
    const created = await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    expect(await store.refreshCooldown(created.uuid)).toBeUndefined();
    await store.setRefreshCooldown(created.uuid, 1_700_000_000_123);
    expect(await store.refreshCooldown(created.uuid)).toBe(1_700_000_000_123);
    await store.setRefreshCooldown(created.uuid, undefined);
    expect(await store.refreshCooldown(created.uuid)).toBeUndefined();
  });

  it('registers one Connection per user and integration when many race for it', async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 12 }, () => store.insert({ integration: 'slack', userId: 'race', credentials, additionalConfig: {} })),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const attempt of attempts) {
      if (attempt.status === 'rejected') expect(attempt.reason).toMatchObject({ code: 'connection_exists' });
    }
  });

  it('never lets two concurrent merges of the same rows lose an update', async () => {
    await store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => store.updateConfigs('slack', ['1'], (current) => ({ ...current, [`k${i}`]: i }))),
    );
    expect(Object.keys((await store.getConfig('slack', '1')) ?? {})).toHaveLength(10);
  });
});

describe('SqliteStore query plans', () => {
  let store: SqliteStore;
  beforeEach(() => {
    store = new SqliteStore(':memory:', testCipher());
  });
  afterEach(() => store.close());

  it('uses an index for lookups by user id and by integration', () => {
    const plan = (sql: string) =>
      (store.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    expect(plan('SELECT * FROM connections WHERE user_id = ?')).toMatch(/USING INDEX connections_by_user_id/);
    expect(plan('SELECT * FROM connections WHERE integration = ?')).toMatch(/USING INDEX/);
  });
});

describe('SqliteStore on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nango-store-'));
  const cipher = testCipher();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder, uses WAL, and keeps data across reopen', async () => {
    const path = join(dir, 'nested', 'nango.sqlite');
    const first = new SqliteStore(path, cipher);
    await first.connections.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: { a: 1 } });
    expect(first.database.pragma('journal_mode', { simple: true })).toBe('wal');
    await first.close();
    const second = new SqliteStore(path, cipher);
    expect((await second.connections.get('slack', '1'))?.additionalConfig).toEqual({ a: 1 });
    await second.close();
  });

  it('refuses a database from a newer schema version', () => {
    const path = join(dir, 'future.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new SqliteStore(path, cipher)).toThrow(/schema version 99, newer than this worker knows/);
  });

  it('turns a read-only database into storage_error', async () => {
    const path = join(dir, 'ro.sqlite');
    await new SqliteStore(path, cipher).close();
    const readOnly = new SqliteStore(path, cipher);
    readOnly.database.pragma('query_only = ON');
    await expect(
      readOnly.connections.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} }),
    ).rejects.toThrow(expect.objectContaining({ code: 'storage_error' }));
    await readOnly.close();
  });
});
