import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey, KEY_FILE_NAME } from '../../src/encryption/Keyring';
import { openStore } from '../../src/store/openStore';

const SECRET = 'sk_live_plaintext_from_an_old_version';

describe('openStore: the key fingerprint and what is left on disk', () => {
  let dir: string;
  let dbPath: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-open-'));
    dbPath = join(dir, 'nango.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a changed key even when no Connection is stored yet', () => {
    openStore({ NANGO_ENCRYPTION_KEY: generateKey() }, dbPath).store.close();
    expect(() => openStore({ NANGO_ENCRYPTION_KEY: generateKey() }, dbPath)).toThrow(
      /was encrypted with key [0-9a-f]{16}, but the configured key/,
    );
  });

  it('does not make a new key file for a database whose key file was lost', () => {
    openStore({}, dbPath).store.close();
    unlinkSync(join(dir, KEY_FILE_NAME));
    expect(() => openStore({}, dbPath)).toThrow(/key file .*nango\.key is missing, and the database was encrypted with a key/);
    expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false);
  });

  it('accepts the old key while rotating, and the same key again', () => {
    const key = generateKey();
    openStore({ NANGO_ENCRYPTION_KEY: key }, dbPath).store.close();
    openStore({ NANGO_ENCRYPTION_KEY: key }, dbPath).store.close();
    expect(() =>
      openStore({ NANGO_ENCRYPTION_KEY: generateKey(), NANGO_ENCRYPTION_OLD_KEYS: key }, dbPath).store.close(),
    ).not.toThrow();
  });

  it('encrypts credentials stored in clear by an older version and leaves no trace of them in the file', () => {
    const { store } = openStore({}, dbPath);
    store.database.exec("UPDATE meta SET value = value WHERE key = 'key_id'"); // touch nothing but keep the file
    const insert = store.database.prepare(
      `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config)
       VALUES (?, 'stripe', ?, 'x', 'x', ?, '{}')`,
    );
    for (let i = 0; i < 50; i++) insert.run(`legacy-${i}`, String(i), JSON.stringify({ api_key: `${SECRET}-${i}`, raw: {} }));
    store.close();
    const reopened = openStore({}, dbPath).store;
    expect(reopened.get('stripe', '7')?.credentials['api_key']).toBe(`${SECRET}-7`);
    reopened.close();
    const onDisk = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('');
    expect(onDisk).toContain('stripe'); // the check reads the real contents
    expect(onDisk).not.toContain(SECRET);
  });
});
