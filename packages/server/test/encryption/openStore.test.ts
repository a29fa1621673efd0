import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, KEY_FILE_NAME } from '../../src/encryption/Keyring';
import { reencryptAll } from '../../src/store/keyMaintenance';
import { openStore, type StoreTarget } from '../../src/store/openStore';
import type { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { rawQuery } from '../helpers/storeFactories';

const SECRET = 'sk_live_plaintext_from_an_old_version';

describe('openStore on SQLite: the key fingerprint and what is left on disk', () => {
  let dir: string;
  let target: StoreTarget;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-open-'));
    target = { kind: 'sqlite', path: join(dir, 'nango.sqlite') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a changed key even when no Connection is stored yet', async () => {
    await (await openStore({ NANGO_ENCRYPTION_KEY: generateKey() }, target)).store.close();
    await expect(openStore({ NANGO_ENCRYPTION_KEY: generateKey() }, target)).rejects.toThrow(
      /was encrypted with key [0-9a-f]{16}, but the configured key/,
    );
  });

  it('does not make a new key file for a database whose key file was lost', async () => {
    await (await openStore({}, target)).store.close();
    unlinkSync(join(dir, KEY_FILE_NAME));
    await expect(openStore({}, target)).rejects.toThrow(
      /key file .*nango\.key is missing, and the database was encrypted with a key/,
    );
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false);
  });

  it('accepts the old key while rotating, and the same key again', async () => {
    const key = generateKey();
    await (await openStore({ NANGO_ENCRYPTION_KEY: key }, target)).store.close();
    await (await openStore({ NANGO_ENCRYPTION_KEY: key }, target)).store.close();
    const rotating = await openStore({ NANGO_ENCRYPTION_KEY: generateKey(), NANGO_ENCRYPTION_OLD_KEYS: key }, target);
    await rotating.store.close();
  });

  it('encrypts credentials stored in clear by an older version and leaves no trace of them in the file', async () => {
    const store = (await openStore({}, target)).store as SqliteStore;
    const insert = store.database.prepare(
      `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config)
       VALUES (?, 'stripe', ?, 'x', 'x', ?, '{}')`,
    );
    for (let i = 0; i < 50; i++) insert.run(`legacy-${i}`, String(i), JSON.stringify({ api_key: `${SECRET}-${i}`, raw: {} }));
    await store.close();
    const reopened = (await openStore({}, target)).store;
    expect((await reopened.connections.get('stripe', '7'))?.credentials['api_key']).toBe(`${SECRET}-7`);
    await reopened.close();
    const onDisk = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('');
    expect(onDisk).toContain('stripe'); // the check reads the real contents
    expect(onDisk).not.toContain(SECRET);
  });
});

describe('openStore on PostgreSQL: the same key checks', () => {
  let database: TestDatabase;
  let target: StoreTarget;
  beforeEach(async () => {
    database = await createTestDatabase();
    target = { kind: 'postgres', url: database.url, poolSize: 2 };
  });
  afterEach(() => database.drop());

  it('needs NANGO_ENCRYPTION_KEY: workers on several machines share no key file', async () => {
    await expect(openStore({}, target)).rejects.toThrow(/PostgreSQL store needs NANGO_ENCRYPTION_KEY/);
  });

  it('records the key fingerprint at the first start and refuses another key afterwards', async () => {
    const key = generateKey();
    const first = await openStore({ NANGO_ENCRYPTION_KEY: key }, target);
    await first.store.connections.insert({
      integration: 'x',
      userId: '1',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
    expect(await first.store.keys.recordedKeyId()).toBe(first.cipher.currentKeyId);
    await first.store.close();
    await expect(openStore({ NANGO_ENCRYPTION_KEY: generateKey() }, target)).rejects.toThrow(
      /was encrypted with key [0-9a-f]{16}, but the configured key/,
    );
  });

  it('rotates the key: every ciphertext re-encrypted, the new fingerprint recorded, the old key then unneeded', async () => {
    const oldKey = generateKey();
    const first = await openStore({ NANGO_ENCRYPTION_KEY: oldKey }, target);
    for (let i = 0; i < 30; i++) {
      await first.store.connections.insert({
        integration: 'x',
        userId: String(i),
        credentials: { api_key: `k${i}`, raw: {} },
        additionalConfig: {},
      });
    }
    await first.store.close();
    const newKey = generateKey();
    const rotating = await openStore({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey }, target);
    expect(await reencryptAll(rotating.store, rotating.cipher)).toBe(30);
    await rotating.store.keys.recordKeyId(rotating.cipher.currentKeyId);
    await rotating.store.keys.scrub();
    await rotating.store.close();
    const after = await openStore({ NANGO_ENCRYPTION_KEY: newKey }, target);
    expect((await after.store.connections.get('x', '17'))?.credentials['api_key']).toBe('k17');
    const keyIds = await rawQuery<{ key_id: string }>(after.store, 'SELECT DISTINCT key_id FROM connections');
    expect(keyIds).toEqual([{ key_id: after.cipher.currentKeyId }]);
    await after.store.close();
  });

  it('says storage_error, without the password, when the server cannot be reached', async () => {
    const unreachable: StoreTarget = { kind: 'postgres', url: 'postgres://nango:s3cret-pw@127.0.0.1:1/nango', poolSize: 1 };
    const failure = await openStore({ NANGO_ENCRYPTION_KEY: generateKey() }, unreachable).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'storage_error' });
    expect(String((failure as Error).message)).not.toContain('s3cret-pw');
  });
});
