import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { generateKey, loadKeyring } from '../../src/encryption/Keyring';
import type { OAuthSession } from '../../src/store/OAuthSessionStore';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const cipherOf = (env: Record<string, string>) => new CredentialCipher(loadKeyring(env, ':memory:'));
const oldKey = generateKey();
const newKey = generateKey();
const input = { uniqueKey: 'gh', provider: 'github', oauthClientId: 'id', oauthClientSecret: 'the-secret', oauthScopes: 'repo' };
const session: OAuthSession = {
  providerConfigKey: 'gh',
  connectionId: 'u',
  authMode: 'OAUTH2',
  callbackUrl: 'http://x/oauth/callback',
  connectionConfig: {},
  codeVerifier: 'verifier',
};

describe.each(STORE_KINDS)('run-time integrations and OAuth sessions on %s', (_kind, open) => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open(cipherOf({ NANGO_ENCRYPTION_KEY: oldKey }));
  });
  afterEach(() => opened.dispose());

  it('stores an integration with its secret sealed, refuses a second of the same key, updates and deletes it', async () => {
    const { integrations } = opened.store;
    await integrations.insert(input);
    await expect(integrations.insert(input)).rejects.toMatchObject({ code: 'integration_exists' });
    expect(await integrations.get('gh')).toMatchObject(input);
    const [row] = await rawQuery<{ oauth_client_secret: string }>(opened.store, 'SELECT oauth_client_secret FROM integrations');
    expect(row?.oauth_client_secret).not.toContain('the-secret');
    expect(await integrations.update({ ...input, oauthClientSecret: 'second', oauthScopes: 'repo,user' })).toBe(true);
    expect(await integrations.update({ ...input, uniqueKey: 'none' })).toBe(false);
    expect((await integrations.list()).map((i) => [i.uniqueKey, i.oauthClientSecret, i.oauthScopes])).toEqual([
      ['gh', 'second', 'repo,user'],
    ]);
    expect(await integrations.delete('gh')).toBe(true);
    expect(await integrations.delete('gh')).toBe(false);
    expect(await integrations.get('gh')).toBeUndefined();
  });

  it('keeps a display name and settings, changes parts of an integration, and renames it with its Connections', async () => {
    const { integrations, connections } = opened.store;
    await integrations.insert({ ...input, displayName: 'GitHub', extra: { forward_webhooks: true } });
    await integrations.insert({ ...input, uniqueKey: 'other' });
    expect(await integrations.get('gh')).toMatchObject({ displayName: 'GitHub', extra: { forward_webhooks: true } });
    expect(await integrations.get('other')).toMatchObject({ displayName: null, extra: {} });
    await connections.insert({
      integration: 'gh',
      userId: 'u1',
      credentials: { access_token: 't', raw: {} },
      additionalConfig: {},
    });

    expect(await integrations.change('gh', { oauthClientSecret: 'changed', extra: { integration_config: { a: 1 } } })).toBe(true);
    expect(await integrations.get('gh')).toMatchObject({
      oauthClientId: 'id',
      oauthClientSecret: 'changed',
      displayName: 'GitHub',
      extra: { forward_webhooks: true, integration_config: { a: 1 } },
    });
    await expect(integrations.change('gh', { uniqueKey: 'other' })).rejects.toMatchObject({ code: 'integration_exists' });
    expect(await integrations.change('gh', { uniqueKey: 'gh2', displayName: null })).toBe(true);
    expect(await integrations.get('gh')).toBeUndefined();
    expect(await integrations.get('gh2')).toMatchObject({ oauthClientSecret: 'changed', displayName: null });
    expect((await connections.get('gh2', 'u1'))?.credentials).toMatchObject({ access_token: 't' });
    expect(await connections.get('gh', 'u1')).toBeUndefined();
    expect(await integrations.change('none', { displayName: 'x' })).toBe(false);
  });

  it('re-encrypts secrets with a new key and drops sessions sealed with another', async () => {
    const { integrations, oauthSessions } = opened.store;
    await integrations.insert(input);
    await oauthSessions.create('state-1', session, Date.now() + 60_000);
    const rotating = cipherOf({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey });
    expect(await integrations.keyIdsInUse()).toEqual([opened.cipher.currentKeyId]);

    expect(await integrations.reencrypt(rotating)).toBe(1);
    expect(await integrations.reencrypt(rotating)).toBe(0);
    expect(await integrations.keyIdsInUse()).toEqual([rotating.currentKeyId]);
    const [row] = await rawQuery<{ uuid: string; oauth_client_secret: string }>(
      opened.store,
      'SELECT uuid, oauth_client_secret FROM integrations',
    );
    const onlyNew = cipherOf({ NANGO_ENCRYPTION_KEY: newKey });
    expect(onlyNew.open(row?.oauth_client_secret ?? '', row?.uuid ?? '')).toBe('the-secret');

    await oauthSessions.dropSealedWithOtherKeys(rotating.currentKeyId);
    expect(await oauthSessions.consume('state-1')).toBeUndefined();
  });

  it('seals an app private key (CUSTOM) in its own column, keeps it across changes and re-encrypts it with the secret', async () => {
    const { integrations } = opened.store;
    const appPrivateKey = '-----BEGIN PRIVATE KEY-----\nthe-app-key\n-----END PRIVATE KEY-----\n';
    await integrations.insert({ ...input, appPrivateKey });
    await integrations.insert({ ...input, uniqueKey: 'plain' });
    expect(await integrations.get('gh')).toMatchObject({ oauthClientSecret: 'the-secret', appPrivateKey });
    expect((await integrations.get('plain'))?.appPrivateKey).toBeUndefined();
    const sealedRows = () =>
      rawQuery<{ unique_key: string; uuid: string; oauth_client_secret: string; app_private_key: string }>(
        opened.store,
        'SELECT unique_key, uuid, oauth_client_secret, app_private_key FROM integrations ORDER BY unique_key',
      );
    const [gh, plain] = await sealedRows();
    expect(gh?.app_private_key).not.toContain('the-app-key');
    expect(plain?.app_private_key).toBe('');
    // Each sealed value is bound to its column: the key cannot be read as the client secret.
    expect(() => opened.cipher.open(gh?.app_private_key ?? '', gh?.uuid ?? '')).toThrow();

    expect(await integrations.change('gh', { oauthClientSecret: 'changed' })).toBe(true);
    expect(await integrations.get('gh')).toMatchObject({ oauthClientSecret: 'changed', appPrivateKey });
    expect(await integrations.change('gh', { appPrivateKey: `${appPrivateKey}2` })).toBe(true);
    expect(await integrations.get('gh')).toMatchObject({ oauthClientSecret: 'changed', appPrivateKey: `${appPrivateKey}2` });

    const rotating = cipherOf({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey });
    expect(await integrations.reencrypt(rotating)).toBe(2);
    expect(await integrations.keyIdsInUse()).toEqual([rotating.currentKeyId]);
    const onlyNew = cipherOf({ NANGO_ENCRYPTION_KEY: newKey });
    const [resealed] = await sealedRows();
    expect(onlyNew.open(resealed?.app_private_key ?? '', `${resealed?.uuid ?? ''}:app_private_key`)).toBe(`${appPrivateKey}2`);
    expect(onlyNew.open(resealed?.oauth_client_secret ?? '', resealed?.uuid ?? '')).toBe('changed');
  });

  it('seals a webhook secret in its own column, keeps it through update, changes or removes it, re-encrypts it', async () => {
    const { integrations } = opened.store;
    await integrations.insert({ ...input, webhookSecret: 'the-webhook-secret' });
    expect(await integrations.get('gh')).toMatchObject({ oauthClientSecret: 'the-secret', webhookSecret: 'the-webhook-secret' });
    const sealedRow = async () =>
      (
        await rawQuery<{ uuid: string; webhook_secret: string }>(
          opened.store,
          "SELECT uuid, webhook_secret FROM integrations WHERE unique_key = 'gh'",
        )
      )[0];
    const sealed = await sealedRow();
    expect(sealed?.webhook_secret).not.toContain('the-webhook-secret');
    // Bound to its column: it cannot be opened as the client secret.
    expect(() => opened.cipher.open(sealed?.webhook_secret ?? '', sealed?.uuid ?? '')).toThrow();

    // PUT /config replaces the client and keeps the webhook secret; PATCH changes it; '' removes it.
    expect(await integrations.update({ ...input, oauthClientSecret: 'replaced' })).toBe(true);
    expect(await integrations.get('gh')).toMatchObject({ oauthClientSecret: 'replaced', webhookSecret: 'the-webhook-secret' });
    expect(await integrations.change('gh', { webhookSecret: '' })).toBe(true);
    expect((await integrations.get('gh'))?.webhookSecret).toBeUndefined();
    expect(await integrations.change('gh', { webhookSecret: 'second' })).toBe(true);
    expect(await integrations.get('gh')).toMatchObject({ oauthClientSecret: 'replaced', webhookSecret: 'second' });

    const rotating = cipherOf({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey });
    expect(await integrations.reencrypt(rotating)).toBe(1);
    const resealed = await sealedRow();
    expect(
      cipherOf({ NANGO_ENCRYPTION_KEY: newKey }).open(resealed?.webhook_secret ?? '', `${resealed?.uuid ?? ''}:webhook_secret`),
    ).toBe('second');
  });

  it('gives a session back once, never after it expired, and keeps no state in clear', async () => {
    const { oauthSessions } = opened.store;
    await oauthSessions.create('state-ok', session, Date.now() + 60_000);
    await oauthSessions.create('state-old', session, Date.now() - 1);
    const rows = await rawQuery<{ state_hash: string; data: string }>(
      opened.store,
      'SELECT state_hash, data FROM oauth_sessions',
    );
    expect(JSON.stringify(rows)).not.toMatch(/state-ok|verifier/);
    // peek leaves the session for its callback; only consume ends it.
    expect(await oauthSessions.peek('state-ok')).toEqual(session);
    expect(await oauthSessions.peek('state-ok')).toEqual(session);
    expect(await oauthSessions.peek('state-old')).toBeUndefined();
    expect(await oauthSessions.peek('never-made')).toBeUndefined();
    expect(await oauthSessions.consume('state-ok')).toEqual(session);
    expect(await oauthSessions.peek('state-ok')).toBeUndefined();
    expect(await oauthSessions.consume('state-ok')).toBeUndefined();
    expect(await oauthSessions.consume('state-old')).toBeUndefined();
    expect(await oauthSessions.consume('never-made')).toBeUndefined();
  });
});
