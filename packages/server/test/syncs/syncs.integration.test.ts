import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/openStore';
import type { Store } from '../../src/store/Store';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { itemsYaml, ItemsApi, PagingExecutor, RecordingWebhooks } from './pagingExecutor';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => OfficialNango };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records and statuses are checked by shape below
type Row = Record<string, any>;

/** The methods of the official @nangohq/node 0.71.4 this test calls. */
interface OfficialNango {
  listRecords(config: Record<string, unknown>): Promise<{ records: Array<Row>; next_cursor: string | null }>;
  pruneRecords(config: Record<string, unknown>): Promise<{ count: number; has_more: boolean }>;
  triggerSync(key: string, syncs?: unknown[], connectionId?: string, opts?: unknown): Promise<{ data: unknown }>;
  startSync(key: string, syncs: unknown[], connectionId?: string): Promise<{ data: unknown }>;
  pauseSync(key: string, syncs: unknown[], connectionId?: string): Promise<{ data: unknown }>;
  syncStatus(key: string, syncs: '*' | unknown[], connectionId?: string): Promise<{ syncs: Array<Row> }>;
  updateSyncConnectionFrequency(
    key: string,
    sync: string,
    connectionId: string,
    frequency: string | null,
  ): Promise<{ frequency: string }>;
}

const SECRET = 'syncs-test-secret';
const ITEMS = 10_000;

describe('syncs: scheduler, records and the official SDK (SQLite, real RabbitMQ)', () => {
  let api: ItemsApi;
  let dir: string;
  let harness: Harness;
  let store: Store;
  let executor: PagingExecutor;
  let webhooks: RecordingWebhooks;
  let nango: OfficialNango;
  let host: string;

  beforeAll(async () => {
    api = await new ItemsApi(100).start(ITEMS);
    dir = mkdtempSync(join(tmpdir(), 'nango-syncs-'));
    mkdirSync(join(dir, 'items'));
    writeFileSync(join(dir, 'items', 'items.sync.ts'), 'export {};\n');
    webhooks = new RecordingWebhooks();
    executor = new PagingExecutor(
      () => api.server.url,
      () => store.records,
    );
    harness = await startHarness({
      yaml: itemsYaml(),
      integrationsDir: dir,
      port: 0,
      secretKey: SECRET,
      syncTickMs: 100,
      syncLeaseMs: 3_000,
      syncExecutor: executor,
      webhooks,
    });
    store = (await openStore({}, { kind: 'sqlite', path: harness.dbPath })).store;
    host = harness.worker.httpUrl as string;
    nango = new Nango({ host, secretKey: SECRET });
  }, 30_000);

  afterAll(async () => {
    await harness?.stop();
    await store?.close();
    await api?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const done = (count: number) =>
    waitFor(() => webhooks.syncs().length >= count, 20_000, `${count} sync webhook(s)`).then(() => webhooks.syncs());

  async function listAll(query: Record<string, unknown>): Promise<Array<Row>> {
    const all: Array<Row> = [];
    let cursor: string | null = null;
    do {
      const page = await nango.listRecords({
        providerConfigKey: 'items',
        connectionId: 'alice',
        model: 'Item',
        limit: 300,
        ...query,
        ...(cursor !== null && { cursor }),
      });
      all.push(...page.records);
      cursor = page.next_cursor;
    } while (cursor !== null);
    return all;
  }

  it('schedules a new Connection (any door), runs it full, then incrementally from the checkpoint', async () => {
    // Written straight to the database: no hook of the API or RPC side is needed for the schedule to appear.
    await store.connections.insert({
      integration: 'items',
      userId: 'alice',
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
    const [first] = await done(1);
    expect(first).toMatchObject({
      from: 'nango',
      type: 'sync',
      connectionId: 'alice',
      providerConfigKey: 'items',
      syncName: 'items',
      syncVariant: 'base',
      model: 'Item',
      syncType: 'INITIAL',
      success: true,
      responseResults: { added: ITEMS, updated: 0, deleted: 0 },
    });
    expect(executor.jobs[0]).toMatchObject({ full: true, checkpoint: null, lastSyncDate: null });
    const records = await listAll({});
    expect(records).toHaveLength(ITEMS);
    expect(new Set(records.map((record) => record.id)).size).toBe(ITEMS);
    expect(records[0]).toMatchObject({
      id: 'item-00000',
      title: 'title 0',
      _nango_metadata: { last_action: 'ADDED', deleted_at: null, pruned_at: null },
    });
    expect(Date.parse(records[0]?._nango_metadata.last_modified_at)).toBeGreaterThan(0);

    // Changes upstream, then a triggered run: incremental, from the checkpoint.
    for (const n of [1, 2, 3]) api.put(`item-0000${n}`, `changed ${n}`);
    for (const n of [4, 5]) api.delete(`item-0000${n}`);
    for (let n = 0; n < 5; n += 1) api.put(`new-${n}`, `new ${n}`);
    const before = api.pagesFetched().length;
    await nango.triggerSync('items', ['items'], 'alice');
    const [, second] = await done(2);
    expect(second).toMatchObject({
      syncType: 'INCREMENTAL',
      success: true,
      responseResults: { added: 5, updated: 3, deleted: 2 },
    });
    expect(executor.jobs[1]).toMatchObject({ full: false, checkpoint: { since: ITEMS } });
    expect(executor.jobs[1]?.lastSyncDate).toBe(first?.modifiedAfter);
    expect(api.pagesFetched().slice(before)).toEqual([`${ITEMS}:0`]); // one page of changes, not the 1000 items

    const changed = await listAll({ modifiedAfter: second?.modifiedAfter });
    expect(changed.map((record) => [record.id, record._nango_metadata.last_action])).toEqual([
      ['item-00001', 'UPDATED'],
      ['item-00002', 'UPDATED'],
      ['item-00003', 'UPDATED'],
      ['new-0', 'ADDED'],
      ['new-1', 'ADDED'],
      ['new-2', 'ADDED'],
      ['new-3', 'ADDED'],
      ['new-4', 'ADDED'],
      ['item-00004', 'DELETED'],
      ['item-00005', 'DELETED'],
    ]);
    const deleted = await listAll({ filter: 'deleted' });
    expect(deleted.map((record) => record.id)).toEqual(['item-00004', 'item-00005']);
    expect(deleted[0]?._nango_metadata.deleted_at).not.toBeNull();
    expect(await listAll({ filter: 'added,updated', modifiedAfter: second?.modifiedAfter })).toHaveLength(8);
    const byIds = await nango.listRecords({
      providerConfigKey: 'items',
      connectionId: 'alice',
      model: 'Item',
      ids: ['new-3', 'item-00002'],
    });
    expect(byIds.records.map((record) => [record.id, record.title])).toEqual([
      ['item-00002', 'changed 2'],
      ['new-3', 'new 3'],
    ]);
  }, 60_000);

  it('reports status, and pauses, starts, triggers and changes the frequency through the official SDK', async () => {
    const status = await nango.syncStatus('items', '*', 'alice');
    expect(status.syncs).toHaveLength(1);
    expect(status.syncs[0]).toMatchObject({
      name: 'items',
      variant: 'base',
      connection_id: 'alice',
      type: 'INCREMENTAL',
      status: 'SUCCESS',
      latestExecutionStatus: 'SUCCESS',
      frequency: 'every hour',
      latestResult: { Item: { added: 5, updated: 3, deleted: 2 } },
      recordCount: { Item: ITEMS + 5 - 2 },
      checkpoint: { since: expect.any(Number) },
    });
    const next = Date.parse(status.syncs[0]?.nextScheduledSyncAt);
    expect(next - Date.parse(status.syncs[0]?.finishedAt)).toBe(3_600_000);
    expect((await nango.syncStatus('items', ['items'])).syncs).toHaveLength(1);
    expect((await nango.syncStatus('items', [{ name: 'items', variant: 'base' }], 'alice')).syncs).toHaveLength(1);

    expect((await nango.pauseSync('items', ['items'], 'alice')).data).toEqual({ success: true });
    const paused = (await nango.syncStatus('items', '*', 'alice')).syncs[0];
    expect(paused).toMatchObject({ status: 'PAUSED', nextScheduledSyncAt: null });
    // A trigger runs a paused sync once.
    const count = webhooks.syncs().length;
    api.put('new-9', 'new 9');
    expect((await nango.triggerSync('items', [], 'alice')).data).toEqual({ success: true });
    await done(count + 1);
    expect((await nango.syncStatus('items', '*', 'alice')).syncs[0]).toMatchObject({ status: 'PAUSED' });
    expect((await nango.startSync('items', ['items'], 'alice')).data).toEqual({ success: true });
    expect((await nango.syncStatus('items', '*', 'alice')).syncs[0]).toMatchObject({ status: 'SUCCESS' });

    expect(await nango.updateSyncConnectionFrequency('items', 'items', 'alice', 'every 2 hours')).toEqual({
      frequency: 'every 2 hours',
    });
    const slower = (await nango.syncStatus('items', '*', 'alice')).syncs[0];
    expect(slower?.frequency).toBe('every 2 hours');
    expect(await nango.updateSyncConnectionFrequency('items', 'items', 'alice', null)).toEqual({ frequency: 'every hour' });
    const tooFast = await nango.updateSyncConnectionFrequency('items', 'items', 'alice', 'every minute').catch((error) => error);
    expect(tooFast.response?.status).toBe(400);
    expect(tooFast.response?.data.error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('frequency'),
    });
    const unknown = await nango.updateSyncConnectionFrequency('items', 'nope', 'alice', null).catch((error) => error);
    expect(unknown.response?.status).toBe(404);
    expect(unknown.response?.data.error.code).toBe('unknown_sync');
    const noConnection = await nango.startSync('items', ['items'], 'bob').catch((error) => error);
    expect(noConnection.response?.data.error.code).toBe('connection_not_found');
  }, 60_000);

  it('reset with emptyCache clears the records and runs full; prune keeps metadata', async () => {
    const count = webhooks.syncs().length;
    await nango.triggerSync('items', ['items'], 'alice', { reset: true, emptyCache: true });
    const bodies = await done(count + 1);
    const last = bodies[bodies.length - 1];
    expect(last).toMatchObject({ syncType: 'INITIAL', success: true });
    expect(executor.jobs[executor.jobs.length - 1]).toMatchObject({ full: true, checkpoint: null });
    // The API hands back live and deleted items: everything is new again after the cache was emptied.
    const records = await listAll({});
    expect(last?.responseResults?.added).toBe(records.filter((record) => record._nango_metadata.last_action === 'ADDED').length);
    expect(records.every((record) => record._nango_metadata.last_action !== 'UPDATED')).toBe(true);

    const firstPage = await nango.listRecords({ providerConfigKey: 'items', connectionId: 'alice', model: 'Item', limit: 10 });
    const until = firstPage.records[9]?._nango_metadata.cursor as string;
    expect(
      await nango.pruneRecords({ providerConfigKey: 'items', connectionId: 'alice', model: 'Item', untilCursor: until }),
    ).toEqual({
      count: 10,
      has_more: false,
    });
    const pruned = await nango.listRecords({ providerConfigKey: 'items', connectionId: 'alice', model: 'Item', limit: 11 });
    expect(pruned.records[0]).toEqual({
      id: firstPage.records[0]?.id,
      _nango_metadata: expect.objectContaining({ pruned_at: expect.any(String) }),
    });
    expect(pruned.records[10]?._nango_metadata.pruned_at).toBeNull();
    expect(pruned.records[10]?.title).toEqual(expect.any(String));
  }, 60_000);

  it('sends a failure webhook when a run fails, and status says ERROR', async () => {
    const count = webhooks.syncs().length;
    executor.failNext = 'the API said no';
    await nango.triggerSync('items', ['items'], 'alice');
    const bodies = await done(count + 1);
    expect(bodies[bodies.length - 1]).toMatchObject({
      success: false,
      model: 'Item',
      error: { type: 'sync_failed', description: 'the API said no' },
      startedAt: expect.any(String),
      failedAt: expect.any(String),
    });
    expect((await nango.syncStatus('items', '*', 'alice')).syncs[0]).toMatchObject({
      status: 'ERROR',
      latestExecutionStatus: 'ERROR',
    });
  }, 30_000);

  it('takes the legacy sync_mode: full_refresh resets the checkpoint but keeps the records', async () => {
    const count = webhooks.syncs().length;
    const before = (await store.syncSchedules.list('items'))[0];
    await nango.triggerSync('items', ['items'], 'alice', 'full_refresh' as unknown as object);
    await waitFor(
      async () => ((await store.syncSchedules.list('items'))[0]?.lastRun?.startedAt ?? 0) > (before?.lastRun?.startedAt ?? 0),
      20_000,
      'the full refresh to run',
    );
    expect(before?.checkpoint).not.toBeNull();
    expect(executor.jobs[executor.jobs.length - 1]).toMatchObject({ full: true, checkpoint: null });
    // Every record came back unchanged: a run that changed nothing sends no webhook (the switch is off).
    expect((await store.syncSchedules.list('items'))[0]?.lastRun).toMatchObject({
      outcome: 'success',
      counts: { Item: { added: 0, updated: 0, deleted: 0 } },
    });
    expect(webhooks.syncs()).toHaveLength(count);
    const uuid = (await store.connections.get('items', 'alice'))!.uuid;
    expect((await store.records.count({ connection: uuid, model: 'Item', variant: 'base' })).total).toBeGreaterThan(ITEMS);
    // `delta` is the old name of modified_after.
    const response = await fetch(`${host}/records?model=Item&limit=1&delta=${encodeURIComponent(new Date(0).toISOString())}`, {
      headers: { authorization: `Bearer ${SECRET}`, 'connection-id': 'alice', 'provider-config-key': 'items' },
    });
    expect(((await response.json()) as { records: unknown[] }).records).toHaveLength(1);
  }, 30_000);

  it('refuses bad requests with clear errors naming the field', async () => {
    const call = async (path: string, init: RequestInit = {}) => {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${SECRET}`);
      if (init.body !== undefined) headers.set('content-type', 'application/json');
      const response = await fetch(`${host}${path}`, { ...init, headers });
      return { status: response.status, body: (await response.json()) as { error: { code: string; message: string } } };
    };
    const noHeader = await call('/records?model=Item', { headers: { 'provider-config-key': 'items' } });
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.error.message).toContain('connection-id');
    const headers = { 'provider-config-key': 'items', 'connection-id': 'alice' };
    expect((await call('/records?model=Nope', { headers })).body.error.message).toContain("model: 'Nope'");
    expect((await call('/records?model=Item&filter=changed', { headers })).body.error.message).toContain('filter');
    expect((await call('/records?model=Item&limit=10001', { headers })).body.error.message).toContain('limit');
    expect((await call('/records?model=Item&modified_after=yesterday', { headers })).body.error.message).toContain(
      'modified_after',
    );
    expect((await call('/records?model=Item&cursor=abc', { headers })).body.error.code).toBe('invalid_request');
    const missing = await call('/records?model=Item', { headers: { ...headers, 'connection-id': 'bob' } });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'connection_not_found']);
    const unknownSync = await call('/sync/trigger', {
      method: 'POST',
      body: JSON.stringify({ provider_config_key: 'items', syncs: ['nope'] }),
    });
    expect([unknownSync.status, unknownSync.body.error.code]).toEqual([404, 'unknown_sync']);
    const noKey = await call('/sync/pause', { method: 'POST', body: JSON.stringify({ syncs: ['items'] }) });
    expect(noKey.body.error.message).toContain('provider_config_key');
    const unknownIntegration = await call('/sync/status?syncs=*&provider_config_key=nope');
    expect(unknownIntegration.body.error.code).toBe('unknown_integration');
  });
});
