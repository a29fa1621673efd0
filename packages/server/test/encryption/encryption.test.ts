import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { generateKey, loadKeyring, KEY_FILE_NAME } from '../../src/encryption/Keyring';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { checkKeys, reencryptAll } from '../../src/store/keyMaintenance';

const SECRET = 'xoxb-very-secret-token-4242';

describe('CredentialCipher', () => {
  const cipher = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey() }, ':memory:'));

  it('round-trips, with a fresh IV each time', () => {
    const a = cipher.seal(SECRET, 'row-1');
    const b = cipher.seal(SECRET, 'row-1');
    expect(a.text).not.toBe(b.text);
    expect(a.text).not.toContain(SECRET);
    expect(a.text).toMatch(/^v1:[0-9a-f]{16}:/);
    expect(cipher.open(a.text, 'row-1')).toBe(SECRET);
  });

  it('never hands out an IV twice, across the refills of its random pool', () => {
    const ivs = new Set<string>();
    const seals = 2_000; // several refills of the 341-IV pool
    for (let i = 0; i < seals; i += 1) {
      const sealed = cipher.seal(SECRET, `row-${i}`);
      ivs.add(sealed.text.split(':')[2] ?? '');
      expect(cipher.open(sealed.text, `row-${i}`)).toBe(SECRET);
    }
    expect(ivs.size).toBe(seals);
    expect([...ivs].every((iv) => Buffer.from(iv, 'base64').length === 12)).toBe(true);
  });

  it('refuses a ciphertext moved to another row, or tampered with, without revealing anything', () => {
    const sealed = cipher.seal(SECRET, 'row-1');
    expect(() => cipher.open(sealed.text, 'row-2')).toThrow(/do not authenticate/);
    const parts = sealed.text.split(':');
    parts[4] = Buffer.from('tampered').toString('base64');
    expect(() => cipher.open(parts.join(':'), 'row-1')).toThrow(expect.objectContaining({ code: 'storage_error' }));
    expect(() => cipher.open('{"api_key":"plain"}', 'row-1')).toThrow(/not in a known encrypted format/);
  });

  it('keeps what it opened exact: a text opened before still fails for another row, and a changed text is opened afresh', () => {
    const sealed = cipher.seal(SECRET, 'row-1');
    expect(cipher.open(sealed.text, 'row-1')).toBe(SECRET);
    expect(cipher.open(sealed.text, 'row-1')).toBe(SECRET); // from what it keeps
    expect(() => cipher.open(sealed.text, 'row-2')).toThrow(/do not authenticate/);
    const parts = sealed.text.split(':');
    parts[3] = Buffer.alloc(16).toString('base64'); // another tag: a text never opened
    expect(() => cipher.open(parts.join(':'), 'row-1')).toThrow(/do not authenticate/);
    const changed = cipher.seal('a-new-token', 'row-1');
    expect(cipher.open(changed.text, 'row-1')).toBe('a-new-token');
    // Past both generations of what it keeps, every text still opens (decrypted again).
    const many = Array.from({ length: 1_200 }, (_, i) => cipher.seal(`token-${i}`, `row-${i}`));
    many.forEach((s, i) => expect(cipher.open(s.text, `row-${i}`)).toBe(`token-${i}`));
    expect(cipher.open(sealed.text, 'row-1')).toBe(SECRET);
  });

  it('needs the key a ciphertext names', () => {
    const other = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey() }, ':memory:'));
    expect(() => other.open(cipher.seal(SECRET, 'r').text, 'r')).toThrow(
      /not configured \(add it to NANGO_ENCRYPTION_OLD_KEYS\)/,
    );
  });
});

describe('loadKeyring', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a key file beside the database, mode 0600, and reuses it', () => {
    const first = loadKeyring({}, join(dir, 'nango.sqlite'));
    expect(first.created).toBe(true);
    expect(first.source).toBe(join(dir, KEY_FILE_NAME));
    expect(statSync(first.source).mode & 0o777).toBe(0o600);
    const again = loadKeyring({}, join(dir, 'nango.sqlite'));
    expect(again.created).toBe(false);
    expect(again.current.id).toBe(first.current.id);
  });

  it('creates the database folder for its key file on a first start', () => {
    const keyring = loadKeyring({}, join(dir, 'not', 'yet', 'nango.sqlite'));
    expect(keyring.created).toBe(true);
    expect(statSync(join(dir, 'not', 'yet', KEY_FILE_NAME)).isFile()).toBe(true);
  });

  it('prefers NANGO_ENCRYPTION_KEY and keeps old keys for reading', () => {
    const current = generateKey();
    const old = generateKey();
    const keyring = loadKeyring({ NANGO_ENCRYPTION_KEY: current, NANGO_ENCRYPTION_OLD_KEYS: ` ${old} ` }, join(dir, 'x.sqlite'));
    expect(keyring.source).toBe('NANGO_ENCRYPTION_KEY');
    expect(keyring.byId.size).toBe(2);
    expect(readdirSync(dir)).toEqual([]); // no key file when the key comes from the environment
  });

  it('refuses a malformed key, naming where it came from but not the key', () => {
    expect(() => loadKeyring({ NANGO_ENCRYPTION_KEY: 'c2hvcnQ=' }, ':memory:')).toThrow(
      /^NANGO_ENCRYPTION_KEY must be 32 bytes in base64/,
    );
    expect(() => loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey(), NANGO_ENCRYPTION_OLD_KEYS: 'nope' }, ':memory:')).toThrow(
      'NANGO_ENCRYPTION_OLD_KEYS (entry 1)',
    );
  });
});

describe('credentials at rest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-rest-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const credentials = { access_token: SECRET, refresh_token: 'refresh-also-secret', raw: { access_token: SECRET } };

  it('never writes a credential value in clear to the database file or its WAL', async () => {
    const path = join(dir, 'nango.sqlite');
    const store = new SqliteStore(path, new CredentialCipher(loadKeyring({}, path)));
    await store.connections.insert({
      integration: 'slack',
      userId: '1',
      credentials,
      additionalConfig: { channel: 'visible-config' },
    });
    await store.connections.updateCredentials('slack', '1', { ...credentials, access_token: `${SECRET}-2` });
    expect((await store.connections.get('slack', '1'))?.credentials['access_token']).toBe(`${SECRET}-2`);
    const onDisk = () =>
      readdirSync(dir)
        .map((file) => readFileSync(join(dir, file)).toString('latin1'))
        .join('');
    expect(onDisk()).toContain('visible-config'); // the check can see the file's contents
    expect(onDisk()).not.toContain(SECRET);
    expect(onDisk()).not.toContain('refresh-also-secret');
    await store.close();
    expect(onDisk()).not.toContain(SECRET);
  });

  it('refuses to start with a key that cannot read the stored credentials', async () => {
    const path = join(dir, 'nango.sqlite');
    const original = generateKey();
    const store = new SqliteStore(path, new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: original }, path)));
    await store.connections.insert({ integration: 'slack', userId: '1', credentials, additionalConfig: {} });
    await store.close();
    const wrong = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: generateKey() }, path));
    const reopened = new SqliteStore(path, wrong);
    await expect(checkKeys(reopened, wrong, 'NANGO_ENCRYPTION_KEY')).rejects.toThrow(
      /encrypted with key [0-9a-f]{16}, but the configured key/,
    );
    await reopened.close();
  });

  it('rotates every Connection to the new key, resumably, and old keys are then not needed', async () => {
    const path = join(dir, 'nango.sqlite');
    const oldKey = generateKey();
    const before = new SqliteStore(path, new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: oldKey }, path)));
    for (let i = 0; i < 1_200; i++)
      await before.connections.insert({ integration: 'slack', userId: String(i), credentials, additionalConfig: {} });
    await before.close();
    const newKey = generateKey();
    const rotating = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey }, path));
    const store = new SqliteStore(path, rotating);
    const progress: number[] = [];
    expect(await reencryptAll(store, rotating, { onProgress: (done) => progress.push(done) })).toBe(1_200);
    expect(progress).toEqual([0, 500, 1000, 1200]);
    expect(await reencryptAll(store, rotating)).toBe(0); // nothing left: running it again is harmless
    await store.close();
    const newOnly = new CredentialCipher(loadKeyring({ NANGO_ENCRYPTION_KEY: newKey }, path));
    const after = new SqliteStore(path, newOnly);
    await checkKeys(after, newOnly, 'env');
    expect((await after.connections.get('slack', '777'))?.credentials['access_token']).toBe(SECRET);
    await after.close();
  });

  it('encrypts rows stored in clear before encryption existed', async () => {
    const path = join(dir, 'nango.sqlite');
    const cipher = new CredentialCipher(loadKeyring({}, path));
    const store = new SqliteStore(path, cipher);
    store.database
      .prepare(
        `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config)
         VALUES ('legacy-uuid', 'slack', '9', 'x', 'x', ?, '{}')`,
      )
      .run(JSON.stringify(credentials));
    expect(await reencryptAll(store, cipher, { plaintextOnly: true })).toBe(1);
    expect((await store.connections.get('slack', '9'))?.credentials['access_token']).toBe(SECRET);
    await store.close();
  });
});
