import { createHmac } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoError } from '@nangohq/node-client';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';
import { FIXTURES_DIR, startHarness, type Harness } from '../helpers/harness';

/** RFC 3986 percent-encoding, as OAuth 1.0a wants it. */
const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** OAuth 1.0a HMAC-SHA1 recomputed from what the server received, independently of the worker's signer. */
function expectedOAuth1Signature(request: RecordedRequest, origin: string, consumerSecret: string, tokenSecret: string): string {
  const oauth = [...(request.headers.authorization ?? '').matchAll(/(\w+)="([^"]*)"/g)]
    .map((m) => [m[1] as string, decodeURIComponent(m[2] as string)] as const)
    .filter(([key]) => key !== 'oauth_signature');
  const url = new URL(request.url, origin);
  const pairs = [...url.searchParams.entries(), ...oauth].map(([k, v]) => `${enc(k)}=${enc(v)}`).sort();
  const base = [request.method, enc(`${url.origin}${url.pathname}`), enc(pairs.join('&'))].join('&');
  return createHmac('sha1', `${enc(consumerSecret)}&${enc(tokenSecret)}`)
    .update(base)
    .digest('base64');
}

describe('httpRequest from an action, per auth mode, against a local API server', () => {
  let api: ApiServer;
  let h: Harness;
  let integrationsDir: string;
  let yamlText: string;

  beforeAll(async () => {
    api = await startApiServer((req) => ({ status: req.url.includes('missing') ? 404 : 200, body: { echoed: req.url } }));
    // A user's own integrations folder, outside this repository: @nangohq/action must still resolve.
    integrationsDir = mkdtempSync(join(tmpdir(), 'nango-user-integrations-'));
    for (const name of ['oauth2', 'apikey', 'basic', 'oauth1']) {
      mkdirSync(join(integrationsDir, name));
      cpSync(join(FIXTURES_DIR, 'api', 'call.action.ts'), join(integrationsDir, name, 'call.action.ts'));
    }
    const yaml = `
integrations:
  oauth2:
    auth_mode: OAUTH2
    base_url: ${api.url}/v2/
    actions: { call: }
  apikey:
    auth_mode: API_KEY
    base_url: ${api.url}
    query_params:
      key: \${api_key}
    headers:
      X-Tenant: \${additionalConfig.tenant}
    actions: { call: }
  basic:
    auth_mode: USERNAME_PASSWORD
    base_url: ${api.url}
    actions: { call: }
  oauth1:
    auth_mode: OAUTH1
    base_url: ${api.url}
    oauth:
      client_id: consumer-key
      client_secret: consumer-secret
    actions: { call: }
`;
    yamlText = yaml;
  });

  afterAll(async () => {
    await api.close();
    rmSync(integrationsDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    api.requests.length = 0;
    h = await startHarness({ yaml: yamlText, integrationsDir });
    await h.nango.registerConnection('oauth2', 'u', { access_token: 'at-123' });
    await h.nango.registerConnection('apikey', 'u', { api_key: 'key-456' }, { tenant: 'acme' });
    await h.nango.registerConnection('basic', 'u', { username: 'ada', password: 'pw:789' });
    await h.nango.registerConnection('oauth1', 'u', { oauth_token: 'tok', oauth_token_secret: 'tok-secret' });
  });

  afterEach(async () => {
    await h.stop();
  });

  const call = (integration: string, input: Record<string, unknown>) => h.nango.triggerAction(integration, 'call', 'u', input);

  it('OAUTH2: joins base_url and endpoint, sends a Bearer token and a JSON body', async () => {
    const result = await call('oauth2', { endpoint: 'chat.postMessage', method: 'POST', body: { text: 'hi' } });
    expect(result.returnValue).toMatchObject({ ok: true, status: 200, body: { echoed: '/v2/chat.postMessage' } });
    const [request] = api.requests;
    expect(request?.headers.authorization).toBe('Bearer at-123');
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request?.body ?? '')).toEqual({ text: 'hi' });
  });

  it('API_KEY: places the key and additionalConfig values where integrations.yaml says', async () => {
    await call('apikey', { endpoint: '/items', params: { page: '2' } });
    const [request] = api.requests;
    expect(new URL(request?.url ?? '', api.url).searchParams.get('key')).toBe('key-456');
    expect(new URL(request?.url ?? '', api.url).searchParams.get('page')).toBe('2');
    expect(request?.headers['x-tenant']).toBe('acme');
    expect(request?.headers.authorization).toBeUndefined();
  });

  it('USERNAME_PASSWORD: sends Basic auth', async () => {
    await call('basic', { endpoint: 'me' });
    expect(api.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw:789').toString('base64')}`);
  });

  it('OAUTH1: signs with HMAC-SHA1 over method, URL and parameters', async () => {
    await call('oauth1', { endpoint: '1.1/statuses/home_timeline.json', params: { count: '5', q: 'a b!' } });
    const [request] = api.requests;
    const header = request?.headers.authorization ?? '';
    expect(header).toMatch(/^OAuth /);
    expect(header).toContain('oauth_consumer_key="consumer-key"');
    expect(header).toContain('oauth_token="tok"');
    expect(header).toContain('oauth_signature_method="HMAC-SHA1"');
    const signature = decodeURIComponent(/oauth_signature="([^"]+)"/.exec(header)?.[1] ?? '');
    expect(signature).toBe(expectedOAuth1Signature(request as RecordedRequest, api.url, 'consumer-secret', 'tok-secret'));
  });

  it('returns 4xx responses to the action instead of throwing', async () => {
    const result = await call('oauth2', { endpoint: 'missing' });
    expect(result.returnValue).toMatchObject({ ok: false, status: 404 });
  });

  it('refuses an absolute URL to another host, sending nothing', async () => {
    const error = (await call('oauth2', { endpoint: 'http://127.0.0.2:9/steal' }).catch((e: unknown) => e)) as NangoError;
    expect(error.code).toBe('http_host_not_allowed');
    expect(error.errorMsg).toContain('http://127.0.0.2:9');
    expect(api.requests).toHaveLength(0);
  });
});
