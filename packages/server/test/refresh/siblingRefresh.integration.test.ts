/**
 * Two worker processes (two stores on one database file) refreshing the same Connection of a mode that keeps no
 * access_token (OAUTH2_CC's `token`, Bill's `session_id`): the second must see the first one's refresh when it gets
 * the lock, and use it, instead of fetching again.
 */
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationConfig } from '../../src/config/types';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { REFRESHER_STORE_KINDS, useRefresherHarness } from '../oauth/refresherHarness';

jest.setTimeout(20_000);

describe.each(REFRESHER_STORE_KINDS)('on %s', (kind) => {
  const h = useRefresherHarness(kind);
  let provider: ApiServer;
  let issued = 0;

  beforeEach(async () => {
    issued = 0;
    provider = await startApiServer((request) => {
      issued++;
      const body = request.url.endsWith('/login')
        ? { sessionId: `session-${issued}`, userId: 'u-1' }
        : { access_token: `token-${issued}`, expires_in: 3600 };
      return { body, delayMs: 200 };
    });
  });
  afterEach(async () => provider.close());

  const integration = (name: string, mode: string, path: string): IntegrationConfig => {
    const yaml = `integrations:
  ${name}:
    auth_mode: ${mode}
    base_url: https://api.example.test
    oauth:
      token_url: ${provider.url}${path}
      client_id: platform-client
      client_secret: platform-secret
`;
    return parseIntegrationsConfig(yaml, { sourceName: 'integrations.yaml', integrationsDir: '/nonexistent' }).integrations.get(
      name,
    ) as IntegrationConfig;
  };
  const soon = () => new Date(Date.now() + 60_000).toISOString();

  it.each([
    ['OAUTH2_CC', '/oauth/token', { token: 'old-token', expires_at: soon(), client_id: 'platform-client' }, 'token'],
    [
      'BILL',
      '/connect/v3/login',
      { username: 'u', password: 'p', organization_id: 'o', dev_key: 'd', session_id: 'old-session', expires_at: soon() },
      'session_id',
    ],
  ])('%s: one fetch for two processes, the second using the first one’s', async (mode, path, credentials, field) => {
    const config = integration('svc', mode, path);
    const a = await h.worker();
    const b = await h.worker();
    const connection = await a.store.insert({
      integration: 'svc',
      userId: 'u1',
      credentials: { ...credentials, raw: {} },
      additionalConfig: {},
    });
    const results = await Promise.all([a, b].map(({ refresher }) => refresher.ensureFresh(config, connection)));
    expect(issued).toBe(1);
    expect(new Set(results.map((result) => result.credentials[field])).size).toBe(1);
    expect(results[0]?.credentials[field]).not.toBe(credentials[field as keyof typeof credentials]);
  });
});
