import { request as httpRequest } from 'node:http';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';

/** A raw request, so that malformed paths and headers reach the server as written (fetch would normalise them). */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('bad input never crashes the API', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi({
      catalog: catalogOf({
        name: 'github',
        auth_mode: 'OAUTH2',
        authorization_url: 'https://github.example/a',
        token_url: 'https://github.example/t',
      }),
    });
  });
  afterAll(() => api.stop());

  it.each([
    ['GET', '/connection/%E0%A4%A?provider_config_key=x'],
    ['GET', '/connection/u?provider_config_key=x&provider_config_key=y'],
    ['GET', '/connection/u?provider_config_key=x&force_refresh=maybe'],
    ['GET', `/connection/${'a'.repeat(5000)}?provider_config_key=x`],
    ['DELETE', '/connection/u'],
    ['GET', '/config/%00'],
    ['GET', '/oauth/connect/github?connection_id=u&connection_id=v'],
    ['GET', '/oauth/connect/github?connection_id=u&params[a+b]=x'],
    ['GET', `/oauth/connect/github?connection_id=u${'&params[p]=x'.repeat(100)}`],
    ['GET', '/oauth/connect/github?connection_id=u&params[__proto__]=x'],
    ['GET', '/oauth/callback?state=a&state=b'],
    ['GET', '/oauth/callback?state[x]=1'],
    ['GET', '/oauth/connect/%ZZ?connection_id=u'],
    ['GET', '/logs/operations?kind=action&kind=proxy'],
    ['GET', `/logs/operations?q=${'x'.repeat(5000)}`],
    ['GET', '/logs/operations?from=99999999999999999999'],
    ['GET', '/logs/operations?to=281474976710656'],
    ['GET', '/logs/operations?cursor=%00%00'],
    ['GET', '/logs/operations/%E0%A4%A'],
    ['GET', '/logs/operations/01ARZ3NDEKTSV4RRFFQ69G5FAV?messagesCursor=__proto__'],
    ['GET', '/logs/tail?status=a&status=b'],
  ])('%s %s is answered, not crashed on', async (method, path) => {
    const reply = await raw(api.url, method, path);
    expect(reply.status).toBeGreaterThanOrEqual(200);
    expect(reply.status).toBeLessThan(500);
  });

  it.each([
    ['{"provider_config_key": 1}', 'application/json'],
    ['[]', 'application/json'],
    ['null', 'application/json'],
    [
      '{"provider_config_key":"a","provider":"github","oauth_client_id":"c","oauth_client_secret":"s","oauth_scopes":{"x":1}}',
      'application/json',
    ],
    ['provider_config_key=a', 'application/x-www-form-urlencoded'],
    ['x'.repeat(2 * 1024 * 1024), 'application/json'],
  ])('POST /config with %#: a 4xx with a code', async (body, contentType) => {
    const reply = await raw(api.url, 'POST', '/config', { 'content-type': contentType }, body);
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.status).toBeLessThan(500);
    expect(JSON.parse(reply.text)).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('still answers after all that', async () => {
    expect(await api.call('/health')).toMatchObject({ status: 200 });
  });
});
