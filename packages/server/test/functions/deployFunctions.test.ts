import type { OperationContext } from '../../src/operations/OperationContext';
import { deployFunctions, planDeployment, rollbackDeployment } from '../../src/operations/deployFunctions';
import type { CliDeployBody, CliFlowConfig } from '../../src/operations/checkDeployment';
import { sqliteTestStore, type TestStore } from '../helpers/storeFactories';

/** Only what checkDeployment reads of the context: the integrations. */
const context = {
  integrations: () => ({
    integrations: new Map([
      ['echo', {}],
      ['other', {}],
    ]),
  }),
} as unknown as OperationContext;

const definitions = {
  Item: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
  ActionInput_echo_shout: { type: 'object', properties: { text: { type: 'string' } } },
};
const flow = (name: string, overrides: Partial<CliFlowConfig> = {}): CliFlowConfig => ({
  syncName: name,
  providerConfigKey: 'echo',
  type: 'action',
  version: '1.0.0',
  models: [],
  fileBody: { js: `module.exports = { default: { exec: async () => '${name}' } };`, ts: '' },
  models_json_schema: { definitions },
  ...overrides,
});
const body = (flowConfigs: CliFlowConfig[], extra: Partial<CliDeployBody> = {}): CliDeployBody => ({
  flowConfigs,
  reconcile: true,
  debug: false,
  ...extra,
});

describe('deploying functions (the routes nango deploy calls)', () => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await sqliteTestStore();
  });
  afterEach(() => opened.dispose());
  const store = () => opened.store.functionDeployments;
  const names = async () => ((await store().list())[0]?.functions ?? []).map((f) => `${f.integration}/${f.name}`);

  it('plans without storing, in the shape the CLI prints, then deploys as the active version', async () => {
    const first = body([
      flow('shout', { input: 'ActionInput_echo_shout' }),
      flow('items', { type: 'sync', models: ['Item'], runs: 'every hour', auto_start: true }),
    ]);
    expect(await planDeployment(context, store(), first)).toEqual({
      newSyncs: [{ name: 'items', providerConfigKey: 'echo', auto_start: true, connections: 0 }],
      updatedSyncs: [],
      deletedSyncs: [],
      newActions: [{ name: 'shout', providerConfigKey: 'echo' }],
      updatedActions: [],
      deletedActions: [],
      newOnEventScripts: [],
      updatedOnEventScripts: [],
      deletedOnEventScripts: [],
      deletedModels: [],
    });
    expect(await store().activeVersion()).toBe(0);
    expect(await deployFunctions(context, store(), first)).toEqual([
      { name: 'shout', version: '1.0.0', providerConfigKey: 'echo', type: 'action', deployment: 1 },
      { name: 'items', version: '1.0.0', providerConfigKey: 'echo', type: 'sync', deployment: 1 },
    ]);
    const stored = (await store().get(1))?.functions;
    expect(stored?.[0]).toMatchObject({ inputSchema: definitions.ActionInput_echo_shout, type: 'action' });
    expect(stored?.[1]).toMatchObject({ models: ['Item'], modelSchemas: { Item: definitions.Item }, runs: 'every hour' });

    // A plain deploy replaces everything: the sync and its model go.
    const second = body([flow('shout')]);
    expect(await planDeployment(context, store(), second)).toMatchObject({
      updatedActions: [{ name: 'shout' }],
      deletedSyncs: [{ name: 'items' }],
      deletedModels: ['Item'],
    });
    await deployFunctions(context, store(), second);
    expect(await names()).toEqual(['echo/shout']);
  });

  it('keeps the others on a single deploy (--action) and on an integration deploy (--integration)', async () => {
    await deployFunctions(context, store(), body([flow('a'), flow('b'), flow('c', { providerConfigKey: 'other' })]));
    await deployFunctions(context, store(), body([flow('a')], { singleDeployMode: true }));
    expect(await names()).toEqual(['echo/b', 'other/c', 'echo/a']);
    await deployFunctions(context, store(), body([flow('d')], { deployMode: 'integration' }));
    expect(await names()).toEqual(['other/c', 'echo/d']);
    expect(await rollbackDeployment(store(), 1)).toBe(4);
    expect(await names()).toEqual(['echo/a', 'echo/b', 'other/c']);
    await expect(rollbackDeployment(store(), 42)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a bad deployment naming every problem, and stores nothing', async () => {
    const bad = body([
      flow('shout', { models: ['Missing'], input: 'NoInput' }),
      flow('broken', { fileBody: { js: 'module.exports = {' } }),
      flow('lost', { providerConfigKey: 'nowhere' }),
      flow('shout'),
      flow('', { type: 'webhook', fileBody: {} }),
    ]);
    const error = (await deployFunctions(context, store(), bad).catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe('invalid_deployment');
    for (const problem of [
      "flowConfigs[0] (echo/shout): model 'Missing' has no JSON Schema in models_json_schema",
      "flowConfigs[0] (echo/shout): input model 'NoInput' has no JSON Schema",
      'flowConfigs[1] (echo/broken): its bundle is not JavaScript: ',
      "flowConfigs[2] (nowhere/lost): unknown integration 'nowhere' (known: echo, other)",
      'flowConfigs[3] (echo/shout): echo/shout is deployed twice',
      'flowConfigs[4] (echo/): has no name',
      'flowConfigs[4] (echo/): has no compiled bundle (fileBody.js)',
      "flowConfigs[4] (echo/): type must be 'action' or 'sync'",
    ]) {
      expect(error.message).toContain(problem);
    }
    expect(await store().activeVersion()).toBe(0);
  });

  it("keeps a sync's declaration, and refuses a frequency this server does not run or a sync type it does not know", async () => {
    const tickets = flow('tickets', {
      type: 'sync',
      models: ['Item'],
      runs: 'every 2 hours',
      auto_start: false,
      sync_type: 'full',
      track_deletes: true,
      endpoints: [{ method: 'GET', path: '/tickets', group: 'Tickets' }, { path: 'no method' }],
      webhookSubscriptions: ['ticket.created', 7],
    });
    await deployFunctions(context, store(), body([tickets]));
    const [deployed] = (await store().get(await store().activeVersion()))?.functions ?? [];
    expect(deployed).toMatchObject({
      runs: 'every 2 hours',
      autoStart: false,
      syncType: 'full',
      trackDeletes: true,
      endpoints: [{ method: 'GET', path: '/tickets', group: 'Tickets' }],
      webhookSubscriptions: ['ticket.created'],
    });
    const bad = body([
      flow('often', { type: 'sync', models: ['Item'], runs: 'every 30 seconds' }),
      flow('never', { type: 'sync', models: ['Item'] }),
      flow('odd', { type: 'sync', models: ['Item'], runs: 'every hour', sync_type: 'sometimes' }),
    ]);
    const error = (await deployFunctions(context, store(), bad).catch((e: unknown) => e)) as { code: string; message: string };
    expect(error.code).toBe('invalid_deployment');
    expect(error.message).toContain(
      "flowConfigs[0] (echo/often): its frequency 'every 30 seconds' is shorter than the minimum of 5 minutes",
    );
    expect(error.message).toContain('flowConfigs[1] (echo/never): its frequency is missing');
    expect(error.message).toContain("flowConfigs[2] (echo/odd): sync_type must be 'full' or 'incremental'");
  });
});
