import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@nangohq/server';
import { generateKey } from '../../src/encryption/Keyring';
import { openStore, type StoreTarget } from '../../src/store/openStore';
import type { Store } from '../../src/store/Store';
import type { SyncExecutor } from '../../src/syncs/SyncExecutor';
import { captureLogs, deleteWorkerQueues, RABBITMQ_URL, waitFor } from '../helpers/harness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { itemsYaml, ItemsApi, PagingExecutor, RecordingWebhooks } from './pagingExecutor';

// Several workers on one database (a SQLite file, or PostgreSQL) and one broker: a sync never runs twice at once
// for one Connection, a worker stopped mid-run hands its run over, and a worker that died leaves a lease that
// expires, after which another worker resumes the run from its checkpoint.
describe.each(['sqlite', 'postgres'] as const)('sync leases across workers on %s', (kind) => {
  let dir: string;
  let queue: string;
  let target: StoreTarget;
  let database: TestDatabase | undefined;
  let store: Store;
  let api: ItemsApi;
  let executor: PagingExecutor;
  let webhooks: RecordingWebhooks;
  const workers: Worker[] = [];
  const ranBy: Record<string, number> = {};
  const savedKey = process.env['NANGO_ENCRYPTION_KEY'];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nango-leases-'));
    mkdirSync(join(dir, 'items'));
    writeFileSync(join(dir, 'items', 'items.sync.ts'), 'export {};\n');
    writeFileSync(join(dir, 'integrations.yaml'), itemsYaml());
    queue = `nango.test.${randomUUID()}`;
    if (kind === 'postgres') {
      process.env['NANGO_ENCRYPTION_KEY'] = generateKey();
      database = await createTestDatabase();
      target = { kind: 'postgres', url: database.url, poolSize: 4 };
    } else {
      target = { kind: 'sqlite', path: join(dir, 'nango.sqlite') };
    }
    store = (await openStore(process.env, target)).store;
    webhooks = new RecordingWebhooks();
    for (const name of Object.keys(ranBy)) delete ranBy[name];
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) await worker.stop();
    await store.close();
    await api?.server.close();
    await deleteWorkerQueues(queue);
    await database?.drop();
    database = undefined;
    if (savedKey === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
    else process.env['NANGO_ENCRYPTION_KEY'] = savedKey;
    rmSync(dir, { recursive: true, force: true });
  });

  async function startApi(items: number, pageSize: number, delayMs: number): Promise<void> {
    api = await new ItemsApi(pageSize, delayMs).start(items);
    executor = new PagingExecutor(
      () => api.server.url,
      () => store.records,
    );
  }

  async function startWorker(name: string, leaseMs: number): Promise<Worker> {
    const shared = executor;
    const counted: SyncExecutor = {
      run: (job, hooks) => {
        ranBy[name] = (ranBy[name] ?? 0) + 1;
        return shared.run(job, hooks);
      },
    };
    const worker = await Worker.start({
      rabbitmqUrl: RABBITMQ_URL,
      queue,
      integrationsYaml: join(dir, 'integrations.yaml'),
      integrationsDir: dir,
      ...(target.kind === 'sqlite' ? { dbPath: target.path } : { databaseUrl: target.url, databasePoolSize: 4 }),
      watch: false,
      connectRetries: 0,
      shutdownGraceMs: 2_000,
      logger: captureLogs().logger,
      roles: { rpc: true, http: false },
      syncTickMs: 50,
      syncLeaseMs: leaseMs,
      maxConcurrentSyncs: 4,
      syncExecutor: counted,
      webhooks,
    });
    workers.push(worker);
    return worker;
  }

  async function connect(userId: string): Promise<string> {
    const connection = await store.connections.insert({
      integration: 'items',
      userId,
      credentials: { api_key: 'k', raw: {} },
      additionalConfig: {},
    });
    return connection.uuid;
  }

  it('two workers never run the same sync for the same Connection at once', async () => {
    await startApi(200, 50, 5);
    executor.pageDelayMs = 5;
    for (let n = 0; n < 6; n += 1) await connect(`user-${n}`);
    await startWorker('a', 1_500);
    await startWorker('b', 1_500);
    await waitFor(() => webhooks.syncs().length >= 6, 30_000, 'the first run of every Connection');
    // Triggers keep coming while runs go on: each is served once a run ends, never by a second run beside it.
    const ids = (await store.syncSchedules.list('items')).map((schedule) => schedule.id);
    for (let round = 0; round < 20; round += 1) {
      await store.syncSchedules.trigger(ids, false);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await waitFor(
      async () => (await store.syncSchedules.list('items')).every((schedule) => schedule.runId === null && !schedule.triggered),
      30_000,
      'every trigger served',
    );
    expect(executor.overlaps).toBe(0);
    expect(executor.jobs.length).toBeGreaterThan(6);
    expect(Object.keys(ranBy).sort()).toEqual(['a', 'b']); // both took runs
    for (let n = 0; n < 6; n += 1) {
      const { uuid } = (await store.connections.get('items', `user-${n}`))!;
      expect(await store.records.count({ connection: uuid, model: 'Item', variant: 'base' })).toEqual({ total: 200, deleted: 0 });
    }
    const first = webhooks.syncs().filter((body) => body.syncType === 'INITIAL');
    expect(first).toHaveLength(6);
    expect(first.every((body) => body.responseResults?.added === 200)).toBe(true);
  }, 90_000);

  it('a worker stopped mid-run hands it over: another resumes from the checkpoint, without duplicates', async () => {
    await startApi(400, 20, 0);
    executor.pageDelayMs = 60;
    const uuid = await connect('alice');
    const a = await startWorker('a', 2_000);
    await waitFor(
      async () => (((await store.syncSchedules.list('items'))[0]?.checkpoint?.['page'] as number | undefined) ?? 0) >= 3,
      20_000,
      'a few pages saved',
    );
    await a.stop();
    workers.splice(workers.indexOf(a), 1);
    const savedBefore = (await store.records.count({ connection: uuid, model: 'Item', variant: 'base' })).total;
    const fetchedBefore = api.pagesFetched().length;
    const resumedAt = ((await store.syncSchedules.list('items'))[0]?.checkpoint?.['page'] as number) ?? 0;
    expect(savedBefore).toBeGreaterThanOrEqual(60);
    await startWorker('b', 2_000);
    await waitFor(() => webhooks.syncs().length >= 1, 20_000, 'the resumed run to end');
    const [body] = webhooks.syncs();
    expect(body).toMatchObject({ success: true, syncType: 'INITIAL' });
    expect(body?.responseResults).toEqual({ added: 400 - savedBefore, updated: 0, deleted: 0 });
    const resumed = executor.jobs[executor.jobs.length - 1];
    expect(resumed).toMatchObject({ full: true, checkpoint: { page: resumedAt } });
    // B went on from the checkpoint's page: the pages before it were not fetched again.
    expect(api.pagesFetched().slice(fetchedBefore)[0]).toBe(`0:${resumedAt}`);
    expect(await store.records.count({ connection: uuid, model: 'Item', variant: 'base' })).toEqual({ total: 400, deleted: 0 });
    expect(ranBy).toEqual({ a: 1, b: 1 });
  }, 60_000);

  it('the lease of a worker that died expires, and another worker resumes its run from the checkpoint', async () => {
    await startApi(200, 20, 0);
    await connect('alice');
    // A worker claims and starts the run, saves a checkpoint at page 5, then dies (nothing more is written).
    await store.syncSchedules.createMissing('items', 'items');
    const leaseUntil = Date.now() + 1_500;
    const [claim] = await store.syncSchedules.claimDue('dead-worker', leaseUntil, 10);
    expect(await store.syncSchedules.begin(claim!.id, claim!.runId, 'dead-worker', leaseUntil)).toBeDefined();
    await store.syncSchedules.saveCheckpoint(claim!.id, claim!.runId, { since: 0, page: 5, high: 100 });
    await startWorker('a', 1_500);
    await waitFor(() => webhooks.syncs().length >= 1, 20_000, 'the run to be resumed and end');
    expect(executor.jobs).toHaveLength(1);
    expect(executor.jobs[0]).toMatchObject({ full: true, checkpoint: { since: 0, page: 5 } });
    expect(executor.jobs[0]?.runId).not.toBe(claim!.runId);
    expect(api.pagesFetched()[0]).toBe('0:5');
    expect(webhooks.syncs()[0]?.responseResults).toEqual({ added: 100, updated: 0, deleted: 0 });
    const schedule = (await store.syncSchedules.list('items'))[0];
    expect(schedule).toMatchObject({ runId: null, lastRun: { outcome: 'success' }, checkpoint: { since: 200 } });
    expect(schedule?.lastRun?.startedAt).toBeGreaterThanOrEqual(leaseUntil);
  }, 60_000);

  it('stops a run at its time limit, records sync_timeout and sends the failure webhook', async () => {
    writeFileSync(join(dir, 'integrations.yaml'), itemsYaml({ timeoutMs: 300 }));
    await startApi(10, 10, 0);
    executor.hang = true;
    await connect('alice');
    await startWorker('a', 2_000);
    await waitFor(() => webhooks.syncs().length >= 1, 20_000, 'the run to time out');
    expect(webhooks.syncs()[0]).toMatchObject({
      success: false,
      syncType: 'INITIAL',
      error: { type: 'sync_timeout', description: expect.stringContaining('timeout_ms: 300') },
    });
    const schedule = (await store.syncSchedules.list('items'))[0];
    expect(schedule).toMatchObject({
      runId: null,
      fullPending: true,
      lastRun: { outcome: 'failure', error: { type: 'sync_timeout' } },
    });
    // The next run is at the end of this one plus the frequency, not at once.
    expect(schedule!.nextRunAt - schedule!.lastRun!.finishedAt!).toBe(3_600_000);
  }, 30_000);
});
