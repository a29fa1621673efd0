import { CredentialCipher } from '../../src/encryption/CredentialCipher';
import { generateKey, loadKeyring } from '../../src/encryption/Keyring';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const cipherOf = (env: Record<string, string>) => new CredentialCipher(loadKeyring(env, ':memory:'));
const key = { integration: 'mcp', issuer: 'https://auth.example', redirectUri: 'https://nango.example/oauth/callback' };

describe.each(STORE_KINDS)('registered MCP clients on %s', (_kind, open) => {
  const oldKey = generateKey();
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open(cipherOf({ NANGO_ENCRYPTION_KEY: oldKey }));
  });
  afterEach(() => opened.dispose());

  it('keeps one client per integration, issuer and callback, sealed, replaced by a newer registration', async () => {
    const { mcpClients } = opened.store;
    expect(await mcpClients.get(key)).toBeUndefined();
    await mcpClients.put(key, { clientId: 'c-1', clientSecret: 'the-secret', authMethod: 'client_secret_post' });
    await mcpClients.put(
      { ...key, redirectUri: 'https://other.example/oauth/callback' },
      { clientId: 'c-other', authMethod: 'none' },
    );
    expect(await mcpClients.get(key)).toEqual({ clientId: 'c-1', clientSecret: 'the-secret', authMethod: 'client_secret_post' });
    expect(JSON.stringify(await rawQuery(opened.store, 'SELECT * FROM mcp_clients'))).not.toMatch(/the-secret|c-1/);
    await mcpClients.put(key, { clientId: 'c-2', authMethod: 'none' });
    expect(await mcpClients.get(key)).toEqual({ clientId: 'c-2', authMethod: 'none' });
    await mcpClients.deleteIntegration('mcp');
    expect(await mcpClients.get(key)).toBeUndefined();
  });

  it('drops the registrations sealed with another key when the key rotates', async () => {
    const { mcpClients } = opened.store;
    await mcpClients.put(key, { clientId: 'c-1', authMethod: 'none' });
    const rotating = cipherOf({ NANGO_ENCRYPTION_KEY: generateKey(), NANGO_ENCRYPTION_OLD_KEYS: oldKey });
    await mcpClients.dropSealedWithOtherKeys(rotating.currentKeyId);
    expect(await mcpClients.get(key)).toBeUndefined();
  });
});
