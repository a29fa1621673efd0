import { openStore } from '../../src/store/openStore';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';
import { waitFor, type Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => OfficialNango };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records and statuses are checked by shape below
type Row = Record<string, any>;

/** The methods of the official @nangohq/node 0.71.4 this test calls. */
interface OfficialNango {
  listRecords(config: Record<string, unknown>): Promise<{ records: Row[]; next_cursor: string | null }>;
  triggerSync(key: string, syncs?: unknown[], connectionId?: string, opts?: unknown): Promise<unknown>;
  syncStatus(key: string, syncs: '*' | unknown[], connectionId?: string): Promise<{ syncs: Row[] }>;
  triggerAction<T>(providerConfigKey: string, connectionId: string, actionName: string, input?: unknown): Promise<T>;
  pauseSync(key: string, syncs: unknown[], connectionId?: string): Promise<unknown>;
  startSync(key: string, syncs: unknown[], connectionId?: string): Promise<unknown>;
}

const SECRET = 'deployed-syncs-secret-key';
const API_KEY = 'desk-api-key-5678';

/**
 * An incremental sync in Nango's current format: reads the tickets changed since its checkpoint, saves them, moves
 * the checkpoint on and notes it in the Connection's metadata. `prelude` goes at the top of the module (a throw).
 */
const tickets = (prelude = '') => `import { createSync } from 'nango';
import * as z from 'zod';
${prelude}
const Ticket = z.object({ id: z.string(), title: z.string(), updated: z.number() });
export default createSync({
    description: 'Tickets changed since the last run',
    version: '1.0.0',
    frequency: 'every hour',
    autoStart: true,
    syncType: 'incremental',
    models: { Ticket },
    metadata: z.object({ ticketsSince: z.number().optional() }),
    checkpoint: z.object({ since: z.number() }),
    exec: async (nango) => {
        const checkpoint = await nango.getCheckpoint();
        const since = checkpoint?.since ?? 0;
        const res = await nango.get<{ id: string; title: string; updated: number }[]>({ endpoint: '/tickets', params: { since: String(since) } });
        await nango.batchSave(res.data, 'Ticket');
        const last = res.data.reduce((max, ticket) => Math.max(max, ticket.updated), since);
        await nango.saveCheckpoint({ since: last });
        await nango.updateMetadata({ ticketsSince: last });
    }
});
`;

/** A full sync that tracks deletes: every run reads every contact; those gone upstream are marked deleted. */
const CONTACTS = `import { createSync } from 'nango';
import * as z from 'zod';

const Contact = z.object({ id: z.string(), name: z.string() });
export default createSync({
    description: 'Every contact, every run',
    version: '2.0.0',
    frequency: 'every day',
    autoStart: true,
    syncType: 'full',
    trackDeletes: true,
    models: { Contact },
    exec: async (nango) => {
        const res = await nango.get<{ id: string; name: string }[]>({ endpoint: '/contacts' });
        await nango.batchSave(res.data, 'Contact');
    }
});
`;

const LOOKUP = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Counts the tickets upstream',
    version: '1.0.0',
    input: z.object({}),
    output: z.object({ count: z.number() }),
    exec: async (nango) => {
        const res = await nango.get<unknown[]>({ endpoint: '/tickets', params: { since: '0' } });
        return { count: res.data.length };
    }
});
`;

const INDEX_ALL = "import './desk/syncs/tickets.js';\nimport './desk/syncs/contacts.js';\nimport './desk/actions/lookup.js';\n";

/**
 * Syncs deployed by the official `nango` CLI (0.71.10, unchanged) are scheduled and run like integrations.yaml's:
 * records read back with the official @nangohq/node, incremental runs go on from their checkpoint, a full run that
 * tracks deletes marks what is gone, a bundle that throws at load is refused with the previous version serving,
 * and a deployment without a sync stops it.
 */
describe('syncs deployed by the official nango CLI (SQLite, real RabbitMQ)', () => {
  let api: ApiServer;
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  let nango: OfficialNango;
  const upstream = {
    tickets: [
      { id: 't1', title: 'first', updated: 1 },
      { id: 't2', title: 'second', updated: 2 },
      { id: 't3', title: 'third', updated: 3 },
    ],
    contacts: [
      { id: 'c1', name: 'Ann' },
      { id: 'c2', name: 'Bob' },
      { id: 'c3', name: 'Cy' },
    ],
  };

  const respond = (request: RecordedRequest) => {
    const at = new URL(request.url, 'http://upstream');
    if (at.pathname === '/tickets') {
      const since = Number(at.searchParams.get('since') ?? '0');
      return { body: upstream.tickets.filter((ticket) => ticket.updated > since) };
    }
    if (at.pathname === '/contacts') return { body: upstream.contacts };
    return { status: 404, body: { error: 'no such endpoint' } };
  };

  beforeAll(async () => {
    api = await startApiServer(respond);
    mode = await startModeHarness({
      yaml: `
integrations:
  desk:
    auth_mode: API_KEY
    base_url: ${api.url}
    headers:
      Authorization: Bearer \${api_key}
`,
      withScripts: [],
      secretKey: SECRET,
    });
    ({ harness: h, url } = mode);
    nango = new Nango({ host: url, secretKey: SECRET });
    await h.nango.registerConnection('desk', 'ann', { api_key: API_KEY }, {});
    project = createFunctionsProject({
      'index.ts': INDEX_ALL,
      'desk/syncs/tickets.ts': tickets(),
      'desk/syncs/contacts.ts': CONTACTS,
      'desk/actions/lookup.ts': LOOKUP,
    });
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    await api?.close();
    project?.remove();
  });

  const records = async (model: string, connectionId = 'ann', filter?: string) =>
    (
      await nango.listRecords({
        providerConfigKey: 'desk',
        connectionId,
        model,
        ...(filter !== undefined && { filter }),
      })
    ).records;
  const statusOf = async (sync: string) => (await nango.syncStatus('desk', [sync], 'ann')).syncs[0];
  const finishedRuns = async (sync: string) => {
    const status = await statusOf(sync);
    return status?.status === 'RUNNING' ? undefined : status;
  };
  const ticketRequests = () => api.requests.filter((request) => request.url.startsWith('/tickets'));

  it('deploys a sync + action project; the syncs start by themselves and their records read back', async () => {
    const deployed = await project.deploy(url, SECRET);
    console.log(`nango deploy took ${deployed.ms} ms`);
    expect(deployed.output).toContain('tickets@v1.0.0');
    expect(deployed.output).toContain('contacts@v2.0.0');
    expect(deployed.code).toBe(0);

    await waitFor(async () => (await records('Ticket')).length === 3, 30_000, 'the deployed tickets sync to save 3 records');
    await waitFor(async () => (await records('Contact')).length === 3, 30_000, 'the deployed contacts sync to save 3 records');
    const saved = await records('Ticket');
    expect(saved.map((record) => record.id).sort()).toEqual(['t1', 't2', 't3']);
    expect(saved.find((record) => record.id === 't2')).toMatchObject({
      title: 'second',
      updated: 2,
      _nango_metadata: { last_action: 'ADDED', deleted_at: null },
    });
    // Through our outbound path: the Connection's credential went on the provider request.
    expect(ticketRequests()[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    await waitFor(async () => (await finishedRuns('tickets'))?.latestResult !== undefined, 10_000, 'the first run recorded');
    expect(await statusOf('tickets')).toMatchObject({ name: 'tickets', status: 'SUCCESS', checkpoint: { since: 3 } });
    // updateMetadata from a sync went through the worker to the store.
    expect((await h.nango.getConnection('desk', 'ann')).returnValue?.additionalConfig).toEqual({ ticketsSince: 3 });
    // The action of the same deployment answers through the official client.
    expect(await nango.triggerAction('desk', 'ann', 'lookup', {})).toEqual({ count: 3 });
  }, 200_000);

  it('goes on from the checkpoint on the next incremental run', async () => {
    upstream.tickets.push({ id: 't4', title: 'fourth', updated: 4 });
    upstream.tickets[0] = { id: 't1', title: 'first, edited', updated: 5 };
    const before = ticketRequests().length;
    await nango.triggerSync('desk', ['tickets'], 'ann');
    await waitFor(async () => (await records('Ticket')).length === 4, 20_000, 'the fourth ticket');
    await waitFor(async () => (await statusOf('tickets'))?.checkpoint?.since === 5, 10_000, 'the checkpoint to reach 5');
    // The run asked only for what changed since the last checkpoint.
    expect(ticketRequests()[before]?.url).toBe('/tickets?since=3');
    expect((await records('Ticket')).find((record) => record.id === 't1')).toMatchObject({
      title: 'first, edited',
      _nango_metadata: { last_action: 'UPDATED' },
    });
    // Paused and started again through the official client, as a sync of integrations.yaml.
    await nango.pauseSync('desk', ['tickets'], 'ann');
    expect(await statusOf('tickets')).toMatchObject({ status: 'PAUSED' });
    await nango.startSync('desk', ['tickets'], 'ann');
    expect((await statusOf('tickets'))?.status).not.toBe('PAUSED');
  }, 60_000);

  it('marks the records a full run did not see deleted (trackDeletes)', async () => {
    upstream.contacts = upstream.contacts.filter((contact) => contact.id !== 'c2');
    await nango.triggerSync('desk', ['contacts'], 'ann');
    await waitFor(
      async () => (await records('Contact', 'ann', 'deleted')).some((record) => record.id === 'c2'),
      20_000,
      'c2 marked deleted',
    );
    const deleted = await records('Contact', 'ann', 'deleted');
    expect(deleted.map((record) => record.id)).toEqual(['c2']);
    expect(deleted[0]?._nango_metadata.deleted_at).not.toBeNull();
    expect((await records('Contact', 'ann', 'added,updated')).map((record) => record.id).sort()).toEqual(['c1', 'c3']);
  }, 60_000);

  it('refuses a bundle whose sync throws at load, naming it; the previous version goes on serving', async () => {
    // `soap`, a package the CLI lets functions import (Nango's runner has it), installed in the project (a stand-in
    // here) but not on this server: the CLI loads the bundle fine (its own check), ours cannot.
    project.write('node_modules/soap/package.json', JSON.stringify({ name: 'soap', main: 'index.js', types: 'index.d.ts' }));
    project.write('node_modules/soap/index.js', 'exports.label = (text) => `[${text}]`;\n');
    project.write('node_modules/soap/index.d.ts', 'export declare function label(text: string): string;\n');
    project.write('desk/syncs/tickets.ts', tickets("import { label } from 'soap';\nconsole.log(label('tickets'));\n"));
    const refused = await project.deploy(url, SECRET);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('deployed sync desk/tickets: threw while loading');
    expect(refused.output).toContain("Cannot find module 'soap'");
    expect(refused.output).not.toContain(process.cwd()); // no path of the server's
    const listed = await fetch(`${url}/functions/deployments`, { headers: { authorization: `Bearer ${SECRET}` } });
    expect(((await listed.json()) as { deployments: unknown[] }).deployments).toHaveLength(1);

    upstream.tickets.push({ id: 't5', title: 'fifth', updated: 6 });
    await nango.triggerSync('desk', ['tickets'], 'ann');
    await waitFor(async () => (await records('Ticket')).length === 5, 20_000, 'the fifth ticket, saved by the previous version');
  }, 200_000);

  it('stops a sync that a new deployment no longer has', async () => {
    project.write('desk/syncs/tickets.ts', tickets());
    project.write('index.ts', "import './desk/syncs/tickets.js';\nimport './desk/actions/lookup.js';\n");
    const deployed = await project.deploy(url, SECRET);
    expect(deployed.code).toBe(0);

    const trigger = await fetch(`${url}/sync/trigger`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider_config_key: 'desk', connection_id: 'ann', syncs: ['contacts'] }),
    });
    expect(trigger.status).toBe(404);
    expect(JSON.stringify(await trigger.json())).toContain("Unknown sync 'contacts'");
    // A new Connection gets the remaining deployed sync, not the removed one.
    await h.nango.registerConnection('desk', 'bob', { api_key: API_KEY }, {});
    const upstreamTickets = upstream.tickets.length;
    await waitFor(async () => (await records('Ticket', 'bob')).length === upstreamTickets, 20_000, "bob's tickets");
    const bob = await nango.syncStatus('desk', '*', 'bob');
    expect(bob.syncs.map((sync) => sync.name)).toEqual(['tickets']);
    // Its model went with it: listRecords names the models the integration's syncs still declare.
    await expect(records('Contact')).rejects.toMatchObject({ response: { status: 400 } });

    // Ann's schedule of it, when it comes due (made due here, straight in the store), fails once and is paused.
    const store = (await openStore({}, { kind: 'sqlite', path: h.dbPath })).store;
    try {
      const [contacts] = await store.syncSchedules.list('desk', { syncs: ['contacts'] });
      if (!contacts) throw new Error("ann's contacts schedule is missing");
      await store.syncSchedules.trigger([contacts.id], false);
      await waitFor(async () => (await store.syncSchedules.get(contacts))?.status === 'paused', 20_000, 'the schedule paused');
      expect((await store.syncSchedules.get(contacts))?.lastRun).toMatchObject({
        outcome: 'failure',
        error: { type: 'unknown_sync', description: expect.stringContaining("no sync 'contacts' of integration 'desk'") },
      });
    } finally {
      await store.close();
    }
  }, 200_000);
});
