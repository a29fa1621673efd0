import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { generateKey, loadKeyring } from '../../src/encryption/Keyring';
import { ConnectionStore } from '../../src/store/ConnectionStore';
import { IntegrationStore } from '../../src/store/IntegrationStore';
import { reencryptIntegrationSecrets, undecryptableIntegrationKeys } from '../../src/store/integrationKeys';
import { OAuthSessionStore } from '../../src/store/OAuthSessionStore';

const cipherOf = (env: Record<string, string>) => new CredentialCipher(loadKeyring(env, ':memory:'));

describe('run-time integration secrets across a key rotation', () => {
  it('are re-encrypted with the new key, and sessions under the old key are dropped', async () => {
    const oldKey = generateKey();
    const newKey = generateKey();
    const store = new ConnectionStore(':memory:', cipherOf({ NANGO_ENCRYPTION_KEY: oldKey }));
    try {
      const before = new IntegrationStore(store.database, cipherOf({ NANGO_ENCRYPTION_KEY: oldKey }));
      await before.insert({
        uniqueKey: 'gh',
        provider: 'github',
        oauthClientId: 'id',
        oauthClientSecret: 'the-secret',
        oauthScopes: 'repo',
      });
      await new OAuthSessionStore(store.database, cipherOf({ NANGO_ENCRYPTION_KEY: oldKey })).create(
        'state-1',
        {
          providerConfigKey: 'gh',
          connectionId: 'u',
          authMode: 'OAUTH2',
          callbackUrl: 'http://x/oauth/callback',
          connectionConfig: {},
        },
        Date.now() + 60_000,
      );

      const onlyNew = cipherOf({ NANGO_ENCRYPTION_KEY: newKey });
      expect(undecryptableIntegrationKeys(store.database, onlyNew)).toHaveLength(1);
      await expect(new IntegrationStore(store.database, onlyNew).get('gh')).rejects.toMatchObject({ code: 'storage_error' });

      const rotating = cipherOf({ NANGO_ENCRYPTION_KEY: newKey, NANGO_ENCRYPTION_OLD_KEYS: oldKey });
      expect(reencryptIntegrationSecrets(store.database, rotating)).toBe(1);
      expect(reencryptIntegrationSecrets(store.database, rotating)).toBe(0);

      expect(undecryptableIntegrationKeys(store.database, onlyNew)).toEqual([]);
      expect((await new IntegrationStore(store.database, onlyNew).get('gh'))?.oauthClientSecret).toBe('the-secret');
      await expect(new OAuthSessionStore(store.database, onlyNew).consume('state-1')).resolves.toBeUndefined();
    } finally {
      store.close();
    }
  });
});
