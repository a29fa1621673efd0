import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { RecordingOperationLog } from '../helpers/RecordingOperationLog';
import { startProviderServer, type ProviderServer } from '../proxy/providerServer';

describe('proxy calls in the operations log (a local provider)', () => {
  let provider: ProviderServer;
  let api: ApiHarness;
  let log: RecordingOperationLog;
  const headers = (extra: Record<string, string> = {}) => ({ 'Connection-Id': 'u1', 'Provider-Config-Key': 'keyed', ...extra });

  beforeEach(async () => {
    provider = await startProviderServer();
    log = new RecordingOperationLog();
    const yaml = `integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Key: \${api_key}\n`;
    api = await startApi({ yaml, catalog: catalogOf(), operationLog: log, proxyRetryBaseMs: 50 });
    const store = await api.store();
    await store.insert({
      integration: 'keyed',
      userId: 'u1',
      credentials: { api_key: 'proxy-key', raw: {} },
      additionalConfig: {},
    });
  });
  afterEach(async () => {
    await api?.stop();
    await provider?.close();
  });

  it('records a call retried after a 429: method, path without query values, status, retries, and the wait', async () => {
    let calls = 0;
    provider.handle((_request, response) => {
      if (calls++ === 0) response.writeHead(429, { 'retry-after': '1' }).end('slow down');
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{"issues":[]}');
    });
    const reply = await api.call('/proxy/issues?state=open&page=2&state=closed', { headers: headers({ Retries: '2' }) });
    expect(reply.status).toBe(200);
    const operation = log.get(reply.headers.get('x-nango-operation-id') as string);
    expect(operation).toMatchObject({
      kind: 'proxy',
      name: 'GET /issues?state&page',
      integration: 'keyed',
      connectionId: 'u1',
      status: 'success',
      error: null,
      fields: { method: 'GET', path: '/issues?state&page', status: 200, retries: 1 },
    });
    expect(operation.messages.map((message) => `${message.level} ${message.text}`)).toEqual([
      expect.stringMatching(/^warn 429 from the provider, waiting 1(\.\d)? s; retry 1 of 2$/),
    ]);
    expect(JSON.stringify(operation)).not.toContain('open');
  });

  it('ends a call the provider refuses failed with its status, and records the time a later call waits on the limit it taught', async () => {
    provider.handle((_request, response) => response.writeHead(429, { 'retry-after': '1' }).end('slow down'));
    const refused = await api.call('/proxy/a', { headers: headers() });
    expect(refused.status).toBe(429);
    expect(log.get(refused.headers.get('x-nango-operation-id') as string)).toMatchObject({
      status: 'failed',
      error: { code: 'http_429', message: 'the provider answered 429' },
      fields: { status: 429, retries: 0, rateLimitWaitMs: 0 },
    });

    provider.handle((_request, response) => response.writeHead(204).end());
    const waited = await api.call('/proxy/b', { method: 'DELETE', headers: headers() });
    expect(waited.status).toBe(204);
    const operation = log.get(waited.headers.get('x-nango-operation-id') as string);
    expect(operation).toMatchObject({ name: 'DELETE /b', status: 'success', fields: { status: 204 } });
    expect(operation.fields['rateLimitWaitMs']).toBeGreaterThan(500);
    expect(operation.messages[0]?.text).toMatch(/^waited [\d.]+ s for the provider's rate limit learned earlier$/);
  });

  it('records a call that never reached the provider with our error', async () => {
    const missing = await api.call('/proxy/a', { headers: { 'Connection-Id': 'nobody', 'Provider-Config-Key': 'keyed' } });
    expect(missing.status).toBe(404);
    expect(log.get(missing.headers.get('x-nango-operation-id') as string)).toMatchObject({
      connectionId: 'nobody',
      status: 'failed',
      error: { code: 'connection_not_found' },
    });
    expect(provider.seen).toHaveLength(0);
  });
});
