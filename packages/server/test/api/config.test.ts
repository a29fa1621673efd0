import Database from 'better-sqlite3';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

const catalog = catalogOf(
  {
    name: 'github',
    auth_mode: 'OAUTH2',
    authorization_url: 'https://github.com/login/oauth/authorize',
    token_url: 'https://github.com/login/oauth/access_token',
  },
  { name: 'trello', auth_mode: 'OAUTH1', authorization_url: 'https://trello.com/1/OAuthAuthorizeToken' },
  { name: 'someapi', auth_mode: 'API_KEY' },
);
const YAML = `integrations:
  slack:
    auth_mode: OAUTH2
    base_url: https://slack.com/api
    oauth:
      client_id: slack-client
`;
const SECRET = 'client-secret-that-must-not-leak';
const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    provider_config_key: 'gh',
    provider: 'github',
    oauth_client_id: 'id-1',
    oauth_client_secret: SECRET,
    oauth_scopes: 'repo, user',
    ...extra,
  });
const json = { 'content-type': 'application/json' };

describe('the /config routes', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await startApi({ yaml: YAML, catalog });
  });
  afterEach(() => api.stop());

  it('answers health without a key, and unknown routes with route_not_found', async () => {
    expect(await api.call('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await api.call('/nope')).toMatchObject({ status: 404, body: { error: { code: 'route_not_found' } } });
  });

  it('creates, lists, reads, edits and deletes an integration; integrations.yaml ones are listed read-only', async () => {
    expect(await api.call('/config', { method: 'POST', headers: json, body: body() })).toMatchObject({
      status: 200,
      body: { config_id: 'gh' },
    });
    const list = await api.call('/config');
    expect(list.body.configs).toEqual([
      expect.objectContaining({
        unique_key: 'gh',
        provider: 'github',
        oauth_client_id: 'id-1',
        oauth_scopes: 'repo,user',
        source: 'api',
      }),
      expect.objectContaining({ unique_key: 'slack', oauth_client_id: 'slack-client', source: 'file' }),
    ]);
    expect(JSON.stringify(list.body)).not.toContain(SECRET);
    expect((await api.call('/config/gh')).body.config).toMatchObject({ unique_key: 'gh', provider: 'github' });

    const edited = await api.call('/config', {
      method: 'PUT',
      headers: json,
      body: body({ oauth_client_id: 'id-2', oauth_scopes: ['a', 'b'] }),
    });
    expect(edited.status).toBe(200);
    expect((await api.call('/config/gh')).body.config).toMatchObject({ oauth_client_id: 'id-2', oauth_scopes: 'a,b' });

    expect(await api.call('/config/gh', { method: 'DELETE' })).toMatchObject({ status: 200, body: { success: true } });
    expect(await api.call('/config/gh')).toMatchObject({ status: 404, body: { error: { code: 'unknown_integration' } } });
    expect(await api.call('/config/gh', { method: 'DELETE' })).toMatchObject({ status: 404 });
  });

  it('lists the providers catalog and shows one entry', async () => {
    const list = await api.call('/providers');
    expect(list.body.data.map((provider: { name: string }) => provider.name)).toEqual(['github', 'someapi', 'trello']);
    expect((await api.call('/providers?search=git')).body.data).toEqual([
      expect.objectContaining({ name: 'github', auth_mode: 'OAUTH2', logo_url: expect.stringContaining('github') }),
    ]);
    expect((await api.call('/providers/trello')).body.data).toMatchObject({ name: 'trello', auth_mode: 'OAUTH1' });
    expect(await api.call('/providers/nope')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it('keeps the client secret encrypted in the database', async () => {
    await api.call('/config', { method: 'POST', headers: json, body: body() });
    const db = new Database(api.dbPath, { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM integrations').get() as Record<string, string>;
      expect(row['oauth_client_secret']).toMatch(/^v1:/);
      expect(JSON.stringify(row)).not.toContain(SECRET);
    } finally {
      db.close();
    }
  });

  it('refuses duplicates, unknown providers, non-OAuth providers and missing fields, with a code and a message', async () => {
    await api.call('/config', { method: 'POST', headers: json, body: body() });
    expect(await api.call('/config', { method: 'POST', headers: json, body: body() })).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_exists' } },
    });
    expect(
      await api.call('/config', { method: 'POST', headers: json, body: body({ provider_config_key: 'slack' }) }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_exists', message: expect.stringContaining('integrations.yaml') } },
    });
    expect(
      await api.call('/config', { method: 'POST', headers: json, body: body({ provider_config_key: 'x', provider: 'nosuch' }) }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_provider', message: expect.stringContaining("'nosuch'") } },
    });
    expect(
      await api.call('/config', { method: 'POST', headers: json, body: body({ provider_config_key: 'x', provider: 'someapi' }) }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringContaining('API_KEY') } },
    });
    const missing = await api.call('/config', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ provider_config_key: 'x', provider: 'github' }),
    });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    expect(missing.body.error.message).toContain('oauth_client_id');
    expect(missing.body.error.message).toContain('oauth_client_secret');
    expect(
      await api.call('/config', { method: 'POST', headers: json, body: body({ provider_config_key: 'bad key!' }) }),
    ).toMatchObject({
      status: 400,
    });
    expect(await api.call('/config', { method: 'POST', headers: json, body: '{not json' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
  });

  it('refuses to edit or delete an integrations.yaml integration (409), and to edit one that does not exist (404)', async () => {
    expect(
      await api.call('/config', { method: 'PUT', headers: json, body: body({ provider_config_key: 'slack' }) }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'integration_read_only', message: expect.stringContaining('integrations.yaml') } },
    });
    expect(await api.call('/config/slack', { method: 'DELETE' })).toMatchObject({ status: 409 });
    expect(
      await api.call('/config', { method: 'PUT', headers: json, body: body({ provider_config_key: 'nope' }) }),
    ).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_integration' } },
    });
  });

  it('answers the /connection routes with 400 for missing input and 404 for unknown integrations', async () => {
    expect(await api.call('/connection/u1')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringContaining('provider_config_key') } },
    });
    expect(await api.call('/connection/u1?provider_config_key=nope')).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_integration' } },
    });
    expect(await api.call('/connection/u1?provider_config_key=slack')).toMatchObject({
      status: 404,
      body: { error: { code: 'connection_not_found' } },
    });
    expect(await api.call('/connection')).toMatchObject({ status: 200, body: { connections: [] } });
  });
});

describe('the secret key', () => {
  const KEY = 'sk-test-0123456789';
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({ catalog, secretKey: KEY });
  });
  afterAll(() => api.stop());

  it('is required on the API as Bearer or as the Basic user name, never on /health', async () => {
    expect(await api.call('/config')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await api.call('/config', { key: 'wrong' })).toMatchObject({ status: 401 });
    expect(await api.call('/config', { headers: { authorization: 'Bearer' } })).toMatchObject({ status: 401 });
    expect(await api.call('/config', { key: KEY })).toMatchObject({ status: 200 });
    const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
    expect(await api.call('/config', { headers: { authorization: basic } })).toMatchObject({ status: 200 });
    const wrongBasic = `Basic ${Buffer.from(`${KEY}x:`).toString('base64')}`;
    expect(await api.call('/connection', { headers: { authorization: wrongBasic } })).toMatchObject({ status: 401 });
    expect(await api.call('/health')).toMatchObject({ status: 200 });
  });

  it('is never echoed in an error or a log line', async () => {
    const reply = await api.call('/config', { key: `${KEY}-nope` });
    expect(JSON.stringify(reply.body)).not.toContain(KEY);
    expect(api.rawLogs.join('\n')).not.toContain(KEY);
  });
});

describe('listening beyond loopback', () => {
  it('warns when the API is open to the network, and not when a secret key guards it', async () => {
    const warning = /listens beyond loopback without NANGO_SECRET_KEY/;
    const open = await startApi({ catalog, host: '0.0.0.0' });
    const guarded = await startApi({ catalog, host: '0.0.0.0', secretKey: 'k' });
    const local = await startApi({ catalog });
    try {
      expect(open.logs.some((line) => line.level === 40 && warning.test(String(line.msg)))).toBe(true);
      expect(guarded.logs.some((line) => warning.test(String(line.msg)))).toBe(false);
      expect(local.logs.some((line) => warning.test(String(line.msg)))).toBe(false);
    } finally {
      await open.stop();
      await guarded.stop();
      await local.stop();
    }
  });
});
