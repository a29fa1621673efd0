import { join } from 'node:path';
import type { NangoConnection } from '@nangohq/protocol';
import { Worker } from '@nangohq/server';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import { performHttpRequest } from '../../src/outbound/performHttpRequest';
import { RateLimitGate } from '../../src/ratelimits/RateLimitGate';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { captureLogs } from '../helpers/harness';
import { testCipher } from '../helpers/testCipher';
import { startProviderServer, type ProviderServer } from './providerServer';

describe('learned rate limits', () => {
  let provider: ProviderServer;
  beforeEach(async () => {
    provider = await startProviderServer();
  });
  afterEach(() => provider.close());

  it('are shared by two API processes on one database: the second waits, or fails fast past its wait', async () => {
    const yaml = `integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Key: \${api_key}\n`;
    const first: ApiHarness = await startApi({ yaml, catalog: catalogOf(), rateLimitMaxWaitMs: 0 });
    const second = await Worker.start({
      queue: first.queue,
      integrationsYaml: join(first.dir, 'integrations.yaml'),
      integrationsDir: first.dir,
      dbPath: first.dbPath,
      watch: false,
      port: 0,
      logger: captureLogs().logger,
      roles: { rpc: false, http: true },
      catalog: catalogOf(),
      rateLimitMaxWaitMs: 5000,
    });
    try {
      const store = await first.store();
      await store.insert({ integration: 'keyed', userId: 'u1', credentials: { api_key: 'k', raw: {} }, additionalConfig: {} });
      await store.insert({ integration: 'keyed', userId: 'u2', credentials: { api_key: 'k2', raw: {} }, additionalConfig: {} });
      const headers = (user: string) => ({ 'Connection-Id': user, 'Provider-Config-Key': 'keyed' });
      // Four seconds: the steps below until the second process's call take well over one on a loaded machine.
      provider.handle((_request, response) => response.writeHead(429, { 'retry-after': '4' }).end('limited'));
      expect(await first.call('/proxy/a', { headers: headers('u1') })).toMatchObject({ status: 429, body: 'limited' });
      provider.handle((_request, response) => response.writeHead(200).end('fine'));

      // The first process: no wait allowed, so it fails fast without calling the provider.
      const fast = await first.call('/proxy/b', { headers: headers('u1') });
      expect(fast).toMatchObject({ status: 429, body: { error: { code: 'provider_rate_limited' } } });
      expect(Number(fast.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(provider.seen).toHaveLength(1);
      // Another Connection is not held.
      expect((await first.call('/proxy/c', { headers: headers('u2') })).status).toBe(200);

      // The second process learned it from the same database and waits it out.
      const started = Date.now();
      const waited = await fetch(`${second.httpUrl as string}/proxy/d`, { headers: headers('u1') });
      expect(waited.status).toBe(200);
      expect(await waited.text()).toBe('fine');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(provider.seen.map((request) => request.url)).toEqual(['/a', '/c', '/d']);
    } finally {
      await second.stop();
      await first.stop();
    }
  });

  it("make an action's httpRequest wait, or fail with provider_rate_limited, and are learned from its replies", async () => {
    const yaml = `integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    http_timeout_ms: 5000\n    headers:\n      X-Key: \${api_key}\n`;
    const config = parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: '/tmp', env: {} });
    const integration = config.integrations.get('keyed')!;
    const connection: NangoConnection = {
      uuid: 'conn-uuid-1',
      integration: 'keyed',
      userId: 'u1',
      dateCreated: '',
      lastModified: '',
      additionalConfig: {},
      authorization: 'ok',
      credentials: { api_key: 'k', raw: {} },
    };
    const store = new SqliteStore(':memory:', testCipher());
    try {
      const gate = new RateLimitGate(store.rateLimits, 3000);
      provider.handle((_request, response) =>
        response.writeHead(200, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1' }).end('last one'),
      );
      const first = await performHttpRequest(integration, connection, { endpoint: '/1', method: 'GET' }, fetch, gate);
      expect(first.body).toBe('last one');
      expect(await store.rateLimits.get('conn-uuid-1')).toMatchObject({ reason: 'x-ratelimit-remaining: 0' });

      provider.handle((_request, response) => response.writeHead(200).end('ok'));
      const started = Date.now();
      const second = await performHttpRequest(integration, connection, { endpoint: '/2', method: 'GET' }, fetch, gate);
      expect(second.body).toBe('ok');
      expect(Date.now() - started).toBeGreaterThanOrEqual(500);

      await store.rateLimits.hold('conn-uuid-1', { untilMs: Date.now() + 60_000, reason: '429 retry-after' });
      await expect(
        performHttpRequest(integration, connection, { endpoint: '/3', method: 'GET' }, fetch, gate),
      ).rejects.toMatchObject({
        code: 'provider_rate_limited',
      });
      expect(provider.seen.map((request) => request.url)).toEqual(['/1', '/2']);
    } finally {
      await store.close();
    }
  });
});
