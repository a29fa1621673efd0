/**
 * A provider whose callback carries the code under another name (Amazon Selling Partner's `spapi_oauth_code`, as
 * Nango's catalog says with `authorization_code_param_in_callback`): the flow reads it there.
 */
import type { Provider } from '../../src/providers/Provider';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { playFlow } from '../helpers/oauthFlow';
import { CatalogMock } from '../catalog/CatalogMock';
import { clientIdOf, clientSecretOf } from '../catalog/catalogEntries';
import { mockedUrl } from '../catalog/mockUrls';

describe('an OAuth 2 provider that names the callback code otherwise', () => {
  let mock: CatalogMock;
  let api: ApiHarness;
  let entry: Provider;

  beforeAll(async () => {
    mock = await CatalogMock.start((name) => (name === entry.name ? { ...entry } : undefined));
    const url = (role: string, path: string) => mockedUrl(`https://127.0.0.1${path}`, 'seller', role, mock.port);
    entry = {
      name: 'seller',
      auth_mode: 'OAUTH2',
      authorization_url: url('authorization_url', '/apps/authorize/consent'),
      token_url: url('token_url', '/auth/o2/token'),
      authorization_code_param_in_callback: 'spapi_oauth_code',
      disable_pkce: true,
      proxy: { base_url: url('base_url', '') },
    };
    const client = clientIdOf('seller');
    api = await startApi({
      catalog: catalogOf(entry),
      yaml: `integrations:\n  seller:\n    provider: seller\n    oauth:\n      client_id: ${client}\n      client_secret: ${clientSecretOf(client)}\n`,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await mock?.stop();
  });

  it('takes the code from the parameter the catalog names, and trades it for a token', async () => {
    const end = await playFlow(`${api.url}/oauth/connect/seller?connection_id=c1`);
    expect(new URL(end.visited[2] ?? '').searchParams.has('spapi_oauth_code')).toBe(true);
    expect(end.message).toEqual({
      eventType: 'AUTHORIZATION_SUCEEDED',
      data: { providerConfigKey: 'seller', connectionId: 'c1' },
    });
    const got = await api.call('/connection/c1?provider_config_key=seller');
    expect(mock.gaveOut(got.body.credentials.access_token)).toBe(true);
  });

  it('names that parameter when the callback lacks it', async () => {
    const start = await fetch(`${api.url}/oauth/connect/seller?connection_id=c2`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const end = await playFlow(`${api.url}/oauth/callback?state=${state}&code=not-here`);
    expect(end.message.data.error).toEqual({ type: 'callback_err', message: 'The callback carries no spapi_oauth_code' });
  });
});
