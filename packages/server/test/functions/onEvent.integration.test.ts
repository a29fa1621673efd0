import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { NangoError } from '@nangohq/node-client';
import { Worker } from '@nangohq/server';
import { captureLogs, deleteWorkerQueues, waitFor, type Harness } from '../helpers/harness';
import { startModeHarness, type ModeHarness } from '../authModes/modeHarness';
import { createFunctionsProject, type FunctionsProject } from './functionsProject';

const SECRET = 'functions-on-event-secret-key';

/**
 * post-connection-creation: reads the account at the provider, runs the deployed `ping` action, and keeps both answers
 * in the Connection's metadata.
 */
const SETUP = `import { createOnEvent } from 'nango';
import * as z from 'zod';

export default createOnEvent({
    event: 'post-connection-creation',
    description: 'Keeps the provider account id in the metadata',
    metadata: z.object({ account: z.string().optional(), pinged: z.boolean().optional() }),
    exec: async (nango) => {
        const res = await nango.get<{ id: string }>({ endpoint: '/me' });
        const ping = (await nango.triggerAction('hooked', nango.connectionId, 'ping', {})) as { pong: boolean };
        await nango.updateMetadata({ account: res.data.id, pinged: ping.pong });
        await nango.log('account stored', { account: res.data.id });
    }
});
`;

/** pre-connection-deletion: revokes the key at the provider while the Connection still has it. */
const CLEANUP = `import { createOnEvent } from 'nango';

export default createOnEvent({
    event: 'pre-connection-deletion',
    description: 'Revokes the key at the provider',
    exec: async (nango) => {
        await nango.post({ endpoint: '/revoke', data: { connection: nango.connectionId } });
    }
});
`;

/** validate-connection: a key the provider refuses at /validate refuses the Connection. */
const CHECK = `import { createOnEvent } from 'nango';

export default createOnEvent({
    event: 'validate-connection',
    description: 'Refuses a key the provider does not accept',
    exec: async (nango) => {
        try {
            await nango.get({ endpoint: '/validate' });
        } catch {
            throw new Error('the provider refused this key at /validate');
        }
    }
});
`;

/** An action: the CLI deploys nothing from a project without a sync or an action. */
const PING = `import { createAction } from 'nango';
import * as z from 'zod';

export default createAction({
    description: 'Answers pong',
    version: '1.0.0',
    input: z.object({}),
    output: z.object({ pong: z.boolean() }),
    exec: async () => ({ pong: true })
});
`;

const throwing = (event: string, message: string) => `import { createOnEvent } from 'nango';

export default createOnEvent({
    event: '${event}',
    description: 'Always fails',
    exec: async () => {
        throw new Error('${message}');
    }
});
`;

/** One request the provider saw: what it asked, with which key, and (for /revoke) whether the Connection still existed. */
interface Seen {
  path: string;
  authorization: string | undefined;
  at: number;
  answeredAt?: number;
  connectionStatus?: number;
}

/** An operation as GET /logs/operations lists it. */
interface Operation {
  id: string;
  kind: string;
  name: string;
  connection_id: string | null;
  status: string;
  error: { code: string; message: string } | null;
  fields: Record<string, unknown>;
  parent_id: string | null;
}

/**
 * Deployed on-event functions (the official `nango deploy` of `createOnEvent` files) run when their event happens to
 * a Connection of their integration, whichever door made or deletes it: post-connection-creation on a worker after
 * the creation answered, pre-connection-deletion before the credentials are gone, validate-connection refusing a
 * Connection; a function that throws leaves the Connection as it was and its failure in the operations log.
 */
describe('on-event functions deployed by the official nango CLI', () => {
  let provider: { url: string; seen: Seen[]; close(): Promise<void> };
  let mode: ModeHarness;
  let h: Harness;
  let url: string;
  let project: FunctionsProject;
  const withKey = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' };

  beforeAll(async () => {
    provider = await startProvider(() => url);
    const integration = (name: string) => `  ${name}:
    auth_mode: API_KEY
    base_url: ${provider.url}
    headers:
      Authorization: Bearer \${api_key}
`;
    mode = await startModeHarness({
      yaml: `integrations:\n${integration('hooked')}${integration('strict')}${integration('broken')}`,
      withScripts: [],
      secretKey: SECRET,
    });
    ({ harness: h, url } = mode);
    project = createFunctionsProject({
      'index.ts': [
        "import './hooked/actions/ping.js';",
        "import './hooked/on-events/setup.js';",
        "import './hooked/on-events/cleanup.js';",
        "import './strict/on-events/check.js';",
        "import './broken/on-events/explode.js';",
        "import './broken/on-events/teardown.js';",
        '',
      ].join('\n'),
      'hooked/actions/ping.ts': PING,
      'hooked/on-events/setup.ts': SETUP,
      'hooked/on-events/cleanup.ts': CLEANUP,
      'strict/on-events/check.ts': CHECK,
      'broken/on-events/explode.ts': throwing('post-connection-creation', 'setup exploded'),
      'broken/on-events/teardown.ts': throwing('pre-connection-deletion', 'teardown exploded'),
    });
    const deployed = await project.deploy(url, SECRET);
    console.log(`nango deploy took ${deployed.ms} ms`);
    expect(deployed.output).toContain('Successfully deployed the functions');
    expect(deployed.code).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await mode?.stop();
    await provider?.close();
    project?.remove();
  });

  const importConnection = (integration: string, id: string, apiKey: string) =>
    fetch(`${url}/connections`, {
      method: 'POST',
      headers: withKey,
      body: JSON.stringify({ provider_config_key: integration, connection_id: id, credentials: { type: 'API_KEY', apiKey } }),
    });
  const connection = async (integration: string, id: string) => {
    const reply = await fetch(`${url}/connections/${id}?provider_config_key=${integration}`, { headers: withKey });
    return { status: reply.status, body: (await reply.json()) as { metadata?: Record<string, unknown> } };
  };
  const operations = async (query: string): Promise<Operation[]> => {
    await h.worker.operationLog?.flush();
    const reply = await fetch(`${url}/logs/operations?${query}`, { headers: withKey });
    expect(reply.status).toBe(200);
    return ((await reply.json()) as { operations: Operation[] }).operations;
  };
  /** The ended `event` operations of a Connection, once there are `count` of them. */
  const eventRuns = async (id: string, count: number): Promise<Operation[]> => {
    let found: Operation[] = [];
    await waitFor(
      async () => {
        found = (await operations(`kind=event&connectionId=${id}`)).filter((op) => op.status !== 'running');
        return found.length >= count;
      },
      20_000,
      `${count} event operation(s) of ${id}`,
    );
    return found;
  };

  it('runs post-connection-creation on a worker after an HTTP import answered, and it sets the metadata', async () => {
    const reply = await importConnection('hooked', 'imp-1', 'key-imp');
    const answeredAt = Date.now();
    expect(reply.status).toBe(201);
    await waitFor(async () => (await connection('hooked', 'imp-1')).body.metadata?.['account'] === 'acct-key-imp', 20_000);
    const me = provider.seen.find((seen) => seen.path === '/me' && seen.authorization === 'Bearer key-imp');
    // The provider is slow on purpose (1 s): the creation's answer did not wait for the function.
    expect(me?.answeredAt).toBeGreaterThan(answeredAt);
    const [run] = await eventRuns('imp-1', 1);
    expect(run).toMatchObject({ name: 'setup', status: 'success', fields: { event: 'post-connection-creation' } });
    // The function's updateMetadata is an `updated` change of its own; the creation is the run's parent.
    const changes = await operations('kind=connection&connectionId=imp-1');
    expect(changes.map((op) => op.name)).toEqual(['updated', 'created']);
    const created = changes.find((op) => op.name === 'created');
    expect(created?.status).toBe('success');
    expect(run?.parent_id).toBe(created?.id);
    // Its triggerAction ran the deployed action as a child of the event run.
    expect((await connection('hooked', 'imp-1')).body.metadata).toMatchObject({ pinged: true });
    const [ping] = await operations('kind=action&connectionId=imp-1');
    expect(ping).toMatchObject({ name: 'ping', status: 'success', parent_id: run?.id });
    // Through the durable queue, not in the process that stored the Connection.
    expect(h.logs.some((line) => String(line.msg).startsWith('post-connection-creation functions run in this process'))).toBe(
      false,
    );
  }, 30_000);

  it('runs it for a Connection the RPC registerConnection made too', async () => {
    await h.nango.registerConnection('hooked', 'rpc-1', { api_key: 'key-rpc' });
    await waitFor(
      async () => (await h.nango.getConnection('hooked', 'rpc-1')).returnValue?.additionalConfig['account'] === 'acct-key-rpc',
      20_000,
    );
    expect(provider.seen.some((seen) => seen.path === '/me' && seen.authorization === 'Bearer key-rpc')).toBe(true);
    expect(await eventRuns('rpc-1', 1)).toMatchObject([{ name: 'setup', status: 'success' }]);
  }, 30_000);

  it('runs pre-connection-deletion before the credentials are gone, through DELETE and the RPC delete', async () => {
    const deleted = await fetch(`${url}/connections/imp-1?provider_config_key=hooked`, { method: 'DELETE', headers: withKey });
    expect(deleted.status).toBe(200);
    // Already there when the deletion answered: the deletion waited for the function.
    const revoke = provider.seen.find((seen) => seen.path === '/revoke' && seen.authorization === 'Bearer key-imp');
    // The provider asked the server for the Connection while it answered the revocation: it still existed then.
    expect(revoke?.connectionStatus).toBe(200);
    expect((await connection('hooked', 'imp-1')).status).toBe(404);
    const runs = await eventRuns('imp-1', 2);
    expect(runs.find((op) => op.name === 'cleanup')).toMatchObject({
      status: 'success',
      fields: { event: 'pre-connection-deletion' },
    });

    await h.nango.deleteConnection('hooked', 'rpc-1');
    const rpcRevoke = provider.seen.find((seen) => seen.path === '/revoke' && seen.authorization === 'Bearer key-rpc');
    expect(rpcRevoke?.connectionStatus).toBe(200);
    expect((await connection('hooked', 'rpc-1')).status).toBe(404);
  }, 30_000);

  it('keeps the Connection when an on-event function throws, with the error in the operations log', async () => {
    expect((await importConnection('broken', 'b-1', 'key-b')).status).toBe(201);
    const [failed] = await eventRuns('b-1', 1);
    expect(failed).toMatchObject({ name: 'explode', status: 'failed', fields: { event: 'post-connection-creation' } });
    expect(failed?.error?.message).toContain('setup exploded');
    expect((await connection('broken', 'b-1')).status).toBe(200);

    // A throwing pre-connection-deletion function does not stop the deletion.
    const deleted = await fetch(`${url}/connections/b-1?provider_config_key=broken`, { method: 'DELETE', headers: withKey });
    expect(deleted.status).toBe(200);
    expect((await connection('broken', 'b-1')).status).toBe(404);
    const teardown = (await eventRuns('b-1', 2)).find((op) => op.name === 'teardown');
    expect(teardown).toMatchObject({ status: 'failed', fields: { event: 'pre-connection-deletion' } });
    expect(teardown?.error?.message).toContain('teardown exploded');
  }, 30_000);

  it('keeps a queued post-connection-creation run in the broker when the API process that queued it is gone', async () => {
    // An API-only process and, later, a worker of their own queue, on the same store (the deployment is there).
    const queue = `nango.test.${randomUUID()}`;
    const shared = { queue, integrationsYaml: h.yamlPath, dbPath: h.dbPath, watch: false, logger: captureLogs().logger };
    try {
      const api = await Worker.start({ ...shared, port: 0, secretKey: SECRET, roles: { rpc: false, http: true } });
      const reply = await fetch(`${api.httpUrl}/connections`, {
        method: 'POST',
        headers: withKey,
        body: JSON.stringify({
          provider_config_key: 'hooked',
          connection_id: 'late-1',
          credentials: { type: 'API_KEY', apiKey: 'key-late' },
        }),
      });
      expect(reply.status).toBe(201);
      await api.stop();
      // No worker consumes that queue yet: nothing ran, and the run waits in the broker.
      expect(provider.seen.some((seen) => seen.authorization === 'Bearer key-late')).toBe(false);
      const worker = await Worker.start({ ...shared, roles: { rpc: true, http: false } });
      try {
        await waitFor(async () => (await connection('hooked', 'late-1')).body.metadata?.['account'] === 'acct-key-late', 20_000);
      } finally {
        await worker.stop();
      }
    } finally {
      await deleteWorkerQueues(queue);
    }
  }, 30_000);

  it('runs post-connection-creation in the process that stored the Connection when the broker cannot take it', async () => {
    // An API-only process whose broker is unreachable (port 1): the run is not dropped, it runs here.
    const { logs, logger } = captureLogs();
    const api = await Worker.start({
      queue: `nango.test.${randomUUID()}`,
      rabbitmqUrl: 'amqp://guest:guest@127.0.0.1:1',
      integrationsYaml: h.yamlPath,
      dbPath: h.dbPath,
      watch: false,
      logger,
      port: 0,
      secretKey: SECRET,
      roles: { rpc: false, http: true },
    });
    try {
      const reply = await fetch(`${api.httpUrl}/connections`, {
        method: 'POST',
        headers: withKey,
        body: JSON.stringify({
          provider_config_key: 'hooked',
          connection_id: 'local-1',
          credentials: { type: 'API_KEY', apiKey: 'key-local' },
        }),
      });
      expect(reply.status).toBe(201);
      await waitFor(async () => (await connection('hooked', 'local-1')).body.metadata?.['account'] === 'acct-key-local', 20_000);
      expect(logs.some((line) => String(line.msg).startsWith('post-connection-creation functions run in this process'))).toBe(
        true,
      );
    } finally {
      await api.stop();
    }
  }, 30_000);

  it('refuses a Connection its validate-connection function throws on, through both doors, and keeps a good one', async () => {
    expect((await importConnection('strict', 'good-1', 'key-good')).status).toBe(201);
    expect((await connection('strict', 'good-1')).status).toBe(200);
    expect(await eventRuns('good-1', 1)).toMatchObject([{ name: 'check', status: 'success' }]);

    const refused = await importConnection('strict', 'bad-1', 'bad-key');
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('connection_validation_failed');
    expect(error.message).toContain('failed its validate-connection function check: the provider refused this key at /validate');
    expect(error.message).not.toContain('bad-key');
    expect((await connection('strict', 'bad-1')).status).toBe(404);

    const rpc = await h.nango.registerConnection('strict', 'bad-2', { api_key: 'bad-key' }).catch((e: unknown) => e);
    expect(rpc).toBeInstanceOf(NangoError);
    expect((rpc as NangoError).code).toBe('connection_validation_failed');
    expect((await connection('strict', 'bad-2')).status).toBe(404);
    // A re-authorisation that fails validation keeps the Connection, marked as needing reauthorization.
    const reauthorised = await importConnection('strict', 'good-1', 'bad-key');
    expect(reauthorised.status).toBe(400);
    expect(((await reauthorised.json()) as { error: { message: string } }).error.message).toContain(
      'it needs to be authorised again',
    );
    const kept = (await h.nango.getConnection('strict', 'good-1')).returnValue;
    expect(kept?.authorization).toBe('needs_reauthorization');
    expect(kept?.authorizationError).toContain('the provider refused this key at /validate');

    const [createdBad] = await operations('kind=connection&connectionId=bad-2');
    expect(createdBad).toMatchObject({ name: 'created', status: 'failed', error: { code: 'connection_validation_failed' } });
  }, 30_000);
});

/**
 * A provider on 127.0.0.1: `/me` answers the account of the key after 1 s, `/validate` refuses `bad-key`, and
 * `/revoke` asks the server (through `serverUrl`) whether the Connection it names still exists before it answers.
 */
async function startProvider(serverUrl: () => string): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    void answer(req).then(({ status, body }) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    );
  });
  const answer = async (req: IncomingMessage): Promise<{ status: number; body: unknown }> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const authorization = req.headers.authorization;
    const entry: Seen = { path: (req.url ?? '').split('?')[0] ?? '', authorization, at: Date.now() };
    seen.push(entry);
    const key = (authorization ?? '').replace(/^Bearer /, '');
    if (entry.path === '/me') {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      entry.answeredAt = Date.now();
      return { status: 200, body: { id: `acct-${key}` } };
    }
    if (entry.path === '/validate')
      return key === 'bad-key' ? { status: 401, body: { error: 'bad key' } } : { status: 200, body: {} };
    if (entry.path === '/revoke') {
      const { connection } = JSON.parse(Buffer.concat(chunks).toString()) as { connection: string };
      const check = await fetch(`${serverUrl()}/connections/${connection}?provider_config_key=hooked`, {
        headers: { authorization: `Bearer ${SECRET}` },
      });
      await check.arrayBuffer();
      entry.connectionStatus = check.status;
      return { status: 200, body: { revoked: true } };
    }
    return { status: 404, body: { error: 'no such route' } };
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
