import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/openStore';
import type { Store } from '../../src/store/Store';
import { startHarness, waitFor, type Harness } from '../helpers/harness';
import { itemsYaml, ItemsApi, PagingExecutor, RecordingWebhooks } from './pagingExecutor';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => OfficialNango };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- replies are checked by shape below
type Row = Record<string, any>;

/** What createSyncVariant and deleteSyncVariant take. */
interface VariantProps {
  provider_config_key: string;
  connection_id: string;
  name: string;
  variant: string;
}

/** The methods of the official @nangohq/node 0.71.4 this test calls. */
interface OfficialNango {
  createSyncVariant(props: VariantProps): Promise<{ id: string; name: string; variant: string }>;
  deleteSyncVariant(props: VariantProps): Promise<{ success: boolean }>;
  listRecords(config: Record<string, unknown>): Promise<{ records: Row[]; next_cursor: string | null }>;
  triggerSync(key: string, syncs?: unknown[], connectionId?: string): Promise<{ data: unknown }>;
  startSync(key: string, syncs: unknown[], connectionId?: string): Promise<{ data: unknown }>;
  pauseSync(key: string, syncs: unknown[], connectionId?: string): Promise<{ data: unknown }>;
  updateSyncConnectionFrequency(key: string, sync: unknown, connectionId: string, frequency: string | null): Promise<unknown>;
  syncStatus(key: string, syncs: '*' | unknown[], connectionId?: string): Promise<{ syncs: Row[] }>;
}

const SECRET = 'sync-variants-secret';
const ITEMS = 30;

/** integrations.yaml: `items` (auto_start) and `manual`, the same sync without auto_start. */
function yaml(): string {
  const manual = itemsYaml({ autoStart: false, frequency: 'every 2 hours' })
    .replace('integrations:\n', '')
    .replace('  items:\n', '  manual:\n');
  return itemsYaml() + manual;
}

describe('sync variants through the official SDK 0.71.4 (SQLite, real RabbitMQ)', () => {
  let api: ItemsApi;
  let dir: string;
  let harness: Harness;
  let store: Store;
  let executor: PagingExecutor;
  let webhooks: RecordingWebhooks;
  let nango: OfficialNango;
  let aliceUuid: string;

  beforeAll(async () => {
    api = await new ItemsApi(10).start(ITEMS);
    dir = mkdtempSync(join(tmpdir(), 'nango-variants-'));
    for (const integration of ['items', 'manual']) {
      mkdirSync(join(dir, integration));
      writeFileSync(join(dir, integration, 'items.sync.ts'), 'export {};\n');
    }
    webhooks = new RecordingWebhooks();
    executor = new PagingExecutor(
      () => api.server.url,
      () => store.records,
    );
    harness = await startHarness({
      yaml: yaml(),
      integrationsDir: dir,
      port: 0,
      secretKey: SECRET,
      syncTickMs: 100,
      syncLeaseMs: 3_000,
      syncExecutor: executor,
      webhooks,
    });
    store = (await openStore({}, { kind: 'sqlite', path: harness.dbPath })).store;
    nango = new Nango({ host: harness.worker.httpUrl as string, secretKey: SECRET });
    for (const integration of ['items', 'manual']) {
      await harness.nango.registerConnection(integration, 'alice', { api_key: 'k' });
    }
    aliceUuid = (await store.connections.get('items', 'alice'))!.uuid;
    // The base sync's first run, so what follows is about the variant alone.
    await waitFor(() => webhooks.syncs().some((body) => body.syncVariant === 'base'), 20_000, 'the base run');
  }, 40_000);

  afterAll(async () => {
    await harness?.stop();
    await store?.close();
    await api?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const props = (variant: string, overrides: Partial<VariantProps> = {}): VariantProps => ({
    provider_config_key: 'items',
    connection_id: 'alice',
    name: 'items',
    variant,
    ...overrides,
  });
  /** What a call rejected with: the status and error body of the server's answer. */
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => {
        throw new Error('the call succeeded');
      },
      (error: { response?: { status: number; data: { error: { code: string; message: string } } } }) => ({
        status: error.response?.status,
        ...error.response?.data.error,
      }),
    );

  it('makes a variant that runs like the base: at once, full, with records and a status of its own', async () => {
    const created = await nango.createSyncVariant(props('eu'));
    expect(created).toEqual({ id: expect.any(String), name: 'items', variant: 'eu' });
    await waitFor(() => webhooks.syncs().some((body) => body.syncVariant === 'eu'), 20_000, 'the variant run');
    expect(webhooks.syncs().find((body) => body.syncVariant === 'eu')).toMatchObject({
      connectionId: 'alice',
      providerConfigKey: 'items',
      syncName: 'items',
      model: 'Item',
      syncType: 'INITIAL',
      success: true,
      responseResults: { added: ITEMS, updated: 0, deleted: 0 },
    });
    expect(executor.jobs.find((job) => job.variant === 'eu')).toMatchObject({ full: true, checkpoint: null });

    const [status] = (await nango.syncStatus('items', [{ name: 'items', variant: 'eu' }], 'alice')).syncs;
    expect(status).toMatchObject({
      id: created.id,
      name: 'items',
      variant: 'eu',
      connection_id: 'alice',
      status: 'SUCCESS',
      frequency: 'every hour',
      recordCount: { Item: ITEMS },
    });
    expect(Date.parse(status?.nextScheduledSyncAt) - Date.parse(status?.finishedAt)).toBe(3_600_000);
    const all = (await nango.syncStatus('items', '*', 'alice')).syncs;
    expect(all.map((entry) => entry.variant)).toEqual(['base', 'eu']);
    const records = await nango.listRecords({
      providerConfigKey: 'items',
      connectionId: 'alice',
      model: 'Item',
      variant: 'eu',
      limit: 100,
    });
    expect(records.records).toHaveLength(ITEMS);
  }, 30_000);

  it("takes the status and frequency of the sync's declaration: a variant of a sync without auto_start waits", async () => {
    const created = await nango.createSyncVariant(props('us', { provider_config_key: 'manual' }));
    const [status] = (await nango.syncStatus('manual', [{ name: 'items', variant: 'us' }], 'alice')).syncs;
    expect(status).toMatchObject({ id: created.id, status: 'PAUSED', frequency: 'every 2 hours', nextScheduledSyncAt: null });
    const runs = executor.jobs.length;
    await new Promise((resolve) => setTimeout(resolve, 500)); // five ticks
    expect(executor.jobs).toHaveLength(runs);
    await nango.startSync('manual', [{ name: 'items', variant: 'us' }], 'alice');
    await waitFor(() => webhooks.syncs().some((body) => body.syncVariant === 'us'), 20_000, 'the started variant run');
  }, 30_000);

  it('refuses a duplicate, base, a bad name, and unknown syncs, integrations and Connections, naming each', async () => {
    expect(await failure(nango.createSyncVariant(props('eu')))).toMatchObject({
      status: 409,
      code: 'sync_variant_exists',
      message: expect.stringContaining("variant 'eu'"),
    });
    expect(await failure(nango.createSyncVariant(props('base')))).toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: expect.stringContaining("'base'"),
    });
    for (const bad of ['a::b', 'a,b', 'café']) {
      expect(await failure(nango.createSyncVariant(props(encodeURIComponent(bad))))).toMatchObject({
        status: 400,
        code: 'invalid_request',
        message: expect.stringContaining('variant'),
      });
    }
    expect(await failure(nango.createSyncVariant(props('x', { name: 'nope' })))).toMatchObject({
      status: 404,
      code: 'unknown_sync',
      message: expect.stringContaining("'nope'"),
    });
    expect(await failure(nango.createSyncVariant(props('x', { connection_id: 'bob' })))).toMatchObject({
      status: 404,
      code: 'connection_not_found',
      message: expect.stringContaining("'bob'"),
    });
    expect(await failure(nango.createSyncVariant(props('x', { provider_config_key: 'nope' })))).toMatchObject({
      status: 404,
      code: 'unknown_integration',
    });
    expect(await failure(nango.deleteSyncVariant(props('never-made')))).toMatchObject({
      status: 404,
      code: 'unknown_sync',
      message: expect.stringContaining("no variant 'never-made'"),
    });
    expect(await failure(nango.deleteSyncVariant(props('base')))).toMatchObject({ status: 400, code: 'invalid_request' });
    // Without the Connection (the SDK leaves an undefined field out of the body).
    expect(await failure(nango.createSyncVariant(props('x', { connection_id: undefined as unknown as string })))).toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: expect.stringContaining('connection_id'),
    });
    expect((await store.syncSchedules.list('items')).map((schedule) => schedule.variant)).toEqual(['base', 'eu']);
  });

  it('deletes a variant with its records, leaving the base alone', async () => {
    const baseRecords = await store.records.count({ connection: aliceUuid, model: 'Item', variant: 'base' });
    expect(baseRecords.total).toBe(ITEMS);
    expect(await nango.deleteSyncVariant(props('eu'))).toEqual({ success: true });
    expect((await nango.syncStatus('items', '*', 'alice')).syncs.map((entry) => entry.variant)).toEqual(['base']);
    expect(await store.records.count({ connection: aliceUuid, model: 'Item', variant: 'eu' })).toEqual({ total: 0, deleted: 0 });
    expect(await store.records.count({ connection: aliceUuid, model: 'Item', variant: 'base' })).toEqual(baseRecords);
    expect(await failure(nango.deleteSyncVariant(props('eu')))).toMatchObject({ status: 404, code: 'unknown_sync' });
    // The name is free again.
    expect((await nango.createSyncVariant(props('eu'))).variant).toBe('eu');
    expect(await nango.deleteSyncVariant(props('eu'))).toEqual({ success: true });
  }, 30_000);

  it('never makes a variant by triggering, starting, pausing or timing one the Connection does not have', async () => {
    const ghost = { name: 'items', variant: 'ghost' };
    const calls: Array<() => Promise<unknown>> = [
      () => nango.triggerSync('items', [ghost], 'alice'),
      () => nango.triggerSync('items', [ghost]),
      () => nango.startSync('items', [ghost], 'alice'),
      () => nango.pauseSync('items', [ghost], 'alice'),
      () => nango.updateSyncConnectionFrequency('items', ghost, 'alice', 'every 2 hours'),
    ];
    for (const call of calls) {
      expect(await failure(call())).toMatchObject({
        status: 404,
        code: 'unknown_sync',
        message: expect.stringContaining("no variant 'ghost'"),
      });
    }
    expect((await store.syncSchedules.list('items')).map((schedule) => schedule.variant)).toEqual(['base']);
    // The base is still made where missing, as before: `manual` has no auto_start, so bob's comes from the call.
    await harness.nango.registerConnection('manual', 'bob', { api_key: 'k' });
    expect((await nango.pauseSync('manual', ['items'], 'bob')).data).toEqual({ success: true });
    expect((await nango.syncStatus('manual', ['items'], 'bob')).syncs).toMatchObject([{ variant: 'base', status: 'PAUSED' }]);
  }, 30_000);
});
