import type { NangoConnection } from '@nangohq/protocol';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { performHttpRequest } from '../../src/outbound/performHttpRequest';
import { attemptDelivery } from '../../src/webhooks/attemptDelivery';
import type { WebhookDelivery } from '../../src/store/WebhookStore';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { parentOf, startInMemoryTracing, type InMemoryTracing } from '../helpers/inMemoryTracing';

const API_KEY = 'key-in-the-query-5e7a';
const TENANT = 'tenant-in-the-path-9c1b';

let tracing: InMemoryTracing;
let provider: ApiServer;

beforeEach(async () => {
  tracing = startInMemoryTracing();
  provider = await startApiServer(() => ({ body: { ok: true } }));
});

afterEach(async () => {
  await provider.close();
  await tracing.stop();
});

function integrationsOf(yaml: string) {
  return parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: '/nowhere' }).integrations;
}

function connection(additionalConfig: Record<string, unknown> = {}): NangoConnection {
  return {
    uuid: 'c0ffee',
    integration: 'acme',
    userId: 'user-1',
    authorization: 'ok',
    dateCreated: '2024-01-01T00:00:00.000Z',
    lastModified: '2024-01-01T00:00:00.000Z',
    additionalConfig,
    credentials: { api_key: API_KEY, raw: { api_key: API_KEY } },
  };
}

/** Everything a span records, as one text to search. */
const recorded = () => JSON.stringify(tracing.spans().map((span) => [span.name, span.attributes, span.status, span.events]));

describe('provider call spans', () => {
  it('show the origin and path of a plain base_url, never the query that carries the key', async () => {
    const yaml = `integrations:\n  acme:\n    auth_mode: API_KEY\n    base_url: ${provider.url}/v1\n    query_params:\n      key: \${api_key}\n`;
    const acme = integrationsOf(yaml).get('acme')!;
    await performHttpRequest(acme, connection(), { endpoint: '/items', method: 'GET', params: { page: '2' } });
    expect(provider.requests[0]?.url).toContain(API_KEY);
    const span = tracing.span('GET');
    expect(span.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(provider.url).port),
      'url.full': `${provider.url}/v1/items`,
      'http.response.status_code': 200,
      'nango.integration': 'acme',
    });
    expect(recorded()).not.toContain(API_KEY);
  });

  it('show a base_url with placeholders as written: the rendered URL holds Connection values', async () => {
    const base = `${provider.url}/t/\${additionalConfig.tenant}`;
    const yaml = `integrations:\n  acme:\n    auth_mode: API_KEY\n    base_url: ${base}\n    query_params:\n      key: \${api_key}\n`;
    const acme = integrationsOf(yaml).get('acme')!;
    await performHttpRequest(acme, connection({ tenant: TENANT }), { endpoint: 'items?x=1', method: 'GET' });
    expect(provider.requests[0]?.url).toContain(`/t/${TENANT}/items`);
    expect(tracing.span('GET').attributes).toEqual({
      'http.request.method': 'GET',
      'url.template': `${base}/items`,
      'http.response.status_code': 200,
      'nango.integration': 'acme',
    });
    expect(recorded()).not.toContain(TENANT);
    expect(recorded()).not.toContain(API_KEY);
  });

  it('make one span per hop of a redirect followed', async () => {
    const yaml = `integrations:\n  acme:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    query_params:\n      key: \${api_key}\n`;
    const acme = integrationsOf(yaml).get('acme')!;
    // The provider's first answer is a same-origin redirect: followed, it is a second request of its own.
    const fetchWithRedirect: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.includes('/moved')) return new Response(null, { status: 302, headers: { location: '/landed' } });
      return fetch(url, init);
    };
    await performHttpRequest(acme, connection(), { endpoint: '/moved', method: 'GET' }, fetchWithRedirect);
    const spans = tracing.spans();
    expect(spans.map((span) => [span.name, span.attributes['url.full'], span.attributes['http.response.status_code']])).toEqual([
      ['GET', `${provider.url}/moved`, 302],
      ['GET', `${provider.url}/landed`, 200],
    ]);
    expect(spans.map(parentOf)).toEqual([undefined, undefined]);
  });
});

describe('webhook delivery spans', () => {
  it("show the receiver's origin only: the URL's path and query may hold a token", async () => {
    const delivery: WebhookDelivery = {
      id: 'd1',
      url: `${provider.url}/hooks/path-token-3f5a?sig=query-token-7b9c`,
      type: 'auth',
      body: '{"type":"auth"}',
      state: 'pending',
      attempts: 1,
      nextAttemptAt: 0,
      lastStatus: null,
      lastError: null,
    } as WebhookDelivery;
    const settings = { signingKey: undefined, timeoutMs: 2_000, retryBaseMs: 10, maxAttempts: 3 };
    await expect(attemptDelivery(delivery, settings, new AbortController().signal)).resolves.toMatchObject({ kind: 'delivered' });
    expect(tracing.span('POST').attributes).toEqual({
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(provider.url).port),
      'url.full': `${provider.url}/`,
      'http.response.status_code': 200,
      'nango.webhook.type': 'auth',
      'nango.webhook.attempt': 1,
    });
    expect(recorded()).not.toMatch(/path-token|query-token/);
  });
});
