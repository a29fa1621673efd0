import type { NangoConnection } from '@nangohq/protocol';
import type { IntegrationConfig } from '../../src/config/types';
import { allowPrivateHostsForUserHosts, closeUserHostConnections } from '../../src/net/addressGuard';
import { revokeToken } from '../../src/oauth/revokeToken';
import type { Provider } from '../../src/providers/Provider';
import { startApiServer, type ApiServer } from '../helpers/apiServer';

const SECRET = 'client secret/+';

function integration(provider: Partial<Provider> | undefined, authMode: 'OAUTH2' | 'API_KEY' = 'OAUTH2'): IntegrationConfig {
  return {
    name: 'it',
    authMode,
    oauth: { clientId: 'the client', clientSecret: SECRET, tokenUrl: undefined, clientAuth: 'body', refreshMarginSeconds: 900 },
    provider: provider && { name: 'p', auth_mode: 'OAUTH2', ...provider },
  } as unknown as IntegrationConfig;
}

function connection(credentials: Record<string, unknown>, additionalConfig: Record<string, unknown> = {}): NangoConnection {
  return {
    uuid: 'u',
    integration: 'it',
    userId: 'user',
    dateCreated: '',
    lastModified: '',
    additionalConfig,
    authorization: 'ok',
    credentials: { raw: {}, ...credentials },
  };
}

describe('revokeToken', () => {
  let server: ApiServer;
  let status = 200;
  beforeAll(async () => {
    server = await startApiServer(() => ({ status, body: { error: 'invalid_token', token: 'refresh-1' } }));
  });
  afterAll(async () => {
    allowPrivateHostsForUserHosts(false);
    await closeUserHostConnections();
    await server.close();
  });
  beforeEach(() => {
    status = 200;
    server.requests.length = 0;
  });

  it('skips what it cannot revoke', async () => {
    const tokens = connection({ access_token: 'a' });
    expect(await revokeToken(integration(undefined), tokens, 1000)).toMatchObject({ kind: 'skipped' });
    expect(await revokeToken(integration({}), tokens, 1000)).toMatchObject({ kind: 'skipped' });
    expect(await revokeToken(integration({ revocation_url: server.url }, 'API_KEY'), tokens, 1000)).toMatchObject({
      kind: 'skipped',
    });
    expect(await revokeToken(integration({ revocation_url: server.url }), connection({}), 1000)).toMatchObject({
      kind: 'skipped',
    });
    const templated = integration({ revocation_url: `http://\${connectionConfig.host}/revoke` });
    expect(await revokeToken(templated, tokens, 1000)).toMatchObject({ kind: 'skipped' });
    expect(await revokeToken(templated, connection({ access_token: 'a' }, { host: 'evil/x' }), 1000)).toMatchObject({
      kind: 'skipped',
    });
    expect(server.requests).toHaveLength(0);
  });

  it('posts the access token when there is no refresh token, Basic client auth for authorization_method header', async () => {
    const config = integration({ revocation_url: `${server.url}/r`, authorization_method: 'header' });
    expect(await revokeToken(config, connection({ access_token: 'acc' }), 1000)).toEqual({ kind: 'revoked', status: 200 });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers['authorization']).toBe(`Basic ${Buffer.from('the+client:client+secret%2F%2B').toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({ token: 'acc', token_type_hint: 'access_token' });
  });

  it('follows the catalog: no client auth, another parameter, the access token, a per-Connection host, GET', async () => {
    const host = new URL(server.url).host.split(':');
    const config = integration({
      revocation_url: `http://\${connectionConfig.h}:${host[1]}/r`,
      revocation: { auth: 'none', token_param: 'access_token', token: 'access_token', method: 'GET' },
    });
    const both = connection({ access_token: 'acc', refresh_token: 'ref' }, { h: host[0] });
    // A host the user types goes through the address guard: loopback only with NANGO_ALLOW_PRIVATE_HOSTS.
    await expect(revokeToken(config, both, 1000)).rejects.toThrow('127.0.0.1 resolves to a loopback or private address');
    expect(server.requests).toEqual([]);
    allowPrivateHostsForUserHosts(true);
    expect(await revokeToken(config, both, 1000)).toMatchObject({ kind: 'revoked' });
    const [request] = server.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/r?access_token=acc&token_type_hint=access_token');
    expect(request?.headers['authorization']).toBeUndefined();
  });

  it("never sends the integration's client to a host the user types", async () => {
    const config = integration({ revocation_url: 'https://${connectionConfig.h}/revoke' });
    const both = connection({ access_token: 'acc', refresh_token: 'ref' }, { h: 'evil.example' });
    expect(await revokeToken(config, both, 1000)).toEqual({
      kind: 'skipped',
      reason: "the revocation_url's host is a value the user types, where the client is never sent",
    });
  });

  it('sends the access token as a Bearer header and no body with auth: bearer', async () => {
    const config = integration({ revocation_url: `${server.url}/r`, revocation: { auth: 'bearer' } });
    await revokeToken(config, connection({ access_token: 'acc', refresh_token: 'ref' }), 1000);
    expect(server.requests[0]?.headers['authorization']).toBe('Bearer acc');
    expect(server.requests[0]?.body).toBe('');
  });

  it('fails with the status and the provider error, its secrets scrubbed', async () => {
    status = 400;
    const config = integration({ revocation_url: `${server.url}/r` });
    const failure = revokeToken(config, connection({ access_token: 'acc', refresh_token: 'refresh-1' }), 1000);
    await expect(failure).rejects.toThrow(/^HTTP 400 /);
    await expect(revokeToken(config, connection({ access_token: 'acc', refresh_token: 'refresh-1' }), 1000)).rejects.toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('refresh-1') }),
    );
    await expect(
      revokeToken(integration({ revocation_url: 'http://127.0.0.1:1/r' }), connection({ access_token: 'a' }), 1000),
    ).rejects.toThrow(/could not reach the revocation endpoint/);
  });
});
