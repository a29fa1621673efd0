import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ConnectionStore } from '@nangohq/server';
import { testCipher } from '../helpers/testCipher';

const credentials = { access_token: 'tok', raw: { access_token: 'tok' } };

describe('ConnectionStore', () => {
  let store: ConnectionStore;
  beforeEach(() => {
    store = new ConnectionStore(':memory:', testCipher());
  });
  afterEach(() => store.close());

  it('stores a Connection with uuid, timestamps, credentials and config', () => {
    const created = store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: { channelId: 'C1' } });
    expect(created.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.dateCreated).toBe(created.lastModified);
    expect(new Date(created.dateCreated).toISOString()).toBe(created.dateCreated);
    expect(store.get('slack', '1')).toEqual(created);
  });

  it('refuses a second Connection for the same integration and user', () => {
    store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    expect(() => store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} })).toThrow(
      expect.objectContaining({ code: 'connection_exists' }),
    );
    expect(() => store.insert({ integration: 'github', userId: '1', credentials, additionalConfig: {} })).not.toThrow();
  });

  it('updates config and credentials, bumping lastModified, and says when nothing matched', async () => {
    const created = store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(store.updateConfig('slack', '1', { channelId: 'C2' })).toBe(true);
    const updated = store.get('slack', '1');
    expect(updated?.additionalConfig).toEqual({ channelId: 'C2' });
    expect((updated?.lastModified ?? '') > created.lastModified).toBe(true);
    expect(updated?.dateCreated).toBe(created.dateCreated);
    expect(store.updateCredentials('slack', '1', { access_token: 'new', raw: { access_token: 'new' } })).toBe(true);
    expect(store.get('slack', '1')?.credentials['access_token']).toBe('new');
    expect(store.updateConfig('slack', 'nobody', {})).toBe(false);
    expect(store.updateCredentials('nope', '1', credentials)).toBe(false);
  });

  it('lists by user id and by integration without credentials', () => {
    store.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    store.insert({ integration: 'github', userId: '1', credentials, additionalConfig: {} });
    store.insert({ integration: 'slack', userId: '2', credentials, additionalConfig: {} });
    const forUser = store.listByUserId('1');
    expect(forUser.map((c) => c.integration)).toEqual(['github', 'slack']);
    expect(forUser.every((c) => !('credentials' in c))).toBe(true);
    expect(store.listByIntegration('slack').map((c) => c.userId)).toEqual(['1', '2']);
    expect(store.listByUserId('nobody')).toEqual([]);
  });

  it('uses an index for lookups by user id and by integration', () => {
    const plan = (sql: string) =>
      (store.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('x') as Array<{ detail: string }>).map((r) => r.detail).join(' ');
    expect(plan('SELECT * FROM connections WHERE user_id = ?')).toMatch(/USING INDEX connections_by_user_id/);
    expect(plan('SELECT * FROM connections WHERE integration = ?')).toMatch(/USING INDEX/);
  });
});

describe('ConnectionStore on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nango-store-'));
  const cipher = testCipher();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the folder, uses WAL, and keeps data across reopen', () => {
    const path = join(dir, 'nested', 'nango.sqlite');
    const first = new ConnectionStore(path, cipher);
    first.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: { a: 1 } });
    expect(first.database.pragma('journal_mode', { simple: true })).toBe('wal');
    first.close();
    const second = new ConnectionStore(path, cipher);
    expect(second.get('slack', '1')?.additionalConfig).toEqual({ a: 1 });
    second.close();
  });

  it('refuses a database from a newer schema version', () => {
    const path = join(dir, 'future.sqlite');
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => new ConnectionStore(path, cipher)).toThrow(/schema version 99, newer than this worker knows/);
  });

  it('turns a read-only database into storage_error', () => {
    const path = join(dir, 'ro.sqlite');
    new ConnectionStore(path, cipher).close();
    const readOnly = new ConnectionStore(path, cipher);
    readOnly.database.pragma('query_only = ON');
    expect(() => readOnly.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} })).toThrow(
      expect.objectContaining({ code: 'storage_error' }),
    );
    readOnly.close();
  });
});
