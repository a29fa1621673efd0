import type { IntegrationConfig, IntegrationsConfig, SyncConfig } from '../../src/config/types';
import type { DeployedFunction } from '../../src/store/FunctionDeploymentStore';
import { RemovedSyncSweep } from '../../src/syncs/RemovedSyncSweep';
import { STORE_KINDS, rawQuery, type TestStore } from '../helpers/storeFactories';

const HOUR = 3_600_000;

const sync = (integration: string, name: string, models: string[]): DeployedFunction => ({
  integration,
  name,
  type: 'sync',
  version: '1.0.0',
  js: 'module.exports = {};',
  models,
  modelSchemas: {},
  runs: 'every hour',
  autoStart: true,
});

/** integrations.yaml as the sweep reads it: github's own syncs `own` (model Shared) and `clash` (model Clash). */
function ownConfig(): IntegrationsConfig {
  const own = (name: string, model: string) =>
    [name, { name, models: new Map([[model, { name: model }]]) } as unknown as SyncConfig] as const;
  const github = {
    name: 'github',
    syncs: new Map([own('own', 'Shared'), own('clash', 'Clash')]),
  } as unknown as IntegrationConfig;
  const other = { name: 'other', syncs: new Map() } as unknown as IntegrationConfig;
  return {
    integrations: new Map([
      ['github', github],
      ['other', other],
    ]),
  } as unknown as IntegrationsConfig;
}

describe.each(STORE_KINDS)('RemovedSyncSweep on %s', (_kind, open) => {
  let handle: TestStore;
  const uuids: Record<string, string> = {};

  beforeEach(async () => {
    handle = await open();
    for (const [integration, userId] of [
      ['github', 'u1'],
      ['github', 'u2'],
      ['other', 'u1'],
    ] as const) {
      const connection = await handle.store.connections.insert({
        integration,
        userId,
        credentials: { api_key: 'k', raw: {} },
        additionalConfig: {},
      });
      uuids[`${integration}/${userId}`] = connection.uuid;
    }
  });
  afterEach(() => handle.dispose());

  async function save(connection: string, model: string, count: number): Promise<void> {
    const records = Array.from({ length: count }, (_, i) => ({ id: `${model}-${i}`, payload: { i } }));
    await handle.store.records.save({ connection: uuids[connection] as string, model, variant: 'base' }, records, {
      runId: 'r1',
      encrypt: true,
    });
  }

  async function counts(): Promise<Record<string, number>> {
    const rows = await rawQuery<{ integration: string; model: string; n: number | string }>(
      handle.store,
      `SELECT c.integration, r.model, COUNT(*) AS n FROM records r JOIN connections c ON c.uuid = r.connection
       GROUP BY c.integration, r.model ORDER BY c.integration, r.model`,
    );
    return Object.fromEntries(rows.map((row) => [`${row.integration}/${row.model}`, Number(row.n)]));
  }

  async function schedules(): Promise<string[]> {
    const rows = await rawQuery<{ integration: string; sync: string; n: number | string }>(
      handle.store,
      'SELECT integration, sync, COUNT(*) AS n FROM sync_schedules GROUP BY integration, sync ORDER BY integration, sync',
    );
    return rows.map((row) => `${row.integration}/${row.sync}:${Number(row.n)}`);
  }

  it('deletes a dropped sync’s schedules and records after the grace period, in batches, sparing what others own', async () => {
    const { store } = handle;
    const v1 = [
      sync('github', 'issues', ['Issue', 'Shared']),
      sync('github', 'pulls', ['Pull']),
      sync('github', 'clash', ['Clash']),
      sync('other', 'issues', ['Issue']),
    ];
    await store.functionDeployments.add(v1);
    for (const [integration, name] of [
      ['github', 'issues'],
      ['github', 'pulls'],
      ['github', 'clash'],
      ['other', 'issues'],
    ] as const) {
      await store.syncSchedules.createMissing(integration, name);
    }
    await save('github/u1', 'Issue', 250);
    await save('github/u2', 'Issue', 30);
    await save('github/u1', 'Shared', 5);
    await save('github/u1', 'Pull', 4);
    await save('github/u1', 'Clash', 3);
    await save('other/u1', 'Issue', 7);
    const before = await counts();
    expect(before).toEqual({ 'github/Clash': 3, 'github/Issue': 280, 'github/Pull': 4, 'github/Shared': 5, 'other/Issue': 7 });
    const scheduled = ['github/clash:2', 'github/issues:2', 'github/pulls:2', 'other/issues:1'];
    expect(await schedules()).toEqual(scheduled);

    let clock = Date.now();
    const batches: number[] = [];
    const sweep = new RemovedSyncSweep({
      deployments: store.functionDeployments,
      records: {
        deleteIntegrationModel: async (integration, model, limit) => {
          const count = await store.records.deleteIntegrationModel(integration, model, limit);
          batches.push(count);
          return count;
        },
      },
      schedules: store.syncSchedules,
      integrations: ownConfig,
      graceMs: HOUR,
      batchSize: 100,
      pauseMs: 0,
      now: () => clock,
    });

    // A deployment drops github's issues and clash; within the grace period nothing goes.
    const kept = v1.filter((f) => f.name === 'pulls' || f.integration === 'other');
    await store.functionDeployments.add(kept);
    expect(await sweep.runOnce()).toBe(0);
    expect(await counts()).toEqual(before);
    expect(await schedules()).toEqual(scheduled);

    // A rollback within it brings the sync back: past the grace period, still nothing goes.
    await store.functionDeployments.add(v1, 1);
    clock += 2 * HOUR;
    expect(await sweep.runOnce()).toBe(0);
    expect(await counts()).toEqual(before);

    // Dropped again, and the grace period over: its schedules and its own model's records go.
    await store.functionDeployments.add(kept);
    clock = Date.now();
    expect(await sweep.runOnce()).toBe(0); // the new removal's grace period starts at that deployment
    clock = Date.now() + 2 * HOUR;
    expect(await sweep.runOnce()).toBe(280);
    // 280 records in batches of at most 100: a last short batch says none are left.
    expect(batches).toEqual([100, 100, 80]);
    expect(await counts()).toEqual({
      'github/Clash': 3, // integrations.yaml's own `clash` owns that name: neither its schedules nor records go
      'github/Pull': 4,
      'github/Shared': 5, // integrations.yaml's `own` sync writes Shared too
      'other/Issue': 7, // another integration's sync of the same name and model
    });
    expect(await schedules()).toEqual(['github/clash:2', 'github/pulls:2', 'other/issues:1']);

    // A later round has nothing left to do.
    batches.length = 0;
    expect(await sweep.runOnce()).toBe(0);
    expect(batches).toEqual([]);
  });

  it('lets one process at a time sweep, another taking over once the lease runs out', async () => {
    const deployments = handle.store.functionDeployments;
    const now = Date.now();
    expect(await deployments.claimRemovedSyncSweep('a', now + 60_000, now)).toBe(true);
    expect(await deployments.claimRemovedSyncSweep('b', now + 60_000, now)).toBe(false);
    expect(await deployments.claimRemovedSyncSweep('a', now + 120_000, now + 1)).toBe(true);
    expect(await deployments.claimRemovedSyncSweep('b', now + 200_000, now + 120_000)).toBe(true);
    expect(await deployments.claimRemovedSyncSweep('a', now + 200_000, now + 120_001)).toBe(false);

    // A sweep whose lease another holds does nothing, even with a removal due.
    await deployments.add([sync('github', 'issues', ['Issue'])]);
    await deployments.add([]);
    await save('github/u1', 'Issue', 3);
    const sweep = new RemovedSyncSweep({
      deployments,
      records: handle.store.records,
      schedules: handle.store.syncSchedules,
      integrations: ownConfig,
      graceMs: 0,
      now: () => now + 130_000,
    });
    expect(await sweep.runOnce()).toBe(0);
    expect(await counts()).toEqual({ 'github/Issue': 3 });
  });
});
