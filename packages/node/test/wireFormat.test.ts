import { Nango, NangoError } from '@nangohq/node';
import { startCaptureServer, TRANSPORT_HEADERS, type CaptureServer, type CapturedRequest } from './captureServer';

const { Nango: OfficialNango } = require('nango-node-0714') as { Nango: new (options: object) => Client };

/** The methods both SDKs share, called the same way: the official one's types are not imported. */
type Client = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** One body that satisfies what every method reads from its answer. */
const ANSWER = {
  data: [],
  connections: [{ connection_id: 'c1', provider_config_key: 'gh', provider: 'github', created: '2026-01-01T00:00:00Z' }],
  credentials: { type: 'OAUTH2', access_token: 'token-1', raw: { access_token: 'token-1' } },
  metadata: { plan: 'pro' },
  id: 'action-1',
  statusUrl: '/action/action-1',
};

const proxyBase = { providerConfigKey: 'gh', connectionId: 'c1' };

/** Every shared method with the same arguments; the requests of both SDKs must be the same. */
const CALLS: Array<[string, (client: Client) => Promise<unknown>]> = [
  ['listProviders', (c) => c.listProviders!({ search: 'git hub,x' })],
  ['listProviders without search', (c) => c.listProviders!()],
  ['getProvider', (c) => c.getProvider!({ provider: 'github' })],
  ['listIntegrations', (c) => c.listIntegrations!()],
  ['getIntegration', (c) => c.getIntegration!({ uniqueKey: 'gh' })],
  ['getIntegration with one include', (c) => c.getIntegration!({ uniqueKey: 'gh' }, { include: ['credentials'] })],
  [
    'createIntegration (spec 5 credentials)',
    (c) =>
      c.createIntegration!({
        provider: 'github',
        unique_key: 'gh',
        display_name: 'GitHub',
        credentials: { oauth_client_id: 'id', oauth_client_secret: 'secret' },
      }),
  ],
  [
    'createIntegration (SDK credentials)',
    (c) =>
      c.createIntegration!({
        provider: 'github',
        unique_key: 'gh',
        credentials: { type: 'OAUTH2', client_id: 'id', client_secret: 'secret', scopes: 'repo,user' },
      }),
  ],
  ['updateIntegration', (c) => c.updateIntegration!({ uniqueKey: 'gh' }, { display_name: 'Prod', unique_key: 'gh2' })],
  ['deleteIntegration', (c) => c.deleteIntegration!('gh')],
  [
    'createConnectSession',
    (c) =>
      c.createConnectSession!({
        end_user: { id: 'u1', email: 'u1@example.com' },
        tags: { end_user_id: 'u1' },
        allowed_integrations: ['gh'],
        integrations_config_defaults: { gh: { connection_config: { repo: 'r' } } },
      }),
  ],
  ['createReconnectSession', (c) => c.createReconnectSession!({ connection_id: 'c1', integration_id: 'gh', tags: { a: 'b' } })],
  ['listConnections', (c) => c.listConnections!()],
  [
    'listConnections with every filter',
    (c) =>
      c.listConnections!({
        connectionId: 'c1',
        userId: 'u1',
        integrationId: ['gh', 'slack'],
        tags: { Plan: 'pro', displayName: 'Ada', email: 'a@example.com' },
        limit: 50,
        page: 2,
      }),
  ],
  [
    'listConnections legacy',
    (c) => c.listConnections!('c1', 'ada', { endUserId: 'u1', endUserOrganizationId: 'o1', limit: 5, page: 1 }),
  ],
  ['getConnection', (c) => c.getConnection!('gh', 'c1')],
  ['getConnection with both flags', (c) => c.getConnection!('gh', 'c1', true, true)],
  ['getToken', (c) => c.getToken!('gh', 'c1', true)],
  ['getRawTokenResponse', (c) => c.getRawTokenResponse!('gh', 'c1')],
  ['getMetadata', (c) => c.getMetadata!('gh', 'c1')],
  ['setMetadata', (c) => c.setMetadata!('gh', 'c1', { plan: 'pro' })],
  ['setMetadata on several', (c) => c.setMetadata!('gh', ['c1', 'c2'], { plan: 'pro' })],
  ['updateMetadata', (c) => c.updateMetadata!('gh', ['c1'], { plan: 'team' })],
  ['patchConnection', (c) => c.patchConnection!({ connectionId: 'c1', provider_config_key: 'gh' }, { tags: { plan: 'pro' } })],
  ['deleteConnection', (c) => c.deleteConnection!('gh', 'c1')],
  ['waitForConnection (found at once)', (c) => c.waitForConnection!('gh', 'u1')],
  ['get', (c) => c.get!({ ...proxyBase, endpoint: '/repos', params: { page: 2, q: 'a b' }, headers: { 'X-Custom': 'v' } })],
  ['get without leading slash', (c) => c.get!({ ...proxyBase, endpoint: 'user' })],
  ['get with a string query', (c) => c.get!({ ...proxyBase, endpoint: '/search', params: 'q=x&page=1' })],
  [
    'post',
    (c) =>
      c.post!({
        ...proxyBase,
        endpoint: '/issues',
        data: { title: 'Bug' },
        retries: 3,
        retryOn: [404, 409],
        baseUrlOverride: 'http://127.0.0.1:1',
      }),
  ],
  [
    'post with Content-Type',
    (c) => c.post!({ ...proxyBase, endpoint: '/x', data: { a: 1 }, headers: { 'Content-Type': 'application/json' } }),
  ],
  ['post a string', (c) => c.post!({ ...proxyBase, endpoint: '/form', data: 'a=1&b=2' })],
  ['put', (c) => c.put!({ ...proxyBase, endpoint: '/x', data: { a: 1 } })],
  ['patch', (c) => c.patch!({ ...proxyBase, endpoint: '/x', data: [1, 2] })],
  ['delete with a body', (c) => c.delete!({ ...proxyBase, endpoint: '/x', data: { ids: [1] } })],
  ['delete', (c) => c.delete!({ ...proxyBase, endpoint: '/x', decompress: true, forwardHeadersOnRedirect: false })],
  ['triggerAction', (c) => c.triggerAction!('gh', 'c1', 'create-issue', { title: 'x' })],
  ['triggerAction without input', (c) => c.triggerAction!('gh', 'c1', 'ping')],
  ['triggerActionAsync', (c) => c.triggerActionAsync!('gh', 'c1', 'export', { format: 'csv' })],
  ['getAsyncActionResult by id', (c) => c.getAsyncActionResult!({ id: 'action-1' })],
  ['getAsyncActionResult by statusUrl', (c) => c.getAsyncActionResult!({ statusUrl: '/action/action-1' })],
  ['getScriptsConfig', (c) => c.getScriptsConfig!()],
  ['getScriptsConfig openai', (c) => c.getScriptsConfig!('openai')],
  ['listRecords', (c) => c.listRecords!({ ...proxyBase, model: 'Issue' })],
  [
    'listRecords with every option',
    (c) =>
      c.listRecords!({
        ...proxyBase,
        model: 'Issue',
        variant: 'eu',
        modifiedAfter: '2026-01-02T03:04:05.000Z',
        limit: 50,
        filter: 'added,deleted',
        cursor: 'Y3Vyc29y',
        ids: ['1', 'a b', 'x&y'],
      }),
  ],
  [
    'listRecords with delta',
    (c) => c.listRecords!({ ...proxyBase, model: 'Issue', delta: '2026-01-01', cursor: null, limit: 0 }),
  ],
  ['pruneRecords', (c) => c.pruneRecords!({ ...proxyBase, model: 'Issue', untilCursor: 'Y3Vyc29y' })],
  [
    'pruneRecords with limit and variant',
    (c) => c.pruneRecords!({ ...proxyBase, model: 'Issue', untilCursor: 'Y3Vyc29y', limit: 10, variant: 'eu' }),
  ],
  ['triggerSync', (c) => c.triggerSync!('gh', ['issues'], 'c1')],
  ['triggerSync for every sync and Connection', (c) => c.triggerSync!('gh')],
  [
    'triggerSync with opts and a variant',
    (c) => c.triggerSync!('gh', [{ name: 'issues', variant: 'eu' }, 'repos'], 'c1', { reset: true, emptyCache: true }),
  ],
  ['triggerSync legacy sync_mode', (c) => c.triggerSync!('gh', ['issues'], 'c1', 'full_refresh_and_clear_cache')],
  ['triggerSync legacy true', (c) => c.triggerSync!('gh', [], undefined, true)],
  ['triggerSync legacy false', (c) => c.triggerSync!('gh', ['issues'], 'c1', false)],
  ['startSync', (c) => c.startSync!('gh', ['issues', { name: 'repos', variant: 'eu' }], 'c1')],
  ['startSync for every Connection', (c) => c.startSync!('gh', ['issues'])],
  ['pauseSync', (c) => c.pauseSync!('gh', ['issues'], 'c1')],
  ['syncStatus', (c) => c.syncStatus!('gh', ['issues', { name: 'repos', variant: 'eu' }], 'c1')],
  ['syncStatus of every sync', (c) => c.syncStatus!('gh', '*')],
  ['updateSyncConnectionFrequency', (c) => c.updateSyncConnectionFrequency!('gh', 'issues', 'c1', 'every 2 hours')],
  [
    'updateSyncConnectionFrequency of a variant, back to the default',
    (c) => c.updateSyncConnectionFrequency!('gh', { name: 'issues', variant: 'eu' }, 'c1', null),
  ],
  [
    'createSyncVariant',
    (c) => c.createSyncVariant!({ provider_config_key: 'gh', connection_id: 'c1', name: 'issues', variant: 'eu' }),
  ],
  [
    'deleteSyncVariant',
    (c) => c.deleteSyncVariant!({ provider_config_key: 'gh', connection_id: 'c1', name: 'issues', variant: 'eu' }),
  ],
  ['getEnvironmentVariables', (c) => c.getEnvironmentVariables!()],
];

/** The request a call sends, with a fresh capture. */
async function capture(
  server: CaptureServer,
  client: Client,
  call: (client: Client) => Promise<unknown>,
): Promise<CapturedRequest[]> {
  server.requests.length = 0;
  await call(client);
  return server.requests.map((request) => ({ ...request, rawUrl: '' }));
}

describe('our SDK sends what the official @nangohq/node 0.71.4 sends', () => {
  let server: CaptureServer;
  let ours: Client;
  let official: Client;
  beforeAll(async () => {
    server = await startCaptureServer(() => ({ body: ANSWER }));
    ours = new Nango({ host: server.url, secretKey: 'secret-key' }) as unknown as Client;
    official = new OfficialNango({ host: server.url, secretKey: 'secret-key' });
  });
  afterAll(() => server.close());

  it.each(CALLS)('%s', async (_name, call) => {
    const theirs = await capture(server, official, call);
    const mine = await capture(server, ours, call);
    expect(theirs.length).toBeGreaterThan(0);
    expect(mine).toEqual(theirs);
  });

  it('reads the same results from the same answers', async () => {
    for (const [name, call] of CALLS) {
      if (
        /^(get|post|put|patch|delete)\b|proxy|deleteIntegration|deleteConnection|setMetadata|updateMetadata|(trigger|start|pause)Sync/.test(
          name,
        )
      )
        continue;
      expect([name, await call(ours)]).toEqual([name, await call(official)]);
    }
  });

  it('differs only in headers the HTTP stack sets (axios vs fetch), which the comparison above leaves out', async () => {
    const names = async (client: Client) => {
      server.rawHeaders.length = 0;
      await client.post!({ ...proxyBase, endpoint: '/x', data: { a: 1 } });
      return new Set(Object.keys(server.rawHeaders[0] ?? {}));
    };
    const theirs = await names(official);
    const mine = await names(ours);
    const differing = [...theirs, ...mine].filter((name) => !(theirs.has(name) && mine.has(name)));
    expect(differing.every((name) => TRANSPORT_HEADERS.has(name))).toBe(true);
    expect(server.rawHeaders[0]?.['user-agent']).toMatch(/^nango-node-sdk\/\S+ \(/);
  });

  describe('differences chosen on purpose', () => {
    it('resolves triggerSync, startSync and pauseSync with the body; the official SDK gives the axios response', async () => {
      const typed = ours as unknown as Nango;
      for (const call of [
        () => typed.triggerSync('gh', ['issues'], 'c1'),
        () => typed.startSync('gh', ['issues'], 'c1'),
        () => typed.pauseSync('gh', ['issues'], 'c1'),
      ]) {
        expect(await call()).toEqual(ANSWER);
      }
      const theirs = (await official.triggerSync!('gh', ['issues'], 'c1')) as { data: unknown; status: number };
      expect([theirs.status, theirs.data]).toEqual([200, ANSWER]);
    });

    it('refuses a call without its ids with NangoError invalid_argument, before sending; the official SDK throws an Error', async () => {
      const calls: Array<(c: Client) => Promise<unknown>> = [
        (c) => c.listRecords!({ providerConfigKey: 'gh', model: 'Issue' }),
        (c) => c.syncStatus!('gh', 'issues'),
        (c) => c.startSync!('gh', 'issues', 'c1'),
        (c) => c.triggerSync!('gh', 'issues'),
        (c) => c.updateSyncConnectionFrequency!('gh', 'issues', 'c1', 60),
      ];
      for (const call of calls) {
        server.requests.length = 0;
        const theirs: unknown = await Promise.resolve()
          .then(() => call(official))
          .catch((error: unknown) => error);
        const mine: unknown = await call(ours).catch((error: unknown) => error); // rejects, never throws at once
        expect(theirs).toBeInstanceOf(Error);
        expect(mine).toBeInstanceOf(NangoError);
        expect(mine).toMatchObject({ code: 'invalid_argument' });
        expect(server.requests).toHaveLength(0);
      }
    });

    it('checks pruneRecords arguments too; the official SDK sends them as they are', async () => {
      const call = (c: Client) => c.pruneRecords!({ ...proxyBase, model: 'Issue' });
      expect((await capture(server, official, call))[0]?.body).toEqual({ model: 'Issue' });
      server.requests.length = 0;
      await expect(call(ours)).rejects.toMatchObject({
        code: 'invalid_argument',
        message: expect.stringContaining('untilCursor'),
      });
      expect(server.requests).toHaveLength(0);
    });
    it('checks sync variant arguments too; the official SDK sends `undefined` in the path', async () => {
      const call = (c: Client) => c.createSyncVariant!({ provider_config_key: 'gh', connection_id: 'c1', name: 'issues' });
      expect((await capture(server, official, call))[0]?.path).toBe('/sync/issues/variant/undefined');
      server.requests.length = 0;
      await expect(call(ours)).rejects.toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('variant') });
      expect(server.requests).toHaveLength(0);
    });

    it('sends every include value; the official SDK sends only the last', async () => {
      const call = (c: Client) => c.getIntegration!({ uniqueKey: 'gh' }, { include: ['webhook', 'credentials'] });
      expect((await capture(server, official, call))[0]?.query).toEqual([['include', 'credentials']]);
      expect((await capture(server, ours, call))[0]?.query).toEqual([
        ['include', 'webhook'],
        ['include', 'credentials'],
      ]);
    });

    it('encodes ids in paths; the official SDK sends them raw', async () => {
      const call = (c: Client) => c.getConnection!('gh', 'team/a');
      expect((await capture(server, official, call))[0]?.path).toBe('/connections/team/a');
      expect((await capture(server, ours, call))[0]?.path).toBe('/connections/team%2Fa');
    });

    it('sends any proxy method as it is; 0.71.4 sends methods it does not know as GET', async () => {
      const call = (c: Client) => c.proxy!({ ...proxyBase, endpoint: '/dav', method: 'PROPFIND' });
      expect((await capture(server, official, call))[0]?.method).toBe('GET');
      expect((await capture(server, ours, call))[0]?.method).toBe('PROPFIND');
    });

    it('resolves deletes and metadata writes with the body; the official SDK gives the axios response', async () => {
      const typed = ours as unknown as Nango;
      expect(await typed.setMetadata('gh', 'c1', { a: 1 })).toEqual(ANSWER);
      const theirs = (await official.setMetadata!('gh', 'c1', { a: 1 })) as { data: unknown; status: number };
      expect(theirs.status).toBe(200);
      expect(theirs.data).toEqual(ANSWER);
    });

    it('returns proxy answers as { status, statusText, headers, data }, fields the axios response also has', async () => {
      const typed = ours as unknown as Nango;
      const mine = await typed.get({ ...proxyBase, endpoint: '/x' });
      const theirs = (await official.get!({ ...proxyBase, endpoint: '/x' })) as {
        status: number;
        data: unknown;
        headers: object;
      };
      expect(mine).toMatchObject({ status: theirs.status, data: theirs.data, headers: { 'content-type': 'application/json' } });
    });
  });
});
