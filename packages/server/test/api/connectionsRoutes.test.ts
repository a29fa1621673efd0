import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';

const KEY = 'connections-secret-key';
const CLIENT_SECRET = 'hub-client-secret-never-logged';
const json = { 'content-type': 'application/json' };

/** The provider: a token endpoint and revocation endpoints that answer as `revokeAnswer` says. */
let revokeAnswer: { status: number; delayMs?: number } = { status: 200 };
function respond(request: RecordedRequest) {
  if (request.url === '/token') return { body: { access_token: 'refreshed-token', expires_in: 3600, refresh_token: 'rt-2' } };
  if (request.url.startsWith('/revoke'))
    return { status: revokeAnswer.status, body: { error: 'nope' }, delayMs: revokeAnswer.delayMs };
  return { status: 404 };
}

function yaml(provider: string): string {
  return `integrations:
  hub:
    provider: mockhub
    http_timeout_ms: 1000
    oauth:
      client_id: hub-client
      client_secret: ${CLIENT_SECRET}
  basichub:
    provider: basichub
    oauth:
      client_id: basic-client
      client_secret: basic-secret
  keyed:
    auth_mode: API_KEY
    base_url: ${provider}
    headers:
      x-api-key: \${api_key}
`;
}

function catalog(provider: string) {
  return catalogOf(
    {
      name: 'mockhub',
      auth_mode: 'OAUTH2',
      authorization_url: `${provider}/authorize`,
      token_url: `${provider}/token`,
      revocation_url: `${provider}/revoke`,
      proxy: { base_url: provider },
    },
    {
      name: 'basichub',
      auth_mode: 'OAUTH2',
      authorization_url: `${provider}/authorize`,
      token_url: `${provider}/token`,
      revocation_url: `${provider}/revoke-json`,
      authorization_method: 'header',
      revocation: { body_format: 'json' },
      proxy: { base_url: provider },
    },
  );
}

const soon = () => new Date(Date.now() + 3600_000).toISOString();
const oauth = (token: string, expiresAt = soon()) => ({
  access_token: token,
  refresh_token: `${token}-refresh`,
  expires_at: expiresAt,
  raw: { access_token: token, refresh_token: `${token}-refresh` },
});

describe('the /connections routes', () => {
  let provider: ApiServer;
  let api: ApiHarness;
  const call = (path: string, init: RequestInit = {}) => api.call(path, { key: KEY, ...init });

  beforeAll(async () => {
    provider = await startApiServer(respond);
  });
  afterAll(() => provider.close());
  beforeEach(async () => {
    revokeAnswer = { status: 200 };
    provider.requests.length = 0;
    api = await startApi({ yaml: yaml(provider.url), catalog: catalog(provider.url), secretKey: KEY });
    const store = await api.store();
    await store.insert({ integration: 'hub', userId: 'alice', credentials: oauth('tok-a'), additionalConfig: { plan: 'pro' } });
    await store.insert({ integration: 'hub', userId: 'bob', credentials: oauth('tok-b'), additionalConfig: {} });
    await store.insert({ integration: 'basichub', userId: 'alice', credentials: oauth('tok-c'), additionalConfig: {} });
    await store.insert({ integration: 'keyed', userId: 'carol', credentials: { api_key: 'k-1', raw: {} }, additionalConfig: {} });
    await store.setAttributes('hub', 'alice', {
      tags: { Team: 'red', end_user_id: 'tagged-alice' },
      endUser: {
        id: 'eu-alice',
        email: 'alice@example.com',
        displayName: 'Alice Liddell',
        organization: { id: 'org-1', displayName: 'Wonder' },
      },
    });
    await store.setAttributes('basichub', 'alice', { tags: { team: 'blue' }, endUser: { id: 'eu-alice' } });
  });
  afterEach(() => api.stop());

  const ids = (body: { connections: { provider_config_key: string; connection_id: string }[] }) =>
    body.connections.map((c) => `${c.provider_config_key}/${c.connection_id}`);

  it('lists Connections with every filter', async () => {
    const all = await call('/connections');
    expect(all.status).toBe(200);
    expect(ids(all.body)).toEqual(['basichub/alice', 'hub/alice', 'hub/bob', 'keyed/carol']);
    const alice = all.body.connections[1];
    expect(alice).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      connection_id: 'alice',
      provider_config_key: 'hub',
      provider: 'mockhub',
      errors: [],
      end_user: {
        id: 'eu-alice',
        display_name: 'Alice Liddell',
        email: 'alice@example.com',
        tags: {},
        organization: { id: 'org-1', display_name: 'Wonder' },
      },
      tags: { Team: 'red', end_user_id: 'tagged-alice' },
      metadata: { plan: 'pro' },
      created: expect.any(String),
    });
    expect(all.body.connections[3]).toMatchObject({ provider: 'keyed', end_user: null, tags: {} });
    expect(JSON.stringify(all.body)).not.toContain('tok-');

    expect(ids((await call('/connections?connectionId=alice')).body)).toEqual(['basichub/alice', 'hub/alice']);
    expect(ids((await call('/connections?integrationId=hub,keyed')).body)).toEqual(['hub/alice', 'hub/bob', 'keyed/carol']);
    expect(ids((await call('/connections?endUserId=eu-alice')).body)).toEqual(['basichub/alice', 'hub/alice']);
    expect(ids((await call('/connections?endUserId=tagged-alice')).body)).toEqual(['hub/alice']);
    expect(ids((await call('/connections?endUserOrganizationId=org-1')).body)).toEqual(['hub/alice']);
    expect(ids((await call('/connections?search=LIDDELL')).body)).toEqual(['hub/alice']);
    expect(ids((await call('/connections?search=car')).body)).toEqual(['keyed/carol']);
    expect(ids((await call(`/connections?${encodeURI('tags[team]=red')}`)).body)).toEqual(['hub/alice']);
    expect(ids((await call('/connections?tags%5BTEAM%5D=blue')).body)).toEqual(['basichub/alice']);
    expect(ids((await call('/connections?tags%5Bend_user_email%5D=alice%40example.com')).body)).toEqual(['hub/alice']);
    expect(ids((await call('/connections?limit=2')).body)).toEqual(['basichub/alice', 'hub/alice']);
    expect(ids((await call('/connections?limit=2&page=1')).body)).toEqual(['hub/bob', 'keyed/carol']);
    expect(ids((await call('/connections?limit=2&page=2')).body)).toEqual([]);
    expect(ids((await call('/connections?connectionId=alice&integrationId=hub&endUserId=eu-alice')).body)).toEqual(['hub/alice']);
  });

  it('shows a Connection whose refresh token was rejected with an auth error', async () => {
    const store = await api.store();
    const stored = await store.get('hub', 'bob');
    const version = await store.credentialsVersion(stored?.uuid ?? '');
    await store.markNeedsReauthorization(stored?.uuid ?? '', 'invalid_grant: revoked', version ?? 0);
    const listed = (await call('/connections?connectionId=bob')).body.connections[0];
    expect(listed.errors).toEqual([{ type: 'auth', log_id: '', message: 'invalid_grant: revoked' }]);
  });

  it('refuses bad list filters, naming them', async () => {
    const bad = async (query: string, field: string) => {
      const reply = await call(`/connections?${query}`);
      expect(reply.status).toBe(400);
      expect(reply.body.error.code).toBe('invalid_request');
      expect(reply.body.error.message).toContain(field);
    };
    await bad('limit=0', 'limit');
    await bad('limit=2001', 'limit');
    await bad('limit=ten', 'limit');
    await bad('page=-1', 'page');
    await bad('integrationId=,', 'integrationId');
    await bad('tags%5Bteam%5D=a&tags%5Bteam%5D=b', 'tags[team]');
    await bad('tags%5B%5D=a', 'tags[]');
    // An enum names the values it takes.
    await bad(
      'authorization=maybe',
      'querystring/authorization must be equal to one of the allowed values ("ok", "needs_reauthorization")',
    );
    expect((await call('/connections?limit=2000')).status).toBe(200);
  });

  it('gets one Connection as the 0.71 SDK reads it, refreshing when due or asked', async () => {
    const got = await call(
      '/connections/alice?provider_config_key=hub&force_refresh=false&refresh_token=false&refresh_github_app_jwt_token=false&extra=1',
    );
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      connection_id: 'alice',
      provider_config_key: 'hub',
      provider: 'mockhub',
      errors: [],
      end_user: { id: 'eu-alice', email: 'alice@example.com' },
      tags: { Team: 'red' },
      metadata: { plan: 'pro' },
      connection_config: { plan: 'pro' },
      webhook_url_override: null,
      credentials: { type: 'OAUTH2', access_token: 'tok-a' },
    });
    for (const field of ['id', 'created_at', 'updated_at', 'last_fetched_at']) expect(typeof got.body[field]).toBe('string');
    expect(got.body.credentials.refresh_token).toBeUndefined();
    expect(got.body.credentials.raw.refresh_token).toBeUndefined();
    expect(provider.requests.filter((r) => r.url === '/token')).toHaveLength(0);

    const withRefreshToken = await call('/connections/alice?provider_config_key=hub&refresh_token=true');
    expect(withRefreshToken.body.credentials.refresh_token).toBe('tok-a-refresh');

    const forced = await call('/connections/alice?provider_config_key=hub&force_refresh=true');
    expect(forced.body.credentials.access_token).toBe('refreshed-token');
    expect(provider.requests.filter((r) => r.url === '/token')).toHaveLength(1);

    // Due: expires within the refresh margin.
    await (await api.store()).updateCredentials('hub', 'bob', oauth('old', new Date(Date.now() + 60_000).toISOString()));
    expect((await call('/connections/bob?provider_config_key=hub')).body.credentials.access_token).toBe('refreshed-token');
    expect(provider.requests.filter((r) => r.url === '/token')).toHaveLength(2);

    const keyed = await call('/connections/carol?provider_config_key=keyed');
    expect(keyed.body.credentials).toMatchObject({ type: 'API_KEY', apiKey: 'k-1' });
    expect(keyed.body).toMatchObject({ provider: 'keyed', end_user: null, tags: {} });
  });

  it('refuses bad getConnection input', async () => {
    expect(await call('/connections/nobody?provider_config_key=hub')).toMatchObject({
      status: 404,
      body: { error: { code: 'connection_not_found' } },
    });
    expect(await call('/connections/alice?provider_config_key=nope')).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_integration' } },
    });
    const missing = await call('/connections/alice');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain('provider_config_key');
    const flag = await call('/connections/alice?provider_config_key=hub&force_refresh=maybe');
    expect(flag.status).toBe(400);
    expect(flag.body.error.message).toContain('force_refresh');
    expect((await api.call('/connections/alice?provider_config_key=hub')).status).toBe(401);
  });

  it('deletes a Connection and revokes its token at the provider (RFC 7009, client in the body)', async () => {
    expect(await call('/connections/alice?provider_config_key=hub', { method: 'DELETE', headers: json })).toMatchObject({
      status: 200,
      body: { success: true },
    });
    const revocations = provider.requests.filter((r) => r.url === '/revoke');
    expect(revocations).toHaveLength(1);
    expect(revocations[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(revocations[0]?.body))).toEqual({
      token: 'tok-a-refresh',
      token_type_hint: 'refresh_token',
      client_id: 'hub-client',
      client_secret: CLIENT_SECRET,
    });
    expect((await call('/connections/alice?provider_config_key=hub')).status).toBe(404);
    expect(await call('/connections/alice?provider_config_key=hub', { method: 'DELETE' })).toMatchObject({
      status: 404,
      body: { error: { code: 'connection_not_found' } },
    });
    // Other integrations' Connections of the same user stay.
    expect(ids((await call('/connections?connectionId=alice')).body)).toEqual(['basichub/alice']);
    expect(api.logs.some((line) => line.msg === 'token revoked at the provider')).toBe(true);
  });

  it('revokes with Basic client authentication and a JSON body when the catalog says so', async () => {
    expect((await call('/connections/alice?provider_config_key=basichub', { method: 'DELETE' })).status).toBe(200);
    const [revocation] = provider.requests.filter((r) => r.url === '/revoke-json');
    expect(revocation?.headers['authorization']).toBe(`Basic ${Buffer.from('basic-client:basic-secret').toString('base64')}`);
    expect(revocation?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(revocation?.body ?? '')).toEqual({ token: 'tok-c-refresh', token_type_hint: 'refresh_token' });
  });

  it('deletes even when the revocation fails or times out, and logs it without secrets', async () => {
    revokeAnswer = { status: 500 };
    expect((await call('/connections/alice?provider_config_key=hub', { method: 'DELETE' })).status).toBe(200);
    revokeAnswer = { status: 200, delayMs: 3000 }; // past the integration's http_timeout_ms (1000)
    const started = Date.now();
    expect((await call('/connections/bob?provider_config_key=hub', { method: 'DELETE' })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2900);
    expect(ids((await call('/connections?integrationId=hub')).body)).toEqual([]);
    const failures = api.logs.filter((line) => line.msg === 'token revocation failed; the Connection is deleted');
    expect(failures.map((line) => line['reason'])).toEqual([expect.stringContaining('HTTP 500'), 'no answer within 1000 ms']);
    const all = api.rawLogs.join('\n');
    for (const secret of ['tok-a', 'tok-b', CLIENT_SECRET]) expect(all).not.toContain(secret);
    // A Connection without a revocation URL in its catalog entry is just deleted.
    expect((await call('/connections/carol?provider_config_key=keyed', { method: 'DELETE' })).status).toBe(200);
  });

  it('sets and updates metadata of one Connection or several, all or nothing', async () => {
    const set = await call('/connections/metadata', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ connection_id: 'alice', provider_config_key: 'hub', metadata: { a: 1, nested: { x: 1 } } }),
    });
    expect(set).toMatchObject({
      status: 201,
      body: { connection_id: 'alice', provider_config_key: 'hub', metadata: { a: 1, nested: { x: 1 } } },
    });
    expect((await call('/connections/alice?provider_config_key=hub')).body.metadata).toEqual({ a: 1, nested: { x: 1 } });

    const several = { connection_id: ['alice', 'bob'], provider_config_key: 'hub', metadata: { nested: { y: 2 }, b: true } };
    const updated = await call('/connections/metadata', { method: 'PATCH', headers: json, body: JSON.stringify(several) });
    expect(updated).toMatchObject({ status: 200, body: several });
    const listed = (await call('/connections?integrationId=hub')).body.connections;
    expect(listed.map((c: { metadata: unknown }) => c.metadata)).toEqual([
      { a: 1, nested: { y: 2 }, b: true },
      { nested: { y: 2 }, b: true },
    ]);

    const partly = await call('/connections/metadata', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ connection_id: ['alice', 'ghost'], provider_config_key: 'hub', metadata: {} }),
    });
    expect(partly.status).toBe(404);
    expect(partly.body.error).toMatchObject({ code: 'connection_not_found', message: expect.stringContaining('ghost') });
    expect((await call('/connections/alice?provider_config_key=hub')).body.metadata).toEqual({ a: 1, nested: { y: 2 }, b: true });
  });

  it('refuses bad metadata bodies, naming the field', async () => {
    const bad = async (method: string, body: unknown, field: string, status = 400) => {
      const reply = await call('/connections/metadata', { method, headers: json, body: JSON.stringify(body) });
      expect(reply.status).toBe(status);
      expect(reply.body.error.message).toContain(field);
    };
    await bad('POST', { connection_id: 'alice', provider_config_key: 'hub' }, 'metadata');
    await bad('POST', { connection_id: 'alice', provider_config_key: 'hub', metadata: [1] }, 'metadata');
    await bad('PATCH', { connection_id: [], provider_config_key: 'hub', metadata: {} }, 'connection_id');
    await bad('PATCH', { connection_id: 'alice', metadata: {} }, 'provider_config_key');
  });

  it('patches tags and end user, and merges metadata', async () => {
    const patch = (body: unknown, path = '/connections/bob?provider_config_key=hub') =>
      call(path, { method: 'PATCH', headers: json, body: JSON.stringify(body) });
    expect(
      await patch({
        tags: { Env: 'prod' },
        end_user: { id: 'eu-bob', email: 'bob@example.com', display_name: 'Bob', tags: { t: '1' }, organization: { id: 'o2' } },
      }),
    ).toMatchObject({ status: 200, body: { success: true } });
    let bob = (await call('/connections/bob?provider_config_key=hub')).body;
    expect(bob.tags).toEqual({ Env: 'prod' });
    expect(bob.end_user).toEqual({
      id: 'eu-bob',
      email: 'bob@example.com',
      display_name: 'Bob',
      tags: { t: '1' },
      organization: { id: 'o2', display_name: null },
    });
    expect(ids((await call('/connections?endUserId=eu-bob')).body)).toEqual(['hub/bob']);

    expect((await patch({ end_user: null, metadata: { m: 1 }, webhook_url_override: null })).status).toBe(200);
    bob = (await call('/connections/bob?provider_config_key=hub')).body;
    expect(bob).toMatchObject({ tags: { Env: 'prod' }, end_user: null, metadata: { m: 1 } });
    expect((await patch({})).status).toBe(200);

    expect(await patch({ tags: {} }, '/connections/ghost?provider_config_key=hub')).toMatchObject({
      status: 404,
      body: { error: { code: 'connection_not_found' } },
    });
    expect((await patch({}, '/connections/ghost?provider_config_key=hub')).status).toBe(404);
    const bad = async (body: unknown, field: string) => {
      const reply = await patch(body);
      expect(reply.status).toBe(400);
      expect(reply.body.error.message).toContain(field);
    };
    await bad({ tagz: {} }, 'tagz');
    await bad({ tags: { a: { b: 1 } } }, 'tags');
    await bad({ end_user: { email: 'x@y' } }, 'id');
    await bad({ webhook_url_override: 'https://example.com/hook' }, 'webhook_url_override');
  });
});

describe('the cross-cutting rules of the HTTP API', () => {
  let api: ApiHarness;
  afterEach(() => api.stop());

  it('answers CORS preflights before the key check, allowing the Nango headers, and exposes the rate-limit headers', async () => {
    api = await startApi({ secretKey: KEY });
    const preflight = await api.call('/connections', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, provider-config-key, nango-proxy-x-custom, evil-header',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(
      expect.arrayContaining(['authorization', 'provider-config-key', 'connection-id', 'nango-proxy-x-custom']),
    );
    expect(allowed).not.toContain('evil-header');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');

    const reply = await api.call('/connections', { key: KEY, headers: { origin: 'https://app.example' } });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('access-control-allow-origin')).toBe('*');
    const exposed = (reply.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'retry-after', 'x-nango-signature']) {
      expect(exposed).toContain(name);
    }
  });

  it('allows only the configured origins when NANGO_CORS_ORIGINS lists them', async () => {
    api = await startApi({ corsOrigins: 'https://one.example, https://two.example' });
    const allowed = await api.call('/health', { headers: { origin: 'https://two.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://two.example');
    expect(allowed.headers.get('vary')).toContain('Origin');
    const other = await api.call('/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('limits requests per key, with the headers on every reply and a 429 past the limit', async () => {
    // An hour's window: windows start on the clock's multiples of it, so a short test almost never crosses one.
    api = await startApi({ secretKey: KEY, apiRateLimit: 3, apiRateLimitWindowSeconds: 3600 });
    const first = await api.call('/connections', { key: KEY });
    expect(first.headers.get('x-ratelimit-limit')).toBe('3');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    expect(Number(first.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    await api.call('/connections', { key: KEY });
    expect((await api.call('/nope', { key: KEY })).headers.get('x-ratelimit-remaining')).toBe('0');
    const over = await api.call('/connections?limit=5', { key: KEY });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.body).toEqual({
      error: {
        code: 'too_many_request',
        message: expect.stringContaining('NANGO_API_RATE_LIMIT'),
        method: 'GET',
        path: '/connections',
      },
    });
    // Without the key, the client address has its own budget (and a 401 still carries the headers).
    const anonymous = await api.call('/connections');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('x-ratelimit-remaining')).toBe('2');
  });

  it('refuses bodies over the limit with 413 and non-JSON bodies with 415', async () => {
    api = await startApi({ secretKey: KEY });
    const big = JSON.stringify({ connection_id: 'a', provider_config_key: 'hub', metadata: { blob: 'x'.repeat(1_100_000) } });
    const tooLarge = await api.call('/connections/metadata', { method: 'POST', key: KEY, headers: json, body: big });
    expect(tooLarge).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    const text = await api.call('/connections/metadata', {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text).toMatchObject({ status: 415, body: { error: { code: 'invalid_content_type' } } });
    const form = await api.call('/connections/metadata', {
      method: 'POST',
      key: KEY,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(form.status).toBe(415);
    // No Content-Type and no body is fine; so is a GET carrying Content-Type (the SDKs send it).
    expect((await api.call('/connections', { key: KEY, headers: json })).status).toBe(200);
    const noBody = await api.call('/connections/x?provider_config_key=y', { method: 'DELETE', key: KEY, headers: json });
    expect(noBody.body.error.code).toBe('connection_not_found');
  });
});
