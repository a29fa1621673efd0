import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoredOperationLog } from '../../src/operationLog/StoredOperationLog';
import { openStore } from '../../src/store/openStore';
import type { Store } from '../../src/store/Store';
import { catalogOf, startApi, type ApiHarness } from '../helpers/apiHarness';
import { rawQuery } from '../helpers/storeFactories';

const KEY = 'dashboard-routes-secret-key';
const ACCESS_TOKEN = 'access-token-never-shown';
const REFRESH_TOKEN = 'refresh-token-never-shown';
const MINUTE = 60_000;

// Starting the API (and its store) is slow on a busy machine.
jest.setTimeout(60_000);

const YAML = `integrations:
  hub:
    provider: mockhub
    base_url: http://127.0.0.1:9
    oauth:
      client_id: hub-client
      client_secret: hub-client-secret
    syncs:
      issues:
        models:
          Issue:
            type: object
            properties: { id: { type: string } }
          Comment:
            type: object
            properties: { id: { type: string } }
        frequency: every 30 minutes
        auto_start: false
  keyed:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      x-api-key: \${api_key}
`;

describe('the routes the dashboard reads', () => {
  let api: ApiHarness;
  let store: Store;
  let log: StoredOperationLog;
  let scripts: string;
  const uuids: Record<string, string> = {};

  beforeAll(async () => {
    // The sync's script must exist for integrations.yaml to load; this API runs no sync, so it is never loaded.
    scripts = mkdtempSync(join(tmpdir(), 'nango-dashboard-routes-'));
    mkdirSync(join(scripts, 'hub'));
    writeFileSync(join(scripts, 'hub', 'issues.sync.ts'), 'export default {};\n');
    api = await startApi({
      yaml: YAML,
      integrationsDir: scripts,
      secretKey: KEY,
      catalog: catalogOf({
        name: 'mockhub',
        auth_mode: 'OAUTH2',
        authorization_url: 'http://127.0.0.1:9/authorize',
        token_url: 'http://127.0.0.1:9/token',
      }),
    });
    log = api.worker.operationLog as StoredOperationLog;
    store = (await openStore({}, { kind: 'sqlite', path: api.dbPath })).store;
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    for (const userId of ['alice', 'bob', 'carol']) {
      const connection = await store.connections.insert({
        integration: 'hub',
        userId,
        credentials: {
          access_token: ACCESS_TOKEN,
          refresh_token: REFRESH_TOKEN,
          expires_at: expiresAt,
          raw: { access_token: ACCESS_TOKEN, refresh_token: REFRESH_TOKEN },
        },
        additionalConfig: {},
      });
      uuids[userId] = connection.uuid;
    }
    await store.connections.insert({
      integration: 'keyed',
      userId: 'alice',
      credentials: { api_key: ACCESS_TOKEN, raw: {} },
      additionalConfig: {},
    });
  });
  afterAll(async () => {
    await store?.close();
    await api?.stop();
    rmSync(scripts, { recursive: true, force: true });
  });

  const call = (path: string, init: RequestInit = {}) => api.call(path, { key: KEY, ...init });

  describe('GET /logs/operations/stats', () => {
    it('counts what was stored, per status, in aligned buckets, with the filters of the listing', async () => {
      const hour = 3600_000;
      // On a multiple of two hours (buckets align on multiples of their size since the epoch), four hours ago at most.
      const base = Math.floor(Date.now() / (2 * hour)) * 2 * hour - 4 * hour;
      const record = (at: number, end: 'success' | 'failed' | 'running', integration = 'hub') => {
        const handle = log.start({ kind: 'action', name: 'echo', integration, connectionId: 'alice', startedAt: at });
        if (end === 'failed') handle.end('failed', { code: 'action_failed', message: 'boom' });
        else if (end === 'success') handle.end('success');
      };
      record(base + MINUTE, 'success');
      record(base + 2 * MINUTE, 'success');
      record(base + 3 * MINUTE, 'failed');
      record(base + hour + MINUTE, 'running');
      record(base + 2 * hour + MINUTE, 'success', 'keyed');
      await log.flush();
      const from = new Date(base + 30 * MINUTE).toISOString(); // inside the first bucket: it starts at `base`
      const to = new Date(base + 3 * hour - 1).toISOString();
      const { status, body } = await call(`/logs/operations/stats?from=${from}&to=${to}&kind=action`);
      expect(status).toBe(200);
      const zero = { running: 0, success: 0, failed: 0, cancelled: 0, timed_out: 0 };
      expect(body).toEqual({
        from: new Date(base).toISOString(),
        to,
        bucket: 3600,
        buckets: [
          { start: new Date(base).toISOString(), counts: { ...zero, success: 2, failed: 1 } },
          { start: new Date(base + hour).toISOString(), counts: { ...zero, running: 1 } },
          { start: new Date(base + 2 * hour).toISOString(), counts: { ...zero, success: 1 } },
        ],
        totals: { ...zero, success: 3, failed: 1, running: 1 },
      });
      const hub = await call(`/logs/operations/stats?from=${from}&to=${to}&integration=hub&bucket=7200`);
      expect(hub.body.buckets.map((b: { counts: typeof zero }) => b.counts)).toEqual([
        { ...zero, success: 2, failed: 1, running: 1 },
        zero,
      ]);
      expect(hub.body.totals).toEqual({ ...zero, success: 2, failed: 1, running: 1 });
    });

    it('names what is wrong with the bucket and the range', async () => {
      const small = await call('/logs/operations/stats?bucket=30');
      expect(small).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
      expect(small.body.error.message).toContain('querystring/bucket must be >= 60');
      const many = await call('/logs/operations/stats?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z&bucket=60');
      expect(many.status).toBe(400);
      expect(many.body.error.message).toMatch(/^querystring\/bucket: .* at most 1000/);
      const reversed = await call('/logs/operations/stats?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z');
      expect(reversed.body.error.message).toContain('querystring/from');
      expect((await call('/logs/operations/stats?status=bogus')).body.error.message).toContain('querystring/status');
      expect((await call('/logs/operations/stats')).status).toBe(200); // the day before now, by the hour
    });
  });

  describe('GET /syncs', () => {
    it('pages every schedule across Connections, with their state, lateness and record counts', async () => {
      const now = Date.now();
      const key = (userId: string) => ({
        integration: 'hub',
        sync: 'issues',
        variant: 'base',
        connection: uuids[userId] as string,
      });
      await store.syncSchedules.ensure(key('alice'), 'running', now + 10 * MINUTE); // on time
      await store.syncSchedules.ensure(key('bob'), 'running', now - 30 * MINUTE); // due half an hour ago: behind
      await store.syncSchedules.ensure(key('carol'), 'paused', now - 30 * MINUTE); // paused: not behind
      const insert = `INSERT INTO records (connection, model, variant, id, hash, data, key_id, first_seen_at, modified_at,
        last_action, deleted_at, pruned_at, seen_run) VALUES (?, ?, 'base', ?, 'h', NULL, NULL, 1, 1, ?, NULL, NULL, 'r')`;
      await rawQuery(store, insert, [uuids['alice'], 'Issue', 'i1', 'ADDED']);
      await rawQuery(store, insert, [uuids['alice'], 'Issue', 'i2', 'UPDATED']);
      await rawQuery(store, insert, [uuids['alice'], 'Comment', 'c1', 'ADDED']);
      await rawQuery(store, insert, [uuids['alice'], 'Issue', 'i3', 'DELETED']);

      const all = await call('/syncs');
      expect(all.status).toBe(200);
      expect(all.body.syncs).toHaveLength(3);
      expect(all.body.syncs[0]).toEqual({
        integration: 'hub',
        connection_id: 'alice',
        name: 'issues',
        variant: 'base',
        status: 'STOPPED',
        frequency: 'every 30 minutes',
        last_run_at: null,
        next_run_at: expect.any(String),
        behind_seconds: 0,
        last_error: null,
        record_count: 3,
      });
      const pages = [(await call('/syncs?limit=2&page=0')).body.syncs, (await call('/syncs?limit=2&page=1')).body.syncs];
      expect(pages.map((page) => page.map((s: { connection_id: string }) => s.connection_id))).toEqual([
        ['alice', 'bob'],
        ['carol'],
      ]);

      const behind = (await call('/syncs?behindSchedule=true')).body.syncs;
      expect(behind.map((s: { connection_id: string }) => s.connection_id)).toEqual(['bob']);
      expect(behind[0].behind_seconds).toBeGreaterThanOrEqual(30 * 60 - 5);
      const onTime = (await call('/syncs?behindSchedule=false')).body.syncs;
      expect(onTime.map((s: { connection_id: string }) => s.connection_id)).toEqual(['alice', 'carol']);
      const paused = (await call('/syncs?status=paused')).body.syncs;
      expect(paused).toEqual([expect.objectContaining({ connection_id: 'carol', status: 'PAUSED', next_run_at: null })]);
      expect((await call('/syncs?connectionId=bob&integration=hub')).body.syncs).toHaveLength(1);
      expect((await call('/syncs?integration=keyed')).body.syncs).toEqual([]);
      const bad = await call('/syncs?status=late');
      expect(bad).toMatchObject({ status: 400 });
      expect(bad.body.error.message).toContain('querystring/status');
      expect((await call('/syncs?limit=0')).status).toBe(400);
      expect((await call('/syncs?behindSchedule=yes')).body.error.message).toContain('behindSchedule');
    });
  });

  describe('GET /connections/:connectionId/auth', () => {
    it('tells the state of the authorization and nothing secret', async () => {
      const { status, body } = await call('/connections/alice/auth?provider_config_key=hub');
      expect(status).toBe(200);
      expect(Object.keys(body).sort()).toEqual(
        [
          'auth_mode',
          'authorization',
          'connection_id',
          'created_at',
          'error',
          'expires_at',
          'provider_config_key',
          'refreshable',
          'updated_at',
        ].sort(),
      );
      expect(body).toMatchObject({
        connection_id: 'alice',
        provider_config_key: 'hub',
        auth_mode: 'OAUTH2',
        authorization: 'ok',
        error: null,
        refreshable: true,
      });
      expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
      expect(JSON.stringify(body)).not.toContain(ACCESS_TOKEN);
      expect(JSON.stringify(body)).not.toContain(REFRESH_TOKEN);

      const keyed = await call('/connections/alice/auth?provider_config_key=keyed');
      expect(keyed.body).toMatchObject({ auth_mode: 'API_KEY', expires_at: null, refreshable: false });
      expect(JSON.stringify(keyed.body)).not.toContain(ACCESS_TOKEN);
      expect((await call('/connections/nobody/auth?provider_config_key=hub')).status).toBe(404);
      const missing = await call('/connections/alice/auth');
      expect(missing.status).toBe(400);
      expect(missing.body.error.message).toContain('provider_config_key');
    });
  });

  describe('GET /connections?authorization=needs_reauthorization', () => {
    it('lists only the Connections the user must authorise again', async () => {
      const version = await store.connections.credentialsVersion(uuids['carol'] as string);
      await store.connections.markNeedsReauthorization(uuids['carol'] as string, 'invalid_grant', version as number);
      const ids = async (query: string) =>
        (await call(`/connections${query}`)).body.connections.map((c: { connection_id: string }) => c.connection_id);
      expect(await ids('?authorization=needs_reauthorization')).toEqual(['carol']);
      expect(await ids('?authorization=ok&integrationId=hub')).toEqual(['alice', 'bob']);
      const bad = await call('/connections?authorization=broken');
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('authorization');
    });
  });

  describe('credentials revealed to a dashboard session', () => {
    it('records who saw them, on both routes, and never what they are', async () => {
      const signIn = await api.call('/dashboard/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ secretKey: KEY }),
      });
      const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
      const modern = await api.call('/connections/bob?provider_config_key=hub', { headers: { cookie } });
      expect(modern.status).toBe(200);
      expect(modern.body.credentials.access_token).toBe(ACCESS_TOKEN);
      const legacy = await api.call('/connection/alice?provider_config_key=keyed', { headers: { cookie } });
      expect(legacy.status).toBe(200);
      // With the secret key instead of a session: nobody to name, nothing recorded.
      expect((await call('/connections/alice?provider_config_key=hub')).status).toBe(200);
      await log.flush();

      const listed = await call('/logs/operations?kind=connection&q=credentials_revealed');
      const reveals = (listed.body.operations as Array<Record<string, unknown>>).filter(
        (o) => o['name'] === 'credentials_revealed',
      );
      expect(reveals.map((o) => [o['integration'], o['connection_id'], o['status']])).toEqual([
        ['keyed', 'alice', 'success'],
        ['hub', 'bob', 'success'],
      ]);
      expect(reveals[1]?.['fields']).toEqual({ dashboardUser: 'secret key', forceRefresh: false });
      const detail = await call(`/logs/operations/${reveals[1]?.['id'] as string}`);
      expect(detail.body.messages.map((m: { text: string }) => m.text)).toEqual([
        "Credentials sent to the dashboard user 'secret key'",
      ]);
      const everything = JSON.stringify([listed.body, detail.body]) + api.rawLogs.join('\n');
      expect(everything).not.toContain(ACCESS_TOKEN);
      expect(everything).not.toContain(REFRESH_TOKEN);
      expect(everything).not.toContain(KEY);
    });
  });

  it('shows integrations made at run time as `runtime`', async () => {
    const made = await call('/integrations', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unique_key: 'made', provider: 'mockhub' }),
    });
    expect(made.status).toBe(200);
    const list = (await call('/integrations')).body.data as Array<{ unique_key: string; source: string }>;
    expect(list.map((i) => [i.unique_key, i.source])).toEqual([
      ['hub', 'file'],
      ['keyed', 'file'],
      ['made', 'runtime'],
    ]);
  });
});
