import { createHmac } from 'node:crypto';
import { waitFor, type Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => OfficialNango };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are checked by shape below
type Row = Record<string, any>;

interface OfficialNango {
  listRecords(config: Record<string, unknown>): Promise<{ records: Row[]; next_cursor: string | null }>;
}

const SECRET = 'webhook-handlers-secret-key';
const WEBHOOK_SECRET = 'gh-webhook-secret-for-handlers';

/**
 * A sync in Nango's current format that subscribes to GitHub's `issues` webhooks: its onWebhook saves the issue the
 * payload carries; its exec does nothing (it never runs by itself: autoStart false).
 */
const ISSUES = `import { createSync } from 'nango';
import * as z from 'zod';

const Issue = z.object({ id: z.string(), title: z.string(), action: z.string() });
export default createSync({
    description: 'Issues, as GitHub tells of them',
    version: '1.0.0',
    frequency: 'every day',
    autoStart: false,
    syncType: 'incremental',
    models: { Issue },
    webhookSubscriptions: ['issues'],
    exec: async () => {},
    onWebhook: async (nango, payload) => {
        const event = payload as { action: string; issue: { id: number; title: string } };
        await nango.log('issue webhook', { action: event.action });
        await nango.batchSave([{ id: String(event.issue.id), title: event.issue.title, action: event.action }], 'Issue');
    }
});
`;

/**
 * The functions subscribed to a provider webhook run with its payload: a sync deployed by the official `nango` CLI
 * (0.71.10, unchanged) declares `webhookSubscriptions` and `onWebhook`; a signed GitHub webhook routed to a Connection
 * runs the handler for that Connection, whose records read back with the official @nangohq/node; a webhook of another
 * type runs nothing.
 */
describe('provider webhooks run the deployed syncs subscribed to them (SQLite, real RabbitMQ)', () => {
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  let nango: OfficialNango;

  beforeAll(async () => {
    mode = await startModeHarness({
      yaml: `
integrations:
  gh:
    provider: github
    webhooks:
      secret: ${WEBHOOK_SECRET}
`,
      withScripts: [],
      secretKey: SECRET,
    });
    ({ harness: h, url } = mode);
    nango = new Nango({ host: url, secretKey: SECRET });
    await h.nango.registerConnection('gh', 'acme', { access_token: 'gho_1' }, { installation_id: 31 });
    await h.nango.registerConnection('gh', 'globex', { access_token: 'gho_2' }, { installation_id: 32 });
    project = createFunctionsProject({ 'index.ts': "import './gh/syncs/issues.js';\n", 'gh/syncs/issues.ts': ISSUES });
  }, 30_000);

  afterAll(async () => {
    await mode?.stop();
    project?.remove();
  });

  const send = (event: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`;
    return fetch(`${url}/webhook/gh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': signature },
      body,
    });
  };
  const issues = async (connectionId: string) =>
    (await nango.listRecords({ providerConfigKey: 'gh', connectionId, model: 'Issue' })).records;

  it('runs the subscribed onWebhook for the Connection the webhook is routed to, and nothing for another type', async () => {
    const deployed = await project.deploy(url, SECRET);
    expect(deployed.output).toContain('issues@v1.0.0');
    expect(deployed.code).toBe(0);

    // Another type first: no handler subscribes to it.
    expect((await send('push', { installation: { id: 31 }, issue: { id: 1, title: 'not an issue event' } })).status).toBe(200);
    const reply = await send('issues', { action: 'opened', installation: { id: 31 }, issue: { id: 7, title: 'Broken build' } });
    expect(reply.status).toBe(200);

    await waitFor(async () => (await issues('acme')).length > 0, 30_000, 'the handler to save the issue');
    const saved = await issues('acme');
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      id: '7',
      title: 'Broken build',
      action: 'opened',
      _nango_metadata: { last_action: 'ADDED' },
    });
    // Only the Connection whose installation the payload named.
    expect(await issues('globex')).toEqual([]);

    // A second event for the same issue updates its record.
    await send('issues', { action: 'edited', installation: { id: 31 }, issue: { id: 7, title: 'Broken build, again' } });
    await waitFor(async () => (await issues('acme'))[0]?.['action'] === 'edited', 30_000, 'the edit to be saved');
    expect((await issues('acme'))[0]).toMatchObject({
      title: 'Broken build, again',
      _nango_metadata: { last_action: 'UPDATED' },
    });

    // In the operations log: each handler run is a sync operation under the webhook's routing, under its reception.
    // Operations are written in batches, after the records: read until both routings have ended.
    const list = async () =>
      (
        (await (await fetch(`${url}/logs/operations?limit=50`, { headers: { authorization: `Bearer ${SECRET}` } })).json()) as {
          operations: Row[];
        }
      ).operations;
    const ended = (operations: Row[], name: string) =>
      operations.filter((operation) => operation['name'] === name && operation['status'] !== 'running');
    await waitFor(async () => ended(await list(), 'route').length === 3, 10_000, 'the three routings in the operations log');
    const listed = { operations: await list() };
    const byId = new Map(listed.operations.map((operation) => [operation['id'] as string, operation]));
    const runs = listed.operations.filter(
      (operation) => operation['kind'] === 'sync' && operation['fields']?.trigger === 'webhook',
    );
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run).toMatchObject({ name: 'issues', connection_id: 'acme', status: 'success', fields: { webhookType: 'issues' } });
      const route = byId.get(run['parent_id'] as string);
      expect(route).toMatchObject({ kind: 'webhook', name: 'route', fields: { handlers: 1 } });
      expect(byId.get(route?.['parent_id'] as string)).toMatchObject({
        kind: 'webhook',
        name: 'incoming',
        fields: { types: 'issues' },
      });
    }
    const push = listed.operations.find((operation) => operation['name'] === 'incoming' && operation['fields']?.types === 'push');
    expect(listed.operations.find((operation) => operation['parent_id'] === push?.['id'])).toMatchObject({
      fields: { handlers: 0 },
    });
  }, 180_000);
});
