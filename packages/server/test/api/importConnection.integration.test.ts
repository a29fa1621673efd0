import type { PostPublicConnection } from '@nangohq/types' with { 'resolution-mode': 'import' };
import type { AuthWebhookBody } from '../../src/webhooks/Webhooks';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { RecordingWebhooks } from '../syncs/pagingExecutor';

// The official SDK 0.71.4 reads back what was imported. It has no import method: the request is Nango's documented
// `POST /connections`, its body typed by Nango's own types (PostPublicConnection) so the test sends what Nango takes.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => Official };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked by shape below
type Row = Record<string, any>;

interface Official {
  getConnection(key: string, id: string, forceRefresh?: boolean, refreshToken?: boolean): Promise<Row>;
  getToken(key: string, id: string): Promise<unknown>;
  getMetadata(key: string, id: string): Promise<Row>;
  listConnections(): Promise<{ connections: Row[] }>;
}

type ImportBody = PostPublicConnection['Body'];

const KEY = 'import-secret-key';
/** Every secret the test imports: none may show in a log line or an error message. */
const SECRETS = ['at-alice', 'rt-alice', 'at-alice-2', 'ot-carol', 'ots-carol', 'key-dave', 'pw-erin', 'rt-lonely'];

function yaml(): string {
  return `integrations:
  hub:
    provider: mockhub
    oauth:
      client_id: hub-client
      client_secret: hub-secret
  twitter:
    auth_mode: OAUTH1
    base_url: https://api.twitter.example
    oauth:
      client_id: consumer-key
      client_secret: consumer-secret
  keyed:
    auth_mode: API_KEY
    base_url: https://api.example.test
    headers:
      X-API-Key: \${api_key}
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: https://basic.example.test
`;
}

describe('POST /connections: importing Connections with their credentials', () => {
  let provider: ApiServer;
  let api: ApiHarness;
  let webhooks: RecordingWebhooks;
  let nango: Official;

  beforeAll(async () => {
    provider = await startApiServer((request) =>
      request.url === '/token' ? { body: { access_token: 'at-refreshed', expires_in: 3600, refresh_token: 'rt-new' } } : {},
    );
    webhooks = new RecordingWebhooks();
    api = await startApi({
      secretKey: KEY,
      yaml: yaml(),
      webhooks,
      catalog: catalogOf({
        name: 'mockhub',
        auth_mode: 'OAUTH2',
        authorization_url: `${provider.url}/authorize`,
        token_url: `${provider.url}/token`,
        proxy: { base_url: provider.url },
      }),
    });
    nango = new Nango({ host: api.url, secretKey: KEY });
  }, 30_000);
  afterAll(async () => {
    await api?.stop();
    await provider?.close();
  });

  /** POST /connections with the secret key: status and body. */
  const importing = (body: ImportBody | Record<string, unknown>, key = KEY) =>
    api.call('/connections', {
      method: 'POST',
      key,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const authWebhooks = () => webhooks.bodies.filter((body): body is AuthWebhookBody => body.type === 'auth');

  it('imports an OAuth 2 Connection with its refresh token, expiry, metadata, end user and tags', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const body: ImportBody = {
      provider_config_key: 'hub',
      connection_id: 'alice',
      credentials: { type: 'OAUTH2', access_token: 'at-alice', refresh_token: 'rt-alice', expires_at: expiresAt as never },
      metadata: { plan: 'pro' },
      connection_config: { subdomain: 'acme' },
      end_user: { id: 'eu-alice', email: 'alice@example.com', display_name: 'Alice' },
      tags: { team: 'red' },
    };
    const created = await importing(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      connection_id: 'alice',
      provider_config_key: 'hub',
      provider: 'mockhub',
      credentials: { type: 'OAUTH2', access_token: 'at-alice', expires_at: expiresAt },
      metadata: { plan: 'pro', subdomain: 'acme' },
      connection_config: { plan: 'pro', subdomain: 'acme' },
      end_user: { id: 'eu-alice', email: 'alice@example.com', display_name: 'Alice' },
      tags: { team: 'red' },
      errors: [],
    });
    expect(JSON.stringify(created.body)).not.toContain('rt-alice'); // as GET without refresh_token=true
    // One `auth` webhook, after the tags and end user were stored, so it carries them.
    expect(authWebhooks()).toEqual([
      expect.objectContaining({
        connectionId: 'alice',
        providerConfigKey: 'hub',
        operation: 'creation',
        success: true,
        tags: { team: 'red' },
        endUser: expect.objectContaining({ endUserId: 'eu-alice', endUserEmail: 'alice@example.com' }),
      }),
    ]);

    // The official SDK reads it back as any other Connection.
    expect(await nango.getToken('hub', 'alice')).toBe('at-alice');
    expect(await nango.getMetadata('hub', 'alice')).toEqual({ plan: 'pro', subdomain: 'acme' });
    expect((await nango.getConnection('hub', 'alice', false, true)).credentials.refresh_token).toBe('rt-alice');
    // And the imported refresh token is the one the server refreshes with.
    const refreshed = await nango.getConnection('hub', 'alice', true);
    expect(refreshed.credentials.access_token).toBe('at-refreshed');
    const grant = new URLSearchParams(provider.requests.find((request) => request.url === '/token')?.body);
    expect([grant.get('grant_type'), grant.get('refresh_token')]).toEqual(['refresh_token', 'rt-alice']);
  });

  it('overrides an existing Connection: new credentials, config merged, attributes kept, an override webhook', async () => {
    const before = authWebhooks().length;
    const again = await importing({
      provider_config_key: 'hub',
      connection_id: 'alice',
      credentials: { type: 'OAUTH2', access_token: 'at-alice-2', expires_in: 7200 },
      metadata: { seats: 3 },
    });
    expect(again.status).toBe(201);
    expect(Math.abs(Date.parse(again.body.credentials.expires_at) - (Date.now() + 7200_000))).toBeLessThan(60_000);
    expect(again.body).toMatchObject({
      metadata: { plan: 'pro', subdomain: 'acme', seats: 3 },
      tags: { team: 'red' },
      end_user: { id: 'eu-alice' },
    });
    expect(await nango.getToken('hub', 'alice')).toBe('at-alice-2');
    expect(authWebhooks().slice(before)).toEqual([
      expect.objectContaining({ connectionId: 'alice', operation: 'override', success: true, tags: { team: 'red' } }),
    ]);
  });

  it('imports OAuth 1, API key and basic credentials in Nango’s shapes, and makes a connection id when none is given', async () => {
    const oauth1 = await importing({
      provider_config_key: 'twitter',
      connection_id: 'carol',
      credentials: { type: 'OAUTH1', oauth_token: 'ot-carol', oauth_token_secret: 'ots-carol' },
    });
    expect([oauth1.status, oauth1.body.credentials]).toEqual([
      201,
      expect.objectContaining({ type: 'OAUTH1', oauth_token: 'ot-carol', oauth_token_secret: 'ots-carol' }),
    ]);
    expect(await nango.getToken('twitter', 'carol')).toEqual({ oAuthToken: 'ot-carol', oAuthTokenSecret: 'ots-carol' });

    const keyed = await importing({
      provider_config_key: 'keyed',
      connection_id: 'dave',
      credentials: { type: 'API_KEY', apiKey: 'key-dave' },
    });
    expect(keyed.status).toBe(201);
    expect(await nango.getToken('keyed', 'dave')).toMatchObject({ type: 'API_KEY', apiKey: 'key-dave' });

    const basic = await importing({
      provider_config_key: 'basic',
      credentials: { type: 'BASIC', username: 'erin', password: 'pw-erin' },
    });
    expect(basic.status).toBe(201);
    expect(basic.body.connection_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await nango.getToken('basic', basic.body.connection_id)).toMatchObject({
      type: 'BASIC',
      username: 'erin',
      password: 'pw-erin',
    });
    expect(
      authWebhooks()
        .filter((body) => body.operation === 'creation')
        .map((body) => body.providerConfigKey),
    ).toEqual(['hub', 'twitter', 'keyed', 'basic']);
  });

  it('refuses bad input with a 400 naming the field, and stores nothing', async () => {
    const before = (await nango.listConnections()).connections.length;
    const webhooksBefore = webhooks.bodies.length;
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ provider_config_key: 'hub' }, 400, 'invalid_request', "body must have required property 'credentials'"],
      [{ provider_config_key: 'nope', credentials: { type: 'OAUTH2' } }, 404, 'unknown_integration', "'nope'"],
      [
        { provider_config_key: 'hub', credentials: { type: 'BASIC', username: 'u', password: 'pw-erin' } },
        400,
        'invalid_credentials',
        "body/credentials/type must be 'OAUTH2'",
      ],
      [
        { provider_config_key: 'hub', credentials: { type: 'OAUTH2' } },
        400,
        'invalid_credentials',
        'body/credentials/access_token',
      ],
      [
        { provider_config_key: 'hub', credentials: { type: 'OAUTH2', access_token: 'at-alice', refresh_token: 'rt-lonely' } },
        400,
        'invalid_credentials',
        'expires_at or expires_in is required with a refresh_token',
      ],
      [
        { provider_config_key: 'hub', credentials: { type: 'OAUTH2', access_token: 'at-alice', expires_at: 'tomorrow' } },
        400,
        'invalid_credentials',
        'expires_at must be a date',
      ],
      [
        { provider_config_key: 'hub', credentials: { type: 'OAUTH2', access_token: 'at-alice', token: 'x' } },
        400,
        'invalid_credentials',
        'body/credentials/token is not a field of OAUTH2 credentials',
      ],
      [
        {
          provider_config_key: 'hub',
          credentials: { type: 'OAUTH2', access_token: 'at-alice', config_override: { client_id: 'other' } },
        },
        400,
        'invalid_credentials',
        'body/credentials/config_override is not supported',
      ],
      [
        { provider_config_key: 'keyed', credentials: { type: 'API_KEY', apiKey: 'key-dave', api_key: 'key-dave' } },
        400,
        'invalid_credentials',
        'give the key once',
      ],
      [{ provider_config_key: 'keyed', credentials: { type: 'API_KEY' } }, 400, 'invalid_credentials', 'body/credentials/apiKey'],
      [
        { provider_config_key: 'twitter', credentials: { type: 'OAUTH1', oauth_token: 'ot-carol' } },
        400,
        'invalid_credentials',
        'body/credentials/oauth_token_secret',
      ],
      [
        {
          provider_config_key: 'keyed',
          credentials: { type: 'API_KEY', apiKey: 'key-dave' },
          metadata: { region: 'eu' },
          connection_config: { region: 'us' },
        },
        400,
        'invalid_request',
        'body/metadata/region and body/connection_config/region differ',
      ],
      [
        {
          provider_config_key: 'keyed',
          credentials: { type: 'API_KEY', apiKey: 'key-dave' },
          webhook_url_override: 'https://x',
        },
        400,
        'invalid_request',
        'body/webhook_url_override is not supported',
      ],
      [
        { provider_config_key: 'keyed', credentials: { type: 'API_KEY', apiKey: 'key-dave' }, extra: 1 },
        400,
        'invalid_request',
        "must NOT have additional properties: 'extra'",
      ],
      [
        { provider_config_key: 'keyed', credentials: { type: 'API_KEY', apiKey: 'key-dave' }, end_user: { email: 'x' } },
        400,
        'invalid_request',
        'body/end_user',
      ],
    ];
    for (const [body, status, code, message] of cases) {
      const refused = await importing(body);
      expect([refused.status, refused.body.error?.code, refused.body.error?.message]).toEqual([
        status,
        code,
        expect.stringContaining(message),
      ]);
      for (const secret of SECRETS) expect(refused.body.error.message).not.toContain(secret);
    }
    expect(
      (await importing({ provider_config_key: 'keyed', credentials: { type: 'API_KEY', apiKey: 'k' } }, 'wrong')).status,
    ).toBe(401);
    expect((await nango.listConnections()).connections).toHaveLength(before);
    expect(webhooks.bodies).toHaveLength(webhooksBefore);
  });

  it('writes no imported secret to the log', () => {
    const log = api.rawLogs.join('\n');
    expect(log).toContain('Connection imported through POST /connections');
    for (const secret of SECRETS) expect(log).not.toContain(secret);
  });
});
