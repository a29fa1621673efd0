import { createHmac, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type ApiServer, type RecordedRequest } from '../helpers/apiServer';
import { deleteWorkerQueues, RABBITMQ_URL, waitFor } from '../helpers/harness';
import { WorkerProcess } from '../faults/faultHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

// The official SDK 0.71.4, as apps use it.
const { Nango } = require('nango-node-0714') as { Nango: new (options: { host: string; secretKey: string }) => OfficialNango };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- records are checked by shape below
type Row = Record<string, any>;

/** The methods of the official @nangohq/node 0.71.4 this test calls. */
interface OfficialNango {
  listRecords(config: Record<string, unknown>): Promise<{ records: Row[]; next_cursor: string | null }>;
  triggerAction<T>(providerConfigKey: string, connectionId: string, actionName: string, input?: unknown): Promise<T>;
  getConnection(providerConfigKey: string, connectionId: string): Promise<Row>;
}

const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const SECRET = 'functions-e2e-secret-key';
const WEBHOOK_SECRET = 'desk-webhook-signing-secret';
const API_KEY = 'desk-api-key-e2e';

/**
 * A sync that reads every ticket on its schedule and saves the ones a `ticket.created` webhook carries.
 */
const TICKETS = `import { createSync } from 'nango';
import * as z from 'zod';

const Ticket = z.object({ id: z.string(), title: z.string() });
export default createSync({
    description: 'Tickets, read on schedule and pushed by webhooks',
    version: '1.0.0',
    frequency: 'every hour',
    autoStart: true,
    syncType: 'full',
    models: { Ticket },
    webhookSubscriptions: ['ticket.created'],
    exec: async (nango) => {
        const res = await nango.get<{ id: string; title: string }[]>({ endpoint: '/tickets' });
        await nango.batchSave(res.data, 'Ticket');
    },
    onWebhook: async (nango, payload) => {
        await nango.batchSave([payload.ticket], 'Ticket');
    }
});
`;

/** An action whose answer says which deployment and which worker process ran it. */
const count = (version: string) => `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Counts the tickets upstream',
    version: '${version}',
    input: z.object({}),
    output: z.object({ count: z.number(), version: z.string(), pid: z.number() }),
    exec: async (nango) => {
        const res = await nango.get<unknown[]>({ endpoint: '/tickets' });
        return { count: res.data.length, version: '${version}', pid: process.pid };
    }
});
`;

/** post-connection-creation: tells the provider about the new Connection and notes it in the metadata. */
const WELCOME = `import { createOnEvent } from 'nango';
import * as z from 'zod';

export default createOnEvent({
    event: 'post-connection-creation',
    description: 'Greets the provider',
    metadata: z.object({ welcomed: z.boolean().optional() }),
    exec: async (nango) => {
        await nango.post({ endpoint: '/welcome', data: { connection: nango.connectionId } });
        await nango.updateMetadata({ welcomed: true });
    }
});
`;

const INDEX = "import './desk/syncs/tickets.js';\nimport './desk/actions/count.js';\nimport './desk/on-events/welcome.js';\n";

/** A free TCP port on 127.0.0.1 for a spawned API process. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Issue 21's end-to-end case: a functions project in Nango's current format (a sync with a webhook handler, an
 * action, an on-event function) deployed with the official `nango` CLI to a server run as users run it (one API
 * process and two worker processes on one store and queue, none with a function file on its disk): the sync's
 * records read through the official @nangohq/node, the action answers through its triggerAction, a signed provider
 * webhook runs the sync's handler, the on-event function runs after a Connection is created, `nango dryrun` prints
 * what the sync would save and saves nothing, and after a second deploy both workers run the new version.
 */
describe('functions in Nango format, end to end on separate API and worker processes', () => {
  const queue = `nango.test.functions-e2e.${randomUUID()}`;
  let provider: ApiServer;
  let dir: string;
  let url: string;
  let api: WorkerProcess;
  const workers: WorkerProcess[] = [];
  let project: FunctionsProject;
  let nango: OfficialNango;
  const upstream = [
    { id: 't1', title: 'first' },
    { id: 't2', title: 'second' },
  ];
  const respond = (request: RecordedRequest) => {
    if (request.url.startsWith('/tickets')) return { body: upstream };
    if (request.url === '/welcome') return { body: { ok: true } };
    return { status: 404, body: { error: 'no such endpoint' } };
  };

  const spawnRole = (role: 'api' | 'worker', port: number, name: string): WorkerProcess =>
    new WorkerProcess(
      spawn(process.execPath, [CLI, role], {
        cwd: join(dir, name),
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NANGO_RABBITMQ_URL: RABBITMQ_URL,
          NANGO_QUEUE: queue,
          NANGO_INTEGRATIONS_YAML: join(dir, 'integrations.yaml'),
          NANGO_INTEGRATIONS_DIR: join(dir, 'integrations'),
          NANGO_DB_PATH: join(dir, 'nango.sqlite'),
          NANGO_PORT: String(port),
          NANGO_SERVER_URL: `http://127.0.0.1:${port}`,
          NANGO_SECRET_KEY: SECRET,
          // The test polls the records while runs happen: the default per-key limit would answer 429.
          NANGO_API_RATE_LIMIT: '100000',
          NANGO_WATCH: 'false',
          NANGO_LOG_LEVEL: 'info',
          NANGO_SHUTDOWN_GRACE_MS: '3000',
        },
      }),
    );

  beforeAll(async () => {
    provider = await startApiServer(respond);
    dir = mkdtempSync(join(tmpdir(), 'nango-functions-e2e-'));
    // An empty integrations folder: every function these processes run comes from the store.
    for (const folder of ['integrations', 'api', 'worker-a', 'worker-b']) mkdirSync(join(dir, folder));
    writeFileSync(
      join(dir, 'integrations.yaml'),
      `integrations:
  desk:
    auth_mode: API_KEY
    base_url: ${provider.url}
    headers:
      Authorization: Bearer \${api_key}
    webhooks:
      secret: ${WEBHOOK_SECRET}
      signature_header: X-Desk-Signature
      connection_field: account.id
      connection_config_key: account_id
      type_field: event
`,
    );
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // The API first: it makes the store's tables; the workers then open the same file.
    api = spawnRole('api', port, 'api');
    await api.ready(60_000);
    for (const name of ['worker-a', 'worker-b']) workers.push(spawnRole('worker', await freePort(), name));
    await Promise.all(workers.map((worker) => worker.ready(60_000)));
    nango = new Nango({ host: url, secretKey: SECRET });
    project = createFunctionsProject({
      'index.ts': INDEX,
      'desk/syncs/tickets.ts': TICKETS,
      'desk/actions/count.ts': count('1.0.0'),
      'desk/on-events/welcome.ts': WELCOME,
    });
  }, 150_000);

  afterAll(async () => {
    await Promise.all([api, ...workers].filter(Boolean).map((process) => process.stop('SIGTERM')));
    await deleteWorkerQueues(queue).catch(() => undefined);
    await provider?.close();
    project?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const withKey = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };
  const records = async (connectionId: string) =>
    (await nango.listRecords({ providerConfigKey: 'desk', connectionId, model: 'Ticket' })).records;
  const ids = async (connectionId: string) => (await records(connectionId)).map((record) => record.id as string).sort();
  const processOutput = () => [api, ...workers].map((process) => process.output()).join('\n');

  it('deploys with the official CLI; a new Connection gets its on-event run and its sync records', async () => {
    const deployed = await project.deploy(url, SECRET);
    expect(deployed.output).toContain('tickets@v1.0.0');
    expect(deployed.code).toBe(0);

    const created = await fetch(`${url}/connections`, {
      method: 'POST',
      headers: withKey,
      body: JSON.stringify({
        provider_config_key: 'desk',
        connection_id: 'ann',
        credentials: { type: 'API_KEY', apiKey: API_KEY },
        connection_config: { account_id: 'acc-1' },
      }),
    });
    expect(created.status).toBe(201);

    // post-connection-creation ran on a worker: the provider was told, with the Connection's credential.
    await waitFor(() => provider.requests.some((request) => request.url === '/welcome'), 60_000, 'the on-event call');
    const welcome = provider.requests.find((request) => request.url === '/welcome');
    expect(JSON.parse(welcome?.body ?? '{}')).toEqual({ connection: 'ann' });
    expect(welcome?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    await waitFor(async () => (await nango.getConnection('desk', 'ann')).metadata?.welcomed === true, 30_000, 'metadata');

    // The auto-started sync stored what upstream holds, read back through the official SDK.
    await waitFor(async () => (await records('ann')).length === 2, 60_000, 'the deployed sync to save 2 tickets');
    expect(await ids('ann')).toEqual(['t1', 't2']);

    // The action answers through the official SDK's triggerAction.
    expect(await nango.triggerAction('desk', 'ann', 'count', {})).toMatchObject({ count: 2, version: '1.0.0' });
  }, 150_000);

  it('runs the sync webhook handler for a signed provider webhook, and refuses a bad signature', async () => {
    const payload = { event: 'ticket.created', account: { id: 'acc-1' }, ticket: { id: 't9', title: 'from a webhook' } };
    const body = JSON.stringify(payload);
    const sign = (secret: string) => createHmac('sha256', secret).update(body).digest('hex');
    const post = (signature: string) =>
      fetch(`${url}/webhook/desk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-desk-signature': signature },
        body,
      });
    expect((await post(sign('not the secret'))).status).toBe(401);
    expect((await post(sign(WEBHOOK_SECRET))).status).toBe(200);
    await waitFor(async () => (await ids('ann')).includes('t9'), 60_000, 'the webhook handler to save t9');
    expect((await records('ann')).find((record) => record.id === 't9')).toMatchObject({ title: 'from a webhook' });
    // An unknown integration is refused, and no process logged the secret.
    const unknown = await fetch(`${url}/webhook/nowhere`, { method: 'POST', headers: withKey, body });
    expect(unknown.status).toBe(404);
    expect(processOutput()).not.toContain(WEBHOOK_SECRET);
  }, 120_000);

  it('dry-runs the sync with the official CLI: prints the records it would save and saves none', async () => {
    upstream.push({ id: 't3', title: 'only in the dry run' });
    expect((await project.compile()).code).toBe(0);
    const run = await project.dryrun(url, SECRET, 'tickets', 'ann');
    expect(run.output).toContain('only in the dry run');
    expect(run.code).toBe(0);
    expect(await ids('ann')).not.toContain('t3');
  }, 120_000);

  it('after a second deploy, both workers run the new version; neither has a function file on its disk', async () => {
    project.write('desk/actions/count.ts', count('2.0.0'));
    const deployed = await project.deploy(url, SECRET);
    expect(deployed.output).toContain('count@v2.0.0');
    expect(deployed.code).toBe(0);

    const pids = new Set<number>();
    await waitFor(
      async () => {
        const results = await Promise.all(
          Array.from({ length: 8 }, () => nango.triggerAction<{ version: string; pid: number }>('desk', 'ann', 'count', {})),
        );
        for (const result of results) {
          expect(result.version).toBe('2.0.0');
          pids.add(result.pid);
        }
        return pids.size === 2;
      },
      60_000,
      'both workers to answer with the second deployment',
    );
    expect([...pids].sort()).toEqual(workers.map((worker) => worker.pid).sort());
    // Nothing was written where the processes run, nor in the integrations folder.
    for (const folder of ['integrations', 'api', 'worker-a', 'worker-b']) {
      const files = readdirSync(join(dir, folder), { recursive: true }).map(String);
      expect(files.filter((file) => /\.(c?js|ts)$/.test(file))).toEqual([]);
    }
  }, 300_000);
});
