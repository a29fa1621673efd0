import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { callbackHop, playFlow } from '../helpers/oauthFlow';
import { CONSUMER_KEY, CONSUMER_SECRET, OAuth1Provider } from '../oauth/oauth1Provider';

const json = { 'content-type': 'application/json' };

describe('the OAuth 1.0a flow against a provider that checks signatures with oauth-sign', () => {
  let provider: OAuth1Provider;
  let api: ApiHarness;

  beforeAll(async () => {
    provider = await OAuth1Provider.start();
    const entry = (name: string, extra: Partial<Provider> = {}): Provider => ({
      name,
      auth_mode: 'OAUTH1',
      request_url: `${provider.url}/request_token`,
      authorization_url: `${provider.url}/authorize`,
      token_url: `${provider.url}/access_token`,
      authorization_params: { expiration: 'never' },
      ...extra,
    });
    api = await startApi({
      catalog: catalogOf(entry('mock1'), entry('mock1-deny', { authorization_params: { decision: 'deny' } })),
    });
    for (const [key, name, secret] of [
      ['trello', 'mock1', CONSUMER_SECRET],
      ['denied', 'mock1-deny', CONSUMER_SECRET],
      ['badsecret', 'mock1', 'not-the-secret'],
    ] as const) {
      const created = await api.call('/config', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          provider_config_key: key,
          provider: name,
          oauth_client_id: CONSUMER_KEY,
          oauth_client_secret: secret,
          oauth_scopes: 'read',
        }),
      });
      expect(created.status).toBe(200);
    }
  });
  afterAll(async () => {
    await api?.stop();
    await provider?.stop();
  });

  it('gets a request token, sends the user to authorize, and trades the verifier for an access token', async () => {
    const end = await playFlow(`${api.url}/oauth/connect/trello?connection_id=u1`);
    expect(end.message).toEqual({
      eventType: 'AUTHORIZATION_SUCEEDED',
      data: { providerConfigKey: 'trello', connectionId: 'u1' },
    });
    const authorize = new URL(end.visited[1] as string);
    expect(authorize.searchParams.get('oauth_token')).toMatch(/^rt-/);
    expect(authorize.searchParams.get('expiration')).toBe('never');
    expect(authorize.searchParams.get('scope')).toBe('read');
    expect((await provider.calls()).slice(-2)).toEqual([
      { endpoint: '/request_token', ok: true },
      { endpoint: '/access_token', ok: true },
    ]);
    const got = await api.call('/connection/u1?provider_config_key=trello');
    expect(got.body.credentials).toMatchObject({
      type: 'OAUTH1',
      oauth_token: expect.stringMatching(/^at-/),
      raw: { user_id: '42' },
    });
    expect(got.body.credentials.oauth_token_secret).toEqual(expect.any(String));
    expect(api.rawLogs.join('\n')).not.toContain(got.body.credentials.oauth_token_secret);
  });

  it('refuses a replayed callback', async () => {
    const end = await playFlow(`${api.url}/oauth/connect/trello?connection_id=u2`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    const replay = await playFlow(callbackHop(end));
    expect(replay.message.data.error?.type).toBe('state_err');
  });

  it('ends a denial in callback_err and a refused request token in req_token_err', async () => {
    const denied = await playFlow(`${api.url}/oauth/connect/denied?connection_id=u3`);
    expect(denied.message.data.error?.type).toBe('callback_err');
    const bad = await playFlow(`${api.url}/oauth/connect/badsecret?connection_id=u3`);
    expect(bad.message.data.error).toEqual({
      type: 'req_token_err',
      message: 'The provider answered the request token call with HTTP 401 and no oauth_token and oauth_token_secret',
    });
    expect((await provider.calls()).at(-1)).toEqual({ endpoint: '/request_token', ok: false, reason: 'signature_invalid' });
    expect(api.rawLogs.join('\n')).not.toContain(CONSUMER_SECRET);
  });
});
