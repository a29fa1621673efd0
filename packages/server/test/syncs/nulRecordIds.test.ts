import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES, type NangoConnection } from '@nangohq/protocol';
import { ActionLoader } from '../../src/actions/ActionLoader';
import { ActionRunner } from '../../src/actions/ActionRunner';
import { loadIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig } from '../../src/config/types';
import { createLogger } from '../../src/logger';
import { SandboxSyncExecutor } from '../../src/syncs/SandboxSyncExecutor';
import type { SyncJob } from '../../src/syncs/SyncExecutor';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const DIR = join(__dirname, '..', 'fixtures', 'syncs');
const logger = createLogger('silent', { write: () => undefined });
const NUL = '\u0000';

/**
 * A synced record whose id holds U+0000: PostgreSQL cannot store it in text, so every run of that sync failed there
 * with a retryable storage_error (SQLite stored it). On both stores the batch is now refused with a non-retryable
 * invalid_records that names the record (escaped), and nothing of it is saved. A NUL inside a record's fields is
 * data: stored and read back as it was, on both.
 */
describe.each(STORE_KINDS)('record ids with a NUL on %s', (_kind, open) => {
  let api: ApiServer;
  let items: Array<Record<string, unknown>>;
  let folder: string;
  let config: IntegrationsConfig;
  let handle: TestStore;
  let runner: ActionRunner;
  let executor: SandboxSyncExecutor;
  const connection: NangoConnection = {
    uuid: 'conn-nul',
    integration: 'tracker',
    userId: 'u1',
    dateCreated: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    additionalConfig: {},
    authorization: 'ok',
    credentials: { api_key: 'k', raw: {} },
  };
  const job: SyncJob = {
    runId: 'run-1',
    integration: 'tracker',
    sync: 'everything',
    variant: 'base',
    connection,
    checkpoint: null,
    full: true,
    lastSyncDate: null,
  };
  const hooks = { signal: new AbortController().signal, saveCheckpoint: async () => undefined };
  const scope = { connection: 'conn-nul', model: 'Issue', variant: 'base' };

  beforeAll(async () => {
    // The `everything` sync saves what /all lists, as it is.
    api = await startApiServer(() => ({ body: { items } }));
    folder = mkdtempSync(join(tmpdir(), 'nango-nul-records-'));
    const yaml = join(folder, 'integrations.yaml');
    writeFileSync(
      yaml,
      `integrations:
  tracker:
    auth_mode: API_KEY
    base_url: ${api.url}
    headers:
      X-Api-Key: \${api_key}
    syncs:
      everything:
        models:
          Issue:
            type: object
            properties: { title: { type: string } }
        sync_type: full
`,
    );
    config = loadIntegrationsConfig({ yamlPath: yaml, integrationsDir: DIR });
  });
  afterAll(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });
  beforeEach(async () => {
    handle = await open();
    runner = new ActionRunner(new ActionLoader(DIR), logger, 1);
    executor = new SandboxSyncExecutor(runner, handle.store.records, () => config);
  });
  afterEach(async () => {
    await runner.close();
    await handle.dispose();
  });

  it('refuses the batch with invalid_records naming the record, saves none of it, and the error can be stored', async () => {
    items = [
      { id: 'fine', title: 'ok' },
      { id: `bad${NUL}id`, title: 'x' },
    ];
    const failure = executor.run(job, hooks);
    await expect(failure).rejects.toMatchObject({ code: 'invalid_records' });
    const error = (await failure.catch((caught: unknown) => caught)) as Error;
    expect(error.message).toContain('"bad\\u0000id"');
    expect(error.message).toContain('NUL');
    expect(error.message).not.toContain(NUL);
    expect(ERROR_CODES.invalid_records.retryable).toBe(false);
    expect(await handle.store.records.count(scope)).toEqual({ total: 0, deleted: 0 });
  });

  it('names a NUL id refused by the model schema escaped too', async () => {
    items = [{ id: `x${NUL}`, title: 3 }];
    const error = (await executor.run(job, hooks).catch((caught: unknown) => caught)) as Error;
    expect(error).toMatchObject({ code: 'invalid_records' });
    expect(error.message).not.toContain(NUL);
  });

  it('stores a NUL inside a record field as it is', async () => {
    items = [{ id: 'with-nul', title: `a${NUL}b` }];
    expect((await executor.run(job, hooks)).models).toEqual({ Issue: { added: 1, updated: 0, deleted: 0 } });
    const page = await handle.store.records.list(scope, { limit: 10 });
    expect(page.records.map((record) => record.payload)).toEqual([{ id: 'with-nul', title: `a${NUL}b` }]);
  });
});
