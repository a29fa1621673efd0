import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { Worker, type WorkerStartOptions } from '@nangohq/server';
import { openStore } from '../../src/store/openStore';
import { captureLogs, deleteWorkerQueues, FIXTURES_DIR, RABBITMQ_URL } from '../helpers/harness';

const YAML = `
integrations:
  misbehaving:
    auth_mode: API_KEY
    base_url: https://misbehaving.example.test
    query_params:
      key: \${api_key}
    actions:
      sleeps:
        timeout_ms: 20000
`;

const FAST_ASYNC = { leaseMs: 3_000, sweepMs: 200, queuedGraceMs: 500, retryDelayMs: 50 };

/** Polls GET /action/:id until it is no longer 404. */
async function result(url: string, id: string, timeoutMs = 30_000): Promise<{ status: number; json: unknown }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/action/${id}`);
    const json = (await response.json()) as unknown;
    if (response.status !== 404) return { status: response.status, json };
    if (Date.now() > until) throw new Error(`async action ${id} did not finish in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function trigger(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/action/trigger`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'connection-id': 'u-1',
      'provider-config-key': 'misbehaving',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/**
 * Async actions survive restarts: the run is a row in the store and a persistent message, so a worker that stops
 * mid-run gives it back, and one that was not there when it was queued runs it when it comes.
 */
describe('async actions across processes and restarts', () => {
  let dir: string;
  let queue: string;
  const started: Worker[] = [];
  let client: Nango | undefined;

  const start = async (options: WorkerStartOptions) => {
    const worker = await Worker.start({
      rabbitmqUrl: RABBITMQ_URL,
      queue,
      integrationsYaml: join(dir, 'integrations.yaml'),
      integrationsDir: FIXTURES_DIR,
      dbPath: join(dir, 'nango.sqlite'),
      watch: false,
      connectRetries: 0,
      shutdownGraceMs: 300,
      port: 0,
      logger: captureLogs().logger,
      asyncActionTimings: FAST_ASYNC,
      ...options,
    });
    started.push(worker);
    return worker;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nango-async-'));
    writeFileSync(join(dir, 'integrations.yaml'), YAML);
    queue = `nango.test.${randomUUID()}`;
  });
  afterEach(async () => {
    await client?.close();
    client = undefined;
    for (const worker of started.splice(0)) await worker.stop();
    await deleteWorkerQueues(queue);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an API-only process queues runs that a worker-only process started later runs', async () => {
    const api = await start({ roles: { rpc: false, http: true } });
    const url = api.httpUrl as string;
    // The Connection is stored directly by the API process's own store, as registerConnection would have.
    const worker = await start({ roles: { rpc: true, http: false } });
    client = new Nango({ url: RABBITMQ_URL, queue });
    await client.connect();
    await client.registerConnection('misbehaving', 'u-1', { api_key: 'k' });
    await worker.stop();

    // No worker now: the run waits, queued, in the store and on the queue.
    const accepted = await trigger(url, { action_name: 'sleeps', input: { ms: 50 } }, { 'x-async': 'true' });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await fetch(`${url}/action/${id}`)).status).toBe(404);

    await start({ roles: { rpc: true, http: false } });
    expect(await result(url, id)).toEqual({ status: 200, json: 'slept' });
    // And a synchronous call goes through the queue to the worker-only process too.
    const sync = await trigger(url, { action_name: 'sleeps', input: { ms: 10 } });
    expect(sync.status).toBe(200);
    expect(await sync.json()).toBe('slept');
  }, 60_000);

  it('a worker stopped while it runs an async action gives it back, and the next worker runs it', async () => {
    const first = await start({});
    const url = first.httpUrl as string;
    client = new Nango({ url: RABBITMQ_URL, queue });
    await client.connect();
    await client.registerConnection('misbehaving', 'u-1', { api_key: 'k' });

    const accepted = await trigger(url, { action_name: 'sleeps', input: { ms: 1_500 } }, { 'x-async': 'true' });
    const { id } = (await accepted.json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 600)); // it runs now
    await first.stop(); // past its 300 ms grace the runner stops the run; the row goes back to queued

    const second = await start({});
    expect(await result(second.httpUrl as string, id)).toEqual({ status: 200, json: 'slept' });
  }, 60_000);

  it('a run whose publish was lost is found by a worker sweep and run', async () => {
    const worker = await start({});
    client = new Nango({ url: RABBITMQ_URL, queue });
    await client.connect();
    await client.registerConnection('misbehaving', 'u-1', { api_key: 'k' });
    // Stored as POST /action/trigger stores it, but never published (the API died in between, say).
    const { store } = await openStore(process.env, { kind: 'sqlite', path: join(dir, 'nango.sqlite') });
    const id = randomUUID();
    try {
      const call = { id, integration: 'misbehaving', userId: 'u-1', action: 'sleeps', input: { ms: 10 }, maxRetries: 0 };
      await store.asyncActions.create(call, Date.now(), Date.now() + 60_000);
    } finally {
      await store.close();
    }
    expect(await result(worker.httpUrl as string, id)).toEqual({ status: 200, json: 'slept' });
  }, 60_000);
});
