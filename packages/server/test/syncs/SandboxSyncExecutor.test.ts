import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoConnection } from '@nangohq/protocol';
import { ActionLoader } from '../../src/actions/ActionLoader';
import { ActionRunner } from '../../src/actions/ActionRunner';
import { loadIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig } from '../../src/config/types';
import { createLogger } from '../../src/logger';
import { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import { SandboxSyncExecutor } from '../../src/syncs/SandboxSyncExecutor';
import type { SyncJob } from '../../src/syncs/SyncExecutor';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { testCipher } from '../helpers/testCipher';

const DIR = join(__dirname, '..', 'fixtures', 'syncs');
const logger = createLogger('silent', { write: () => undefined });

/** The tracker's issues, as its API serves them: `updated` is a change counter, `deleted` a tombstone. */
interface Issue {
  id: number;
  title: unknown;
  updated: number;
  deleted?: boolean;
}

describe('SandboxSyncExecutor', () => {
  let api: ApiServer;
  let issues: Issue[];
  let clock: number;
  let folder: string;
  let config: IntegrationsConfig;
  let store: SqliteStore;
  let runner: ActionRunner;
  let executor: SandboxSyncExecutor;
  const connection: NangoConnection = {
    uuid: 'conn-1',
    integration: 'tracker',
    userId: 'u1',
    dateCreated: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    additionalConfig: {},
    authorization: 'ok',
    credentials: { api_key: 'tracker-key', raw: {} },
  };
  const job = (overrides: Partial<SyncJob> = {}): SyncJob => ({
    runId: 'run-1',
    integration: 'tracker',
    sync: 'issues',
    variant: 'base',
    connection,
    checkpoint: null,
    full: true,
    lastSyncDate: null,
    ...overrides,
  });
  const change = (issue: Issue, patch: Partial<Issue>) => Object.assign(issue, patch, { updated: ++clock });

  beforeAll(async () => {
    api = await startApiServer((request) => {
      const url = new URL(request.url, 'http://x');
      if (request.headers['x-api-key'] !== 'tracker-key') return { status: 401, body: { error: 'no key' } };
      if (url.pathname === '/all') return { body: { items: issues.filter((issue) => !issue.deleted) } };
      const since = Number(url.searchParams.get('since') ?? 0);
      const from = Number(url.searchParams.get('cursor') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const changed = issues.filter((issue) => issue.updated > since).sort((a, b) => a.updated - b.updated);
      const page = changed.slice(from, from + limit);
      return { body: { items: page, next: from + limit < changed.length ? String(from + limit) : null } };
    });
    folder = mkdtempSync(join(tmpdir(), 'nango-syncs-'));
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
      issues:
        models:
          Issue:
            type: object
            properties: { id: { type: string }, title: { type: string }, updated: { type: integer } }
            required: [id, title]
        frequency: every 30 minutes
      everything:
        models:
          Issue:
            type: object
            properties: { title: { type: string } }
        sync_type: full
        track_deletes: true
      notASync:
        models:
          Issue:
`,
    );
    config = loadIntegrationsConfig({ yamlPath: yaml, integrationsDir: DIR });
  });
  afterAll(async () => {
    await api.close();
    rmSync(folder, { recursive: true, force: true });
  });

  beforeEach(() => {
    clock = 0;
    issues = Array.from({ length: 10_000 }, (_, n) => ({ id: n + 1, title: `issue ${n + 1}`, updated: ++clock }));
    store = new SqliteStore(':memory:', testCipher());
    runner = new ActionRunner(new ActionLoader(DIR), logger, 2);
    executor = new SandboxSyncExecutor(runner, store.records, () => config);
  });
  afterEach(async () => {
    await runner.close();
    await store.close();
  });

  it('loads the sync from integrations.yaml with its models and settings', () => {
    const sync = config.integrations.get('tracker')?.syncs.get('issues');
    expect(sync).toMatchObject({ frequencyMs: 30 * 60_000, autoStart: true, syncType: 'incremental', encryptRecords: true });
    expect([...(sync?.models.keys() ?? [])]).toEqual(['Issue']);
  });

  it('saves 10,000 paged records, then only what changed, from the checkpoint', async () => {
    const checkpoints: unknown[] = [];
    const hooks = { signal: new AbortController().signal, saveCheckpoint: async (c: unknown) => void checkpoints.push(c) };
    const first = await executor.run(job(), hooks);
    expect(first.models).toEqual({ Issue: { added: 10_000, updated: 0, deleted: 0 } });
    expect(first.checkpoint).toEqual({ since: 10_000 });
    expect(checkpoints).toHaveLength(100);
    const scope = { connection: 'conn-1', model: 'Issue', variant: 'base' };
    expect(await store.records.count(scope)).toEqual({ total: 10_000, deleted: 0 });

    for (const issue of issues.slice(0, 50)) change(issue, { title: `${String(issue.title)} (edited)` });
    for (const issue of issues.slice(100, 110)) change(issue, { deleted: true });
    for (let n = 0; n < 20; n++) issues.push({ id: 20_000 + n, title: `new ${n}`, updated: ++clock });
    const second = await executor.run(job({ runId: 'run-2', full: false, checkpoint: first.checkpoint }), hooks);
    expect(second.models).toEqual({ Issue: { added: 20, updated: 50, deleted: 10 } });
    expect(await store.records.count(scope)).toEqual({ total: 10_020, deleted: 10 });
    const page = await store.records.list(scope, { limit: 100, actions: ['UPDATED'] });
    expect(page.records).toHaveLength(50);
    expect(page.records[0]?.payload).toEqual({ id: '1', title: 'issue 1 (edited)', updated: 10_001 });
  });

  it('refuses a batch with a record that does not match its model, naming it, and saves none of it', async () => {
    change(issues[41] as Issue, { title: 42 });
    const hooks = { signal: new AbortController().signal, saveCheckpoint: async () => undefined };
    const failure = executor.run(job(), hooks);
    await expect(failure).rejects.toMatchObject({ code: 'invalid_records' });
    await expect(failure).rejects.toThrow(/batchSave\(Issue\) saved nothing: record 42: title must be string/);
    // The pages before the bad one were saved; the bad page (it came last: its issue changed last) was not.
    expect(await store.records.count({ connection: 'conn-1', model: 'Issue', variant: 'base' })).toEqual({
      total: 9_999 - 99,
      deleted: 0,
    });
  });

  it('marks what a full run of a full sync did not see as deleted', async () => {
    const hooks = { signal: new AbortController().signal, saveCheckpoint: async () => undefined };
    issues = issues.slice(0, 30);
    expect((await executor.run(job({ sync: 'everything' }), hooks)).models).toEqual({
      Issue: { added: 30, updated: 0, deleted: 0 },
    });
    issues = issues.slice(5);
    expect((await executor.run(job({ sync: 'everything', runId: 'run-2' }), hooks)).models).toEqual({
      Issue: { added: 0, updated: 0, deleted: 5 },
    });
  });

  it('stops a run when its signal is aborted, keeping the checkpoints it saved', async () => {
    const controller = new AbortController();
    const saved: unknown[] = [];
    const hooks = {
      signal: controller.signal,
      saveCheckpoint: async (checkpoint: unknown) => {
        saved.push(checkpoint);
        if (saved.length === 3) controller.abort(Object.assign(new Error('lease lost'), { code: 'sync_lease_lost' }));
      },
    };
    await expect(executor.run(job(), hooks)).rejects.toMatchObject({ code: 'action_timeout' });
    expect(saved.length).toBeGreaterThanOrEqual(3);
    expect(saved.length).toBeLessThan(100);
  });

  it('names a sync file that exports an action, and a sync integrations.yaml does not declare', async () => {
    const hooks = { signal: new AbortController().signal, saveCheckpoint: async () => undefined };
    await expect(executor.run(job({ sync: 'notASync' }), hooks)).rejects.toThrow(/must export a class extending NangoSync/);
    await expect(executor.run(job({ sync: 'nope' }), hooks)).rejects.toMatchObject({ code: 'unknown_sync' });
  });
});
