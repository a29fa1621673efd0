import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { startApiServer, type ApiServer } from '../helpers/apiServer';

const run = promisify(execFile);
const KEY = 'sdk-0714-secret-key';

describe('the official @nangohq/node 0.71.4, unchanged, on the connections routes', () => {
  let provider: ApiServer;
  let api: ApiHarness;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the script's output is checked by shape
  let out: Record<string, any>;

  beforeAll(async () => {
    provider = await startApiServer((request) =>
      request.url === '/token'
        ? { body: { access_token: 'refreshed', expires_in: 3600, refresh_token: 'rt-new' } }
        : { body: {} },
    );
    api = await startApi({
      secretKey: KEY,
      yaml: `integrations:
  hub:
    provider: mockhub
    oauth:
      client_id: hub-client
      client_secret: hub-secret
  keyed:
    auth_mode: API_KEY
    base_url: ${provider.url}
    headers:
      x-api-key: \${api_key}
`,
      catalog: catalogOf({
        name: 'mockhub',
        auth_mode: 'OAUTH2',
        authorization_url: `${provider.url}/authorize`,
        token_url: `${provider.url}/token`,
        revocation_url: `${provider.url}/revoke`,
        proxy: { base_url: provider.url },
      }),
    });
    const store = await api.store();
    const later = new Date(Date.now() + 3600_000).toISOString();
    const oauth = (token: string) => ({
      access_token: token,
      refresh_token: `${token}-rt`,
      expires_at: later,
      raw: { access_token: token, refresh_token: `${token}-rt`, scope: 'read' },
    });
    await store.insert({
      integration: 'hub',
      userId: 'alice',
      credentials: oauth('tok-alice'),
      additionalConfig: { plan: 'pro' },
    });
    await store.insert({ integration: 'hub', userId: 'bob', credentials: oauth('tok-bob'), additionalConfig: {} });
    await store.insert({
      integration: 'keyed',
      userId: 'carol',
      credentials: { api_key: 'key-carol', raw: {} },
      additionalConfig: {},
    });
    await store.setAttributes('hub', 'alice', {
      tags: { team: 'red', end_user_id: 'tagged-alice' },
      endUser: { id: 'eu-alice', email: 'alice@example.com', displayName: 'Alice Liddell' },
    });
    const { stdout } = await run(process.execPath, [join(__dirname, 'node0714Connections.mjs'), api.url, KEY], {
      timeout: 60_000,
    });
    out = JSON.parse(stdout) as Record<string, unknown>;
  }, 90_000);
  afterAll(async () => {
    await api.stop();
    await provider.close();
  });

  it('lists with every filter', () => {
    expect(out['listAll'].connections.map((c: { connection_id: string }) => c.connection_id)).toEqual(['alice', 'bob', 'carol']);
    expect(out['listAll'].connections[0]).toMatchObject({
      provider_config_key: 'hub',
      provider: 'mockhub',
      errors: [],
      end_user: { id: 'eu-alice', email: 'alice@example.com', display_name: 'Alice Liddell' },
      tags: { team: 'red' },
      metadata: { plan: 'pro' },
    });
    expect(out['listById']).toEqual(['hub/alice']);
    expect(out['listSearch']).toEqual(['hub/alice']);
    expect(out['listEndUserLegacy']).toEqual(['hub/alice']);
    expect(out['listConnectionIdParam']).toEqual(['hub/bob']);
    expect(out['listUserId']).toEqual(['hub/alice']);
    expect(out['listIntegrations']).toEqual(['hub/alice', 'hub/bob', 'keyed/carol']);
    expect(out['listIntegration']).toEqual(['keyed/carol']);
    expect(out['listTags']).toEqual(['hub/alice']);
    expect(out['listTagEmail']).toEqual(['hub/alice']);
    expect(out['listPage']).toEqual(['keyed/carol']);
  });

  it('gets a Connection, its token, raw token response and metadata', () => {
    expect(out['connection']).toMatchObject({
      connection_id: 'alice',
      provider_config_key: 'hub',
      provider: 'mockhub',
      credentials: { type: 'OAUTH2', access_token: 'tok-alice' },
      metadata: { plan: 'pro' },
    });
    expect(out['connection'].credentials.refresh_token).toBeUndefined();
    expect(out['connectionRefreshed'].credentials).toMatchObject({ access_token: 'refreshed', refresh_token: 'rt-new' });
    expect(out['token']).toBe('tok-bob');
    expect(out['apiKey']).toMatchObject({ type: 'API_KEY', apiKey: 'key-carol' });
    expect(out['raw']).toEqual({ access_token: 'tok-bob', scope: 'read' });
    expect(out['metadata']).toEqual({ plan: 'pro' });
    expect(provider.requests.filter((r) => r.url === '/token')).toHaveLength(1);
  });

  it('sets and updates metadata for one id and several, all or nothing', () => {
    expect(out['setOne']).toEqual({
      status: 201,
      data: { metadata: { plan: 'team', seats: 3 }, connection_id: 'alice', provider_config_key: 'hub' },
    });
    expect(out['setSeveral'].status).toBe(201);
    expect(out['update']).toMatchObject({ status: 200, data: { connection_id: ['alice', 'bob'] } });
    expect(out['metadataAfter']).toEqual([
      { region: 'eu', flags: { b: 2 }, extra: true },
      { region: 'eu', flags: { b: 2 }, extra: true },
    ]);
    expect(out['setMissing'].thrown).toMatchObject({ status: 404, data: { error: { code: 'connection_not_found' } } });
  });

  it('patches tags and end user, and waits for a Connection by end user id or tag', () => {
    expect(out['patch']).toEqual({ success: true });
    expect(out['patched']).toMatchObject({ tags: { env: 'prod' }, end_user: { id: 'eu-bob', email: 'bob@example.com' } });
    expect(out['wait']).toMatchObject({ connection_id: 'bob', provider_config_key: 'hub' });
    expect(out['waitByTag']).toMatchObject({ connection_id: 'alice', provider_config_key: 'hub' });
  });

  it('deletes a Connection (revoking its token) and reports one that is not there', () => {
    expect(out['delete']).toEqual({ status: 200, data: { success: true } });
    expect(provider.requests.filter((r) => r.url === '/revoke')).toHaveLength(1);
    expect(out['deleteAgain'].thrown).toMatchObject({ status: 404, data: { error: { code: 'connection_not_found' } } });
    expect(out['afterDelete']).toEqual(['hub/alice', 'keyed/carol']);
    expect(out['missing'].thrown).toMatchObject({ status: 404, data: { error: { code: 'connection_not_found' } } });
  });
});
