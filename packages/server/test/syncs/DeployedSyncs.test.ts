import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NangoConnection } from '@nangohq/protocol';
import { ActionLoader } from '../../src/actions/ActionLoader';
import { ActionRunner } from '../../src/actions/ActionRunner';
import { parseIntegrationsConfig } from '../../src/config/loadIntegrationsConfig';
import type { IntegrationsConfig } from '../../src/config/types';
import { createLogger } from '../../src/logger';
import type { DeployedFunction } from '../../src/store/FunctionDeploymentStore';
import { DeployedSyncs } from '../../src/syncs/DeployedSyncs';
import { SandboxSyncExecutor } from '../../src/syncs/SandboxSyncExecutor';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const logger = createLogger('silent', { write: () => undefined });

/** A bundle as the CLI compiles `createSync` (CommonJS, its default export the definition), without zod. */
const bundle = (body: string) => `"use strict";
module.exports = { default: { type: 'sync', exec: async (nango) => { ${body} },
  onWebhook: async (nango, payload) => {
    const saved = (await nango.getRecordsByIds([payload.id, 'nowhere'], 'Ticket')).get(payload.id);
    await nango.batchSave([{ id: payload.id, title: (saved ? saved.title + ', then ' : '') + payload.event }], 'Ticket');
  } } };
`;

const ticketSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, title: { type: 'string' } },
  required: ['id', 'title'],
};
const deployed = (name: string, overrides: Partial<DeployedFunction> = {}): DeployedFunction => ({
  integration: 'desk',
  name,
  type: 'sync',
  version: '1.0.0',
  js: bundle("await nango.batchSave([{ id: 't1', title: 'one' }], 'Ticket');"),
  models: ['Ticket'],
  modelSchemas: { Ticket: ticketSchema },
  runs: 'every 2 hours',
  autoStart: false,
  syncType: 'full',
  trackDeletes: true,
  ...overrides,
});

const connection: NangoConnection = {
  uuid: 'conn-1',
  integration: 'desk',
  userId: 'ann',
  dateCreated: '2026-01-01T00:00:00.000Z',
  lastModified: '2026-01-01T00:00:00.000Z',
  additionalConfig: {},
  authorization: 'ok',
  credentials: { api_key: 'k', raw: {} },
};

describe.each(STORE_KINDS)('DeployedSyncs: deployed syncs as the integrations syncs (%s)', (_kind, openStore) => {
  let opened: TestStore;
  let folder: string;
  let base: IntegrationsConfig;
  let loader: ActionLoader;
  let syncs: DeployedSyncs;

  beforeEach(async () => {
    opened = await openStore();
    folder = mkdtempSync(join(tmpdir(), 'nango-deployed-syncs-'));
    mkdirSync(join(folder, 'desk'));
    writeFileSync(join(folder, 'desk', 'clash.sync.ts'), 'export {};\n');
    base = parseIntegrationsConfig(
      `integrations:
  desk:
    auth_mode: API_KEY
    base_url: http://127.0.0.1:9
    headers:
      X-Api-Key: \${api_key}
    syncs:
      clash:
        models:
          Own: { type: object }
`,
      { sourceName: 'test', integrationsDir: folder },
    );
    loader = new ActionLoader(folder);
    syncs = new DeployedSyncs(opened.store.functionDeployments, loader);
  });
  afterEach(async () => {
    await opened.dispose();
    rmSync(folder, { recursive: true, force: true });
  });

  it("adds the active deployment's syncs with their declaration; the integration's own sync wins a name clash", async () => {
    expect(syncs.apply(base)).toBe(base); // nothing deployed: the same object
    await opened.store.functionDeployments.add([deployed('tickets'), deployed('clash'), deployed('lookup', { type: 'action' })]);
    await syncs.refresh();
    const applied = syncs.apply(base);
    const desk = applied.integrations.get('desk');
    expect([...(desk?.syncs.keys() ?? [])].sort()).toEqual(['clash', 'tickets']);
    expect(desk?.syncs.get('clash')?.models.has('Own')).toBe(true);
    expect(desk?.syncs.get('tickets')).toMatchObject({
      name: 'tickets',
      frequencyMs: 2 * 3_600_000,
      autoStart: false,
      syncType: 'full',
      trackDeletes: true,
      encryptRecords: true,
    });
    expect(desk?.syncs.get('tickets')?.models.get('Ticket')?.schema).toMatchObject(ticketSchema);
    // Its file is only in the loader: the wrapped bundle.
    const compiled = await loader.load(desk?.syncs.get('tickets')?.file ?? '');
    expect(compiled.code).toContain('require(\'@nangohq/action\').syncFromFunction(module.exports, "desk.tickets")');
    // The same snapshot while nothing changed (operations read it on every request).
    expect(syncs.apply(base)).toBe(applied);
    // A reload of integrations.yaml keeps the deployed code.
    loader.invalidateAll();
    expect((await loader.load(desk?.syncs.get('tickets')?.file ?? '')).code).toBe(compiled.code);
  });

  it('swaps the whole set when a new deployment is active: a removed sync is gone', async () => {
    await opened.store.functionDeployments.add([deployed('tickets'), deployed('contacts')]);
    await syncs.refresh();
    expect([...(syncs.apply(base).integrations.get('desk')?.syncs.keys() ?? [])].sort()).toEqual([
      'clash',
      'contacts',
      'tickets',
    ]);
    await opened.store.functionDeployments.add([deployed('tickets', { runs: 'every day' })]);
    await syncs.refresh();
    const desk = syncs.apply(base).integrations.get('desk');
    expect([...(desk?.syncs.keys() ?? [])].sort()).toEqual(['clash', 'tickets']);
    expect(desk?.syncs.get('tickets')?.frequencyMs).toBe(86_400_000);
  });

  it("runs a deployed sync and its webhook handler through the executor, records saved in the sync's model", async () => {
    await opened.store.functionDeployments.add([deployed('tickets')]);
    await syncs.refresh();
    const runner = new ActionRunner(loader, logger, 2);
    try {
      const executor = new SandboxSyncExecutor(runner, opened.store.records, () => syncs.apply(base));
      const hooks = { signal: new AbortController().signal, saveCheckpoint: () => Promise.resolve() };
      const job = {
        runId: 'run-1',
        integration: 'desk',
        sync: 'tickets',
        variant: 'base',
        connection,
        checkpoint: null,
        full: true,
        lastSyncDate: null,
      };
      expect((await executor.run(job, hooks)).models).toEqual({ Ticket: { added: 1, updated: 0, deleted: 0 } });
      const webhook = (id: string, event: string) => ({
        ...job,
        runId: `webhook-${id}`,
        full: false,
        webhook: { payload: { id, event } },
      });
      // The handler saved one record; t1, not saved by this run, is not marked deleted (no tracking after a webhook).
      expect((await executor.run(webhook('t7', 'created'), hooks)).models).toEqual({
        Ticket: { added: 1, updated: 0, deleted: 0 },
      });
      // It read t1 as saved (getRecordsByIds) and saved it changed.
      expect((await executor.run(webhook('t1', 'edited'), hooks)).models).toEqual({
        Ticket: { added: 0, updated: 1, deleted: 0 },
      });
      const scope = { connection: 'conn-1', model: 'Ticket', variant: 'base' };
      const saved = await opened.store.records.list(scope, { limit: 10 });
      expect(saved.records.map((record) => [record.id, record.payload?.['title']])).toEqual([
        ['t7', 'created'],
        ['t1', 'one, then edited'],
      ]);
    } finally {
      await runner.close();
    }
  }, 30_000);
});
