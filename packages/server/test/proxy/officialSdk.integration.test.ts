import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startProviderServer, type ProviderServer } from './providerServer';

// The official SDK as published, unchanged.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const KEY = 'sdk-proxy-secret';

describe('the official @nangohq/node 0.71.4 through /proxy', () => {
  let provider: ProviderServer;
  let other: ProviderServer;
  let api: ApiHarness;
  beforeAll(async () => {
    provider = await startProviderServer();
    other = await startProviderServer();
    api = await startApi({
      yaml: `integrations:\n  gh:\n    auth_mode: OAUTH2\n    base_url: ${provider.url}\n`,
      catalog: catalogOf(),
      secretKey: KEY,
      proxyRetryBaseMs: 5,
      // baseUrlOverride to the other local server (another port) needs the host allowed explicitly.
      proxyAllowedHosts: ['127.0.0.1'],
    });
    const store = await api.store();
    const expires = new Date(Date.now() + 3600_000).toISOString();
    await store.insert({
      integration: 'gh',
      userId: 'u1',
      credentials: { access_token: 'tok', expires_at: expires, raw: {} },
      additionalConfig: {},
    });
    for (const server of [provider, other]) {
      server.handle((request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            method: request.method,
            url: request.url,
            body: request.body,
            auth: request.headers.authorization,
            custom: request.headers['x-custom'],
          }),
        );
      });
    }
  });
  afterAll(async () => {
    await api.stop();
    await provider.close();
    await other.close();
  });

  it('proxy, get, post, put, patch and delete with headers, params and data', async () => {
    const nango = new Nango({ host: api.url, secretKey: KEY });
    const base = { providerConfigKey: 'gh', connectionId: 'u1', headers: { 'X-Custom': 'c' } };
    const proxied = await nango.proxy({ ...base, endpoint: '/user', method: 'GET', params: { page: '2' } });
    expect(proxied.status).toBe(200);
    expect(proxied.data).toEqual({ method: 'GET', url: '/user?page=2', body: '', auth: 'Bearer tok', custom: 'c' });
    expect((await nango.get({ ...base, endpoint: '/a' })).data).toMatchObject({ method: 'GET', url: '/a' });
    for (const method of ['post', 'put', 'patch', 'delete'] as const) {
      const { data } = await nango[method]({ ...base, endpoint: `/things/${method}`, data: { n: 1 } });
      expect(data).toEqual({
        method: method.toUpperCase(),
        url: `/things/${method}`,
        body: '{"n":1}',
        auth: 'Bearer tok',
        custom: 'c',
      });
    }
    const overridden = await nango.get({ ...base, endpoint: '/elsewhere', baseUrlOverride: other.url });
    expect(overridden.data).toMatchObject({ url: '/elsewhere', auth: 'Bearer tok' });
  });

  it('retries with retries and retryOn, and throws the upstream status', async () => {
    const nango = new Nango({ host: api.url, secretKey: KEY });
    let calls = 0;
    provider.handle((_request, response) => {
      calls++;
      response.writeHead(calls < 3 ? 409 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ calls }));
    });
    const retried = await nango.get({ providerConfigKey: 'gh', connectionId: 'u1', endpoint: '/r', retries: 3, retryOn: [409] });
    expect(retried.data).toEqual({ calls: 3 });
    provider.handle((_request, response) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"gone":true}'));
    await expect(nango.get({ providerConfigKey: 'gh', connectionId: 'u1', endpoint: '/missing' })).rejects.toMatchObject({
      response: { status: 404, data: { gone: true } },
    });
  });
});
