import { WebSocket } from 'ws';
import type { Provider } from '../../src/providers/Provider';
import { openStore } from '../../src/store/openStore';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { playFlow } from '../helpers/oauthFlow';
import { AuthServer, CLIENT_ID, CLIENT_SECRET } from '../oauth/authServer';
import type { WebhookBody } from '../../src/webhooks/Webhooks';

// The official @nangohq/node 0.71.4, unchanged (its CommonJS build).
const { Nango } = require('nango-node-0714') as {
  Nango: new (options: { host: string; secretKey: string }) => {
    createConnectSession(body: unknown): Promise<{ data: { token: string; connect_link: string; expires_at: string } }>;
    createReconnectSession(body: unknown): Promise<{ data: { token: string; connect_link: string; expires_at: string } }>;
  };
};

const SECRET_KEY = 'connect-secret-key';
const GOOD_KEY = 'the-right-key';
const json = { 'content-type': 'application/json' };
const TOKEN = /^nango_connect_session_[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('connect sessions over HTTP, with the official node SDK 0.71.4', () => {
  let auth: AuthServer;
  let provider: ApiServer;
  let api: ApiHarness;
  let nango: InstanceType<typeof Nango>;
  const webhooks: WebhookBody[] = [];
  /** The auth webhooks one Connection got, in order. */
  const authWebhooks = (connectionId: string) =>
    webhooks.flatMap((body) => (body.type === 'auth' && body.connectionId === connectionId ? [body.operation] : []));

  beforeAll(async () => {
    auth = await AuthServer.start();
    // Plays the API-key provider: its verification endpoint accepts one key only.
    provider = await startApiServer((request) =>
      request.headers['x-api-key'] === GOOD_KEY ? { body: { me: 'ok' } } : { status: 401, body: { error: 'bad key' } },
    );
    const keyed = {
      name: 'keyed',
      display_name: 'Keyed API',
      auth_mode: 'API_KEY',
      proxy: {
        base_url: provider.url,
        headers: { 'X-API-Key': '${apiKey}' },
        verification: { method: 'GET', endpoints: ['/me'] },
      },
    } as Provider;
    api = await startApi({
      secretKey: SECRET_KEY,
      webhooks: { enqueue: async (body) => void webhooks.push(body) },
      yaml: `integrations:
  keyed:
    provider: keyed
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: https://basic.example.test
`,
      catalog: catalogOf(
        {
          name: 'mock',
          display_name: 'Mock OAuth',
          auth_mode: 'OAUTH2',
          authorization_url: `${auth.url}/authorize`,
          token_url: auth.tokenUrl,
        },
        keyed,
      ),
    });
    for (const key of ['mock', 'other']) {
      const created = await api.call('/config', {
        method: 'POST',
        key: SECRET_KEY,
        headers: json,
        body: JSON.stringify({
          provider_config_key: key,
          provider: 'mock',
          oauth_client_id: CLIENT_ID,
          oauth_client_secret: CLIENT_SECRET,
          oauth_scopes: 'read',
        }),
      });
      expect(created.status).toBe(200);
    }
    nango = new Nango({ host: api.url, secretKey: SECRET_KEY });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await provider?.close();
    await auth?.stop();
  });

  const endUser = { id: 'eu-1', email: 'ann@example.test', display_name: 'Ann' };
  const session = (token: string) => api.call('/connect/session', { headers: { authorization: `Bearer ${token}` } });

  it('creates a session with createConnectSession: a hashed token, a connect link and a 30-minute expiry', async () => {
    const before = Date.now();
    const created = await nango.createConnectSession({
      end_user: endUser,
      organization: { id: 'org-1', display_name: 'Acme' },
      tags: { plan: 'pro' },
      allowed_integrations: ['mock', 'keyed'],
      integrations_config_defaults: { mock: { user_scopes: ['chat:write'], connection_config: { team: 'blue' } } },
    });
    const { token, connect_link: link, expires_at: expiresAt } = created.data;
    expect(token).toMatch(TOKEN);
    expect(link).toBe(`${api.url}/connect?session_token=${token}`);
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(29 * 60_000);
    expect(lifetime).toBeLessThanOrEqual(30 * 60_000 + 5_000);
    const read = await session(token);
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({
      end_user: { id: 'eu-1', email: 'ann@example.test', display_name: 'Ann', tags: {} },
      organization: { id: 'org-1', display_name: 'Acme' },
      tags: { plan: 'pro' },
      allowed_integrations: ['mock', 'keyed'],
      integrations_config_defaults: { mock: { user_scopes: ['chat:write'], connection_config: { team: 'blue' } } },
      is_reconnecting: false,
      expires_at: expiresAt,
    });
    expect(JSON.stringify(read.body)).not.toContain(token);
    // The database holds no token.
    const { store } = await openStore({}, { kind: 'sqlite', path: api.dbPath });
    try {
      expect(await store.connectSessions.get(token)).toBeDefined();
    } finally {
      await store.close();
    }
  });

  it('refuses a session without end user or tags, with unknown integrations, and without the secret key', async () => {
    const post = (body: unknown, key = SECRET_KEY) =>
      api.call('/connect/sessions', { method: 'POST', ...(key && { key }), headers: json, body: JSON.stringify(body) });
    expect((await post({})).body).toEqual({
      error: { code: 'invalid_request', message: 'body/end_user is required unless tags are given' },
    });
    const unknown = await post({ end_user: endUser, allowed_integrations: ['mock', 'nope', 'neither'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe('Unknown integrations: nope, neither (GET /config lists them)');
    expect((await post({ tags: { only: 'tags' } })).status).toBe(201);
    expect((await post({ end_user: endUser }, '')).status).toBe(401);
    expect((await post({ end_user: { email: 'no-id@example.test' } })).status).toBe(400);
  });

  it('answers GET /connect/session only to a live session token, and DELETE ends it', async () => {
    const { token } = (await nango.createConnectSession({ end_user: endUser })).data;
    expect((await session(`nango_connect_session_${'0'.repeat(64)}`)).body.error.code).toBe('invalid_connect_session');
    expect((await api.call('/connect/session', { key: SECRET_KEY })).status).toBe(401);
    expect((await api.call('/connect/session')).status).toBe(401);
    const read = await session(token);
    expect(read.body.data.allowed_integrations).toBeNull();
    const ended = await api.call('/connect/session', { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    expect(ended.status).toBe(204);
    expect((await session(token)).status).toBe(401);
  });

  it('lists the allowed integrations with display names and auth modes for the Connect page', async () => {
    const { token } = (await nango.createConnectSession({ end_user: endUser, allowed_integrations: ['keyed', 'mock', 'basic'] }))
      .data;
    const listed = await api.call('/connect/session/integrations', { headers: { authorization: `Bearer ${token}` } });
    // The form of each: the fields of its mode (none for OAuth), as no catalog description refines them here.
    const field = (name: string, title: string, secret: boolean) => ({
      name,
      title,
      secret,
      description: null,
      example: null,
      pattern: null,
      format: null,
      prefix: null,
      suffix: null,
      enum: null,
      default_value: null,
      optional: false,
      hidden: false,
      doc_url: null,
    });
    const form = (...credentials: ReturnType<typeof field>[]) => ({ docs_connect: null, connection_config: [], credentials });
    expect(listed.body).toEqual({
      data: [
        {
          unique_key: 'keyed',
          provider: 'keyed',
          display_name: 'Keyed API',
          auth_mode: 'API_KEY',
          ...form(field('apiKey', 'API key', true)),
        },
        { unique_key: 'mock', provider: 'mock', display_name: 'Mock OAuth', auth_mode: 'OAUTH2', ...form() },
        {
          unique_key: 'basic',
          provider: null,
          display_name: 'basic',
          auth_mode: 'BASIC',
          ...form(field('username', 'User name', false), field('password', 'Password', true)),
        },
      ],
    });
  });

  it('runs the OAuth flow with a session token: generated id, session defaults, end user and tags on the Connection, id in the WS frame', async () => {
    const { token } = (
      await nango.createConnectSession({
        end_user: endUser,
        tags: { plan: 'pro' },
        allowed_integrations: ['mock'],
        integrations_config_defaults: {
          mock: { user_scopes: ['chat:write'], authorization_params: { prompt: 'consent' }, connection_config: { team: 'blue' } },
        },
      })
    ).data;
    const socket = new WebSocket(api.url.replace('http', 'ws'));
    const frames: Record<string, unknown>[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    await new Promise((resolve) => socket.once('message', resolve));
    const wsClientId = (frames[0] as { ws_client_id: string }).ws_client_id;
    const end = await playFlow(
      `${api.url}/oauth/connect/mock?connect_session_token=${token}&ws_client_id=${wsClientId}&user_scope=ignored&params%5Bteam%5D=red`,
    );
    expect(end.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    const connectionId = end.message.data.connectionId;
    expect(connectionId).toMatch(UUID);
    const authorize = new URL(end.visited[1] as string);
    expect(authorize.searchParams.get('user_scope')).toBe('chat:write');
    expect(authorize.searchParams.get('prompt')).toBe('consent');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.close();
    expect(frames[1]).toEqual({
      message_type: 'success',
      provider_config_key: 'mock',
      connection_id: connectionId,
      is_pending: false,
    });
    const connections = await api.store();
    expect((await connections.get('mock', connectionId))?.additionalConfig).toEqual({ team: 'blue' });
    expect(await connections.attributes('mock', connectionId)).toEqual({
      tags: { plan: 'pro' },
      endUser: { id: 'eu-1', email: 'ann@example.test', displayName: 'Ann', organization: null },
    });
  });

  it('refuses, in the callback protocol, a connection_id with a session token, another integration, an unknown token', async () => {
    const { token } = (await nango.createConnectSession({ end_user: endUser, allowed_integrations: ['mock'] })).data;
    const withId = await playFlow(`${api.url}/oauth/connect/mock?connect_session_token=${token}&connection_id=mine`);
    expect(withId.message.data.error?.type).toBe('invalid_query_params');
    const other = await playFlow(`${api.url}/oauth/connect/other?connect_session_token=${token}`);
    expect(other.message.data.error).toEqual({
      type: 'integration_not_allowed',
      message: "This connect session does not allow integration 'other'",
    });
    const unknown = await playFlow(`${api.url}/oauth/connect/mock?connect_session_token=nango_connect_session_${'1'.repeat(64)}`);
    expect(unknown.message.data.error?.type).toBe('invalid_connect_session');
    // Without a session token, connection_id is still required.
    expect((await playFlow(`${api.url}/oauth/connect/mock`)).message.data.error?.type).toBe('missing_connection_id');
  });

  it('reconnects an existing Connection with createReconnectSession, keeping its id; 400 for a missing one', async () => {
    const first = await playFlow(`${api.url}/oauth/connect/mock?connection_id=to-reconnect`);
    expect(first.message.eventType).toBe('AUTHORIZATION_SUCEEDED');
    const connections = await api.store();
    await connections.setAttributes('mock', 'to-reconnect', { endUser: { id: 'eu-9' }, tags: { a: '1' } });
    const exchanges = (await auth.calls()).length;
    const { token } = (await nango.createReconnectSession({ connection_id: 'to-reconnect', integration_id: 'mock' })).data;
    expect(token).toMatch(TOKEN);
    expect((await session(token)).body.data).toMatchObject({
      connection_id: 'to-reconnect',
      is_reconnecting: true,
      allowed_integrations: ['mock'],
      end_user: { id: 'eu-9' },
    });
    const again = await playFlow(`${api.url}/oauth/connect/mock?connect_session_token=${token}`);
    expect(again.message.data).toEqual({ providerConfigKey: 'mock', connectionId: 'to-reconnect' });
    expect((await auth.calls()).slice(exchanges).map((call) => call.grantType)).toEqual(['authorization_code']);
    expect(await connections.attributes('mock', 'to-reconnect')).toEqual({ endUser: { id: 'eu-9' }, tags: { a: '1' } });
    const missing = await nango
      .createReconnectSession({ connection_id: 'nobody', integration_id: 'mock' })
      .catch((e: unknown) => e);
    expect((missing as { response: { status: number; data: unknown } }).response).toMatchObject({
      status: 400,
      data: { error: { code: 'connection_not_found', message: "No Connection 'nobody' on integration 'mock' to reconnect" } },
    });
  });

  it('makes API-key and basic Connections through /api-auth: verified, then created, then overridden', async () => {
    const { token } = (await nango.createConnectSession({ end_user: endUser, tags: { from: 'form' } })).data;
    const postKey = (query: string, body: unknown) =>
      api.call(`/api-auth/api-key/keyed?${query}`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    const wrong = await postKey(`connect_session_token=${token}`, { apiKey: 'wrong' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('connection_test_failed');
    expect(JSON.stringify(wrong.body)).not.toContain('wrong');
    expect((await postKey(`connect_session_token=${token}`, {})).body.error.code).toBe('invalid_credentials');
    const right = await postKey(`connect_session_token=${token}`, { apiKey: GOOD_KEY });
    expect(right.status).toBe(200);
    expect(right.body).toEqual({ connectionId: expect.stringMatching(UUID), providerConfigKey: 'keyed' });
    const connections = await api.store();
    expect((await connections.get('keyed', right.body.connectionId))?.credentials).toMatchObject({ api_key: GOOD_KEY });
    expect(await connections.attributes('keyed', right.body.connectionId)).toMatchObject({
      tags: { from: 'form' },
      endUser: { id: 'eu-1' },
    });
    expect(authWebhooks(right.body.connectionId)).toEqual(['creation']);
    // With connection_id and no session: created, then overridden.
    expect((await postKey('connection_id=k-1', { apiKey: GOOD_KEY })).body).toEqual({
      connectionId: 'k-1',
      providerConfigKey: 'keyed',
    });
    expect((await postKey('connection_id=k-1&params%5Bregion%5D=eu', { apiKey: GOOD_KEY })).status).toBe(200);
    expect((await connections.get('keyed', 'k-1'))?.additionalConfig).toEqual({ region: 'eu' });
    expect(authWebhooks('k-1')).toEqual(['creation', 'override']);
    expect((await postKey('', { apiKey: GOOD_KEY })).body.error.code).toBe('missing_connection_id');
    const basic = await api.call('/api-auth/basic/basic?connection_id=b-1', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'ann', password: 'pw' }),
    });
    expect(basic.body).toEqual({ connectionId: 'b-1', providerConfigKey: 'basic' });
    expect((await connections.get('basic', 'b-1'))?.credentials).toMatchObject({ username: 'ann', password: 'pw' });
    const wrongMode = await api.call('/api-auth/basic/keyed?connection_id=b-2', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ username: 'ann', password: 'pw' }),
    });
    expect(wrongMode.body.error).toEqual({
      code: 'auth_mode_err',
      message: "Integration 'keyed' uses API_KEY, not USERNAME_PASSWORD",
    });
    const notAllowed = await api.call(
      `/api-auth/basic/basic?connect_session_token=${(await nango.createConnectSession({ end_user: endUser, allowed_integrations: ['keyed'] })).data.token}`,
      {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ username: 'ann', password: 'pw' }),
      },
    );
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.error.code).toBe('integration_not_allowed');
  });

  it('treats an expired session as unknown everywhere', async () => {
    const token = `nango_connect_session_${'e'.repeat(64)}`;
    const { store } = await openStore({}, { kind: 'sqlite', path: api.dbPath });
    try {
      await store.connectSessions.create(token, {
        endUser: { id: 'late' },
        tags: {},
        integrationsConfigDefaults: {},
        createdAt: Date.now() - 31 * 60_000,
        expiresAt: Date.now() - 60_000,
      });
    } finally {
      await store.close();
    }
    expect((await session(token)).body.error.code).toBe('invalid_connect_session');
    const flow = await playFlow(`${api.url}/oauth/connect/mock?connect_session_token=${token}`);
    expect(flow.message.data.error?.type).toBe('invalid_connect_session');
    const key = await api.call(`/api-auth/api-key/keyed?connect_session_token=${token}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ apiKey: GOOD_KEY }),
    });
    expect(key.status).toBe(401);
    expect(key.body.error.code).toBe('invalid_connect_session');
  });
});
