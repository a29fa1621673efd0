import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../src/store/openStore';
import { startApi, type ApiHarness } from '../helpers/apiHarness';
import { startProviderServer, type ProviderServer } from './providerServer';

const KEY = 'test-secret-key';
// The bound under test (NANGO_PROXY_STALE_MS); long enough that two calls in a row fit well within it on a loaded machine.
const STALE_MS = 1500;

/**
 * The proxy reuses the Connection and the learned rate limit it read for up to NANGO_PROXY_STALE_MS: a change made
 * by another process (here: a second store handle on the database, as another worker or API would) reaches it within
 * that bound, and a change made through the process itself at once.
 */
describe('the proxy read cache', () => {
  let provider: ProviderServer;
  let api: ApiHarness;
  beforeEach(async () => {
    provider = await startProviderServer();
    const yaml = `integrations:\n  keyed:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Api-Key: \${api_key}\n`;
    api = await startApi({ yaml, secretKey: KEY, proxyStaleMs: STALE_MS, rateLimitMaxWaitMs: 0 });
  });
  afterEach(async () => {
    await api.stop();
    await provider.close();
  });

  const proxy = (path: string) =>
    api.call(`/proxy${path}`, { key: KEY, headers: { 'Connection-Id': 'u1', 'Provider-Config-Key': 'keyed' } });
  const lastKey = () => provider.seen[provider.seen.length - 1]?.headers['x-api-key'];

  it("uses another process's new credentials within the bound, and sees a deletion through itself at once", async () => {
    const other = await api.store();
    // Not found is never kept: a Connection made elsewhere right after a 404 is found by the next call.
    expect((await proxy('/a')).status).toBe(404);
    await other.insert({ integration: 'keyed', userId: 'u1', credentials: { api_key: 'k1', raw: {} }, additionalConfig: {} });
    const firstRead = Date.now();
    expect((await proxy('/b')).status).toBe(200);
    expect(lastKey()).toBe('k1');

    await other.updateCredentials('keyed', 'u1', { api_key: 'k2', raw: {} });
    const written = Date.now();
    expect((await proxy('/c')).status).toBe(200);
    // Within the bound the old key may still be used (it is, unless this machine took most of the bound already).
    if (Date.now() - firstRead < STALE_MS / 2) expect(lastKey()).toBe('k1');
    // The bound: a call that starts STALE_MS after the write sees it (a copy read before the write is that old then).
    await sleep(Math.max(0, written + STALE_MS + 20 - Date.now()));
    expect((await proxy('/d')).status).toBe(200);
    expect(lastKey()).toBe('k2');

    // Deleted through the API of the same process: the next call does not find it, whatever the bound.
    expect((await api.call('/connections/u1?provider_config_key=keyed', { method: 'DELETE', key: KEY })).status).toBe(200);
    expect(await proxy('/e')).toMatchObject({ status: 404 });
  });

  it('holds a limit it learns itself at once, and one another process learned within the bound', async () => {
    const other = await api.store();
    await other.insert({ integration: 'keyed', userId: 'u1', credentials: { api_key: 'k1', raw: {} }, additionalConfig: {} });
    provider.handle((_request, response) => response.writeHead(429, { 'retry-after': '30' }).end('limited'));
    expect(await proxy('/a')).toMatchObject({ status: 429, body: 'limited' });
    // Learned by this process: the next call fails fast without reaching the provider.
    expect(await proxy('/b')).toMatchObject({ status: 429, body: { error: { code: 'provider_rate_limited' } } });
    expect(provider.seen).toHaveLength(1);

    // Another Connection, whose "no limit" this process has read; another process then learns one for it.
    provider.handle((_request, response) => response.writeHead(200).end('fine'));
    await other.insert({ integration: 'keyed', userId: 'u2', credentials: { api_key: 'k2', raw: {} }, additionalConfig: {} });
    const u2 = { key: KEY, headers: { 'Connection-Id': 'u2', 'Provider-Config-Key': 'keyed' } };
    expect((await api.call('/proxy/c', u2)).status).toBe(200);
    const { store: otherProcess } = await openStore({}, { kind: 'sqlite', path: api.dbPath });
    try {
      const uuid = (await other.get('keyed', 'u2'))!.uuid;
      await otherProcess.rateLimits.hold(uuid, { untilMs: Date.now() + 60_000, reason: '429 Retry-After 60' });
      await sleep(STALE_MS + 20);
      expect(await api.call('/proxy/d', u2)).toMatchObject({ status: 429, body: { error: { code: 'provider_rate_limited' } } });
      expect(provider.seen.map((request) => request.url)).toEqual(['/a', '/c']);
    } finally {
      await otherProcess.close();
    }
  });
});
