import { gzipSync } from 'node:zlib';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { waitFor } from '../helpers/harness';
import { startProviderServer, type ProviderServer } from './providerServer';

const KEY = 'proxy-test-secret-key';
const TOKEN = 'provider-access-token-1';

describe('the /proxy route', () => {
  let provider: ProviderServer;
  let other: ProviderServer;
  let api: ApiHarness;

  beforeAll(async () => {
    provider = await startProviderServer();
    other = await startProviderServer();
  });
  afterAll(async () => {
    await provider.close();
    await other.close();
  });
  beforeEach(async () => {
    provider.seen.length = 0;
    other.seen.length = 0;
    provider.handle((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end('{"ok":true}');
    });
    const catalog = catalogOf({
      name: 'local',
      auth_mode: 'OAUTH2',
      proxy: { base_url: provider.url, headers: { 'x-catalog': 'c1' }, query: { catalog_q: '1' } },
    });
    const yaml = `integrations:
  oauthy:
    auth_mode: OAUTH2
    base_url: ${provider.url}/api
    headers:
      X-Configured: yes
    query_params:
      configured: q
  keyed:
    auth_mode: API_KEY
    base_url: ${provider.url}
    headers:
      X-Api-Key: \${api_key}
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: ${provider.url}
`;
    // Base-Url-Override to the other local server (another port) needs the host allowed explicitly.
    api = await startApi({
      yaml,
      catalog,
      secretKey: KEY,
      proxyRetryBaseMs: 5,
      rateLimitMaxWaitMs: 2000,
      proxyAllowedHosts: ['127.0.0.1'],
    });
    const store = await api.store();
    const far = new Date(Date.now() + 3600_000).toISOString();
    await store.insert({
      integration: 'oauthy',
      userId: 'u1',
      credentials: { access_token: TOKEN, expires_at: far, raw: {} },
      additionalConfig: {},
    });
    await store.insert({
      integration: 'keyed',
      userId: 'u1',
      credentials: { api_key: 'the-api-key', raw: {} },
      additionalConfig: {},
    });
    await store.insert({
      integration: 'basic',
      userId: 'u1',
      credentials: { username: 'ann', password: 'pw', raw: {} },
      additionalConfig: {},
    });
  });
  afterEach(async () => {
    // No route failed as a bug: every error above is one of ours.
    expect(api.logs.filter((line) => line['msg'] === 'unexpected error in an HTTP route')).toEqual([]);
    await api.stop();
  });

  const proxy = (path: string, headers: Record<string, string>, init: RequestInit = {}) =>
    api.call(`/proxy${path}`, { key: KEY, ...init, headers });
  const ids = (integration = 'oauthy') => ({ 'Connection-Id': 'u1', 'Provider-Config-Key': integration });

  it('applies credentials per auth mode, configured headers and query params, and keeps the query string', async () => {
    const reply = await proxy('/repos?a=1&b=two', { ...ids(), 'Nango-Proxy-X-Custom': 'v' });
    expect(reply).toMatchObject({ status: 200, body: { ok: true } });
    const seen = provider.seen[0]!;
    expect(seen.url).toBe('/api/repos?configured=q&a=1&b=two');
    expect(seen.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, 'x-configured': 'yes', 'x-custom': 'v' });
    expect(seen.headers['connection-id']).toBeUndefined();
    expect(seen.headers['nango-proxy-x-custom']).toBeUndefined();

    await proxy('/x', ids('keyed'));
    expect(provider.seen[1]!.headers).toMatchObject({ 'x-api-key': 'the-api-key' });
    expect(provider.seen[1]!.headers.authorization).toBeUndefined();
    await proxy('//y', ids('basic'));
    expect(provider.seen[2]!.url).toBe('/y');
    expect(provider.seen[2]!.headers.authorization).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`);
  });

  it('forwards unprefixed headers when none is prefixed, never our secret key nor control headers', async () => {
    await proxy('/old', { ...ids(), 'X-Old-Sdk': 'yes', Retries: '0', 'Base-Url-Override': '', 'Nango-Activity-Log-Id': '' });
    const seen = provider.seen[0]!;
    expect(seen.headers['x-old-sdk']).toBe('yes');
    expect(seen.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(seen.headers)).not.toContain(KEY);
    for (const name of ['retries', 'base-url-override', 'nango-activity-log-id', 'provider-config-key']) {
      expect(seen.headers[name]).toBeUndefined();
    }
    await proxy('/new', { ...ids(), 'X-Bare': 'no', 'NANGO-PROXY-X-Shouted': 'yes' });
    expect(provider.seen[1]!.headers['x-bare']).toBeUndefined();
    expect(provider.seen[1]!.headers['x-shouted']).toBe('yes');
    // The caller's own Authorization, prefixed, is theirs to send: it replaces the Connection's credentials.
    await proxy('/mine', { ...ids(), 'Nango-Proxy-Authorization': 'Bearer theirs' });
    expect(provider.seen[2]!.headers.authorization).toBe('Bearer theirs');
  });

  it('sends any method with its body, DELETE included, and passes 4xx and 5xx back verbatim without hop-by-hop headers', async () => {
    provider.handle((request, response) => {
      response.writeHead(request.method === 'DELETE' ? 418 : 503, {
        'content-type': 'text/plain',
        'x-upstream': 'kept',
        'access-control-allow-origin': 'https://evil.example',
        'keep-alive': 'timeout=5',
      });
      response.end(`got ${request.method} ${request.body}`);
    });
    const deleted = await proxy(
      '/things/1',
      { ...ids(), 'content-type': 'application/json' },
      { method: 'DELETE', body: '{"why":"done"}' },
    );
    expect(deleted.status).toBe(418);
    expect(deleted.body).toBe('got DELETE {"why":"done"}');
    expect(deleted.headers.get('x-upstream')).toBe('kept');
    // The provider's CORS headers never pass; the API's own CORS (NANGO_CORS_ORIGINS, `*` by default) answers instead.
    expect(deleted.headers.get('access-control-allow-origin')).toBe('*');
    expect(deleted.headers.get('keep-alive')).not.toBe('timeout=5'); // ours may be there, never the provider's
    expect(provider.seen[0]!.headers['content-type']).toBe('application/json');

    const patched = await proxy('/things/1', ids(), { method: 'PATCH', body: 'plain' });
    expect(patched).toMatchObject({ status: 503, body: 'got PATCH plain' });
    expect(provider.seen).toHaveLength(2); // no Retries: no retry

    const head = await proxy('/things/1', ids(), { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(head.headers.get('x-upstream')).toBe('kept');
    expect(head.body).toBe('');
    expect(provider.seen.at(-1)!.method).toBe('HEAD');
  });

  it('answers its own errors with our codes', async () => {
    expect(await proxy('/x', { 'Connection-Id': 'u1' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringContaining('Provider-Config-Key') } },
    });
    expect(await proxy('/x', { ...ids('nope') })).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown_integration' } },
    });
    expect(await proxy('/x', { 'Connection-Id': 'nobody', 'Provider-Config-Key': 'oauthy' })).toMatchObject({
      status: 404,
      body: { error: { code: 'connection_not_found' } },
    });
    expect(await proxy('/x', { ...ids(), 'Base-Url-Override': 'ftp://x' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', message: expect.stringContaining('Base-Url-Override') } },
    });
    expect(await proxy('/x', { ...ids(), Retries: 'many' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request' } },
    });
    expect((await api.call('/proxy/x', { headers: ids() })).status).toBe(401);
    expect(provider.seen).toHaveLength(0);
  });

  it('retries 5xx, 429 and Retry-On statuses with backoff, honouring Retry-After', async () => {
    let calls = 0;
    provider.handle((_request, response) => {
      calls++;
      if (calls === 1) return response.writeHead(500).end('boom');
      if (calls === 2) return response.writeHead(429, { 'retry-after': '1' }).end('slow down');
      if (calls === 3) return response.writeHead(404).end('not yet');
      response.writeHead(200).end('finally');
    });
    const started = Date.now();
    const reply = await proxy('/flaky', { ...ids(), Retries: '5', 'Retry-On': '404' }, { method: 'POST', body: 'again' });
    expect(reply).toMatchObject({ status: 200, body: 'finally' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950); // Retry-After: 1
    expect(provider.seen.map((request) => request.body)).toEqual(['again', 'again', 'again', 'again']);

    calls = 0;
    provider.seen.length = 0;
    provider.handle((_request, response) => response.writeHead(502).end('down'));
    expect(await proxy('/down', { ...ids(), Retries: '2' })).toMatchObject({ status: 502, body: 'down' });
    expect(provider.seen).toHaveLength(3);
  });

  it('stops the call when the caller goes away: the request to the provider, and a retry waiting its turn', async () => {
    const closed = new Promise<void>((resolve) => {
      provider.handle((_request, response) => response.once('close', () => resolve())); // never answers
    });
    const gone = new AbortController();
    const pending = fetch(`${api.url}/proxy/hangs`, {
      headers: { authorization: `Bearer ${KEY}`, ...ids() },
      signal: gone.signal,
    }).catch(() => 'aborted');
    await waitFor(() => provider.seen.length === 1);
    gone.abort();
    expect(await pending).toBe('aborted');
    await closed; // the worker dropped its request to the provider (the time limit is minutes away)

    provider.seen.length = 0;
    provider.handle((_request, response) => response.writeHead(503, { 'retry-after': '1' }).end('later'));
    const leaving = new AbortController();
    const waiting = fetch(`${api.url}/proxy/later`, {
      headers: { authorization: `Bearer ${KEY}`, ...ids(), Retries: '3' },
      signal: leaving.signal,
    }).catch(() => 'aborted');
    await waitFor(() => provider.seen.length === 1);
    leaving.abort();
    expect(await waiting).toBe('aborted');
    await new Promise((resolve) => setTimeout(resolve, 1500)); // past the retry's wait
    expect(provider.seen).toHaveLength(1);
    // The route logs a caller's leaving as an unexpected error (as it did before CallerGone): not what afterEach checks.
    const left = (line: Record<string, unknown>) => /the caller went away/.test(JSON.stringify(line['err'] ?? ''));
    api.logs.splice(0, api.logs.length, ...api.logs.filter((line) => !left(line)));
  });

  it('retries network errors, then answers http_request_failed', async () => {
    const dead = await startProviderServer();
    await dead.close();
    const reply = await proxy('/x', { ...ids(), Retries: '1', 'Base-Url-Override': dead.url });
    expect(reply).toMatchObject({ status: 502, body: { error: { code: 'http_request_failed' } } });
  });

  it('honours Base-Url-Override, and never sends credentials to another host on redirect', async () => {
    const overridden = await proxy('/o?z=1', { ...ids(), 'Base-Url-Override': other.url });
    expect(overridden.status).toBe(200);
    expect(other.seen[0]).toMatchObject({ url: '/o?configured=q&z=1' });

    other.seen.length = 0;
    provider.handle((request, response) => {
      if (request.url.startsWith('/api/away')) return response.writeHead(302, { location: `${other.url}/stolen` }).end();
      if (request.url.startsWith('/api/here')) return response.writeHead(307, { location: '/api/there' }).end();
      response.writeHead(200).end(`at ${request.url} with ${request.headers.authorization} ${request.body}`);
    });
    const away = await proxy('/away', ids(), { redirect: 'manual' });
    expect(away.status).toBe(302);
    expect(away.headers.get('location')).toBe(`${other.url}/stolen`);
    expect(other.seen).toHaveLength(0);
    const here = await proxy('/here', ids(), { method: 'POST', body: 'kept' });
    expect(here).toMatchObject({ status: 200, body: `at /api/there with Bearer ${TOKEN} kept` });
  });

  it('decompresses only when asked', async () => {
    provider.handle((_request, response) => {
      response.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' }).end(gzipSync('hello gzip'));
    });
    const plain = await proxy('/z', { ...ids(), Decompress: 'true' });
    expect(plain).toMatchObject({ status: 200, body: 'hello gzip' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    const raw = await proxy('/z', ids()); // fetch decodes it on our side, from the header we passed on
    expect(raw).toMatchObject({ status: 200, body: 'hello gzip' });
  });
});

describe('the /proxy route with an allow-list', () => {
  it('refuses a Base-Url-Override whose host is not allowed', async () => {
    const provider = await startProviderServer();
    const api = await startApi({
      yaml: `integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Key: \${api_key}\n`,
      catalog: catalogOf(),
      proxyAllowedHosts: ['*.example.com', '127.0.0.1'],
    });
    try {
      const store = await api.store();
      await store.insert({ integration: 'keyed', userId: 'u1', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
      const headers = { 'Connection-Id': 'u1', 'Provider-Config-Key': 'keyed' };
      expect(await api.call('/proxy/x', { headers: { ...headers, 'Base-Url-Override': 'https://evil.test' } })).toMatchObject({
        status: 403,
        body: { error: { code: 'base_url_not_allowed' } },
      });
      expect((await api.call('/proxy/x', { headers: { ...headers, 'Base-Url-Override': `${provider.url}/v2` } })).status).toBe(
        200,
      );
      expect(provider.seen.map((request) => request.url)).toEqual(['/v2/x']);
    } finally {
      await api.stop();
      await provider.close();
    }
  });
});

describe('the /proxy route with a short time limit', () => {
  it('answers http_request_failed when the provider does not answer in NANGO_PROXY_TIMEOUT_MS', async () => {
    const provider = await startProviderServer();
    provider.handle(() => undefined); // never answers
    const api = await startApi({
      yaml: `integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Key: \${api_key}\n`,
      catalog: catalogOf(),
      proxyTimeoutMs: 300,
    });
    try {
      const store = await api.store();
      await store.insert({ integration: 'keyed', userId: 'u1', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
      const reply = await api.call('/proxy/slow', { headers: { 'Connection-Id': 'u1', 'Provider-Config-Key': 'keyed' } });
      expect(reply).toMatchObject({
        status: 502,
        body: { error: { code: 'http_request_failed', message: expect.stringContaining('timed out') } },
      });
    } finally {
      await api.stop();
      await provider.close();
    }
  });
});
