import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { catalogOf } from '../helpers/apiHarness';
import { startHarness, type Harness } from '../helpers/harness';
import { playFlow } from '../helpers/oauthFlow';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';

/**
 * The "done when", end to end: an integration made through the API (as `nango config:create` does), a
 * Connection made by the OAuth flow, and the RabbitMQ client's getToken and triggerAction using that token.
 */
describe('an integration made at run time, connected by OAuth, used over RabbitMQ', () => {
  let auth: AuthServer;
  let thirdParty: ApiServer;
  let harness: Harness;

  beforeAll(async () => {
    auth = await AuthServer.start();
    thirdParty = await startApiServer(() => ({ body: { me: 'octocat' } }));
    harness = await startHarness({
      yaml: 'integrations:\n',
      catalog: catalogOf({
        name: 'mockhub',
        auth_mode: 'OAUTH2',
        authorization_url: `${auth.url}/authorize`,
        token_url: auth.tokenUrl,
        proxy: { base_url: thirdParty.url },
      }),
    });
  });
  afterAll(async () => {
    await harness?.stop();
    await thirdParty?.close();
    await auth?.stop();
  });

  it('runs the integration folder’s action with the token the flow obtained', async () => {
    const api = harness.worker.httpUrl as string;
    // `api` is also the name of a fixture folder (api/call.action.ts): its actions belong to this integration.
    const created = await fetch(`${api}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        provider_config_key: 'api',
        provider: 'mockhub',
        oauth_client_id: CLIENT_ID,
        oauth_client_secret: CLIENT_SECRET,
        oauth_scopes: 'read',
      }),
    });
    expect(created.status).toBe(200);
    const end = await playFlow(`${api}/oauth/connect/api?connection_id=user-1`);
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');

    const stored = await (await fetch(`${api}/connection/user-1?provider_config_key=api`)).json();
    const token = (stored as { credentials: { access_token: string } }).credentials.access_token;
    await expect(harness.nango.getToken('api', 'user-1')).resolves.toEqual({ success: true, returnValue: token });
    const result = await harness.nango.triggerAction('api', 'call', 'user-1', { endpoint: '/me' });
    expect(result).toMatchObject({ success: true, returnValue: { status: 200 } });
    expect(thirdParty.requests.at(-1)).toMatchObject({
      method: 'GET',
      url: '/me',
      headers: { authorization: `Bearer ${token}` },
    });
  });
});
