import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { NangoError } from '@nangohq/node-client';
import { deadLetterQueue } from '../../src/broker/queueNames';
import { openStore } from '../../src/store/openStore';
import type { Store } from '../../src/store/Store';
import { RABBITMQ_URL, startHarness, waitFor, type Harness } from '../helpers/harness';
import { createTestDatabase, type TestDatabase } from '../helpers/pgDatabase';
import { parsePromText, type Scrape } from '../helpers/promText';
import { RecordingLog } from '../helpers/recordingLog';
import { startReceiver, type Receiver } from '../webhooks/webhookReceiver';

const KEY = 'sk-metrics-secret-key-1f0c';
const TOKEN = 'metrics-scrape-token-77ab';
const USER = 'metrics-user-4a1d9';
const API_KEY = 'api-key-never-in-metrics-93c2';

// `misbehaving` is a fixture folder: its sleeps.action.ts waits as long as it is told.
const YAML = `
integrations:
  misbehaving:
    auth_mode: API_KEY
    base_url: https://misbehaving.example.test
    headers:
      X-Key: \${api_key}
    actions:
      sleeps:
`;

async function get(url: string, token?: string): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** Publishes `count` messages to a queue no one consumes (a dead-letter queue): a depth the gauges must show. */
async function fill(queue: string, count: number): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    const channel = await connection.createConfirmChannel();
    for (let i = 0; i < count; i++) channel.sendToQueue(queue, Buffer.from(`{"n":${i}}`));
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

describe.each(['sqlite', 'postgres'])('GET /metrics of a worker with its HTTP API, on %s', (kind) => {
  let h: Harness;
  let receiver: Receiver;
  let database: TestDatabase | undefined;
  let second: Store | undefined;
  const log = new RecordingLog();
  const keyBefore = process.env['NANGO_ENCRYPTION_KEY'];

  beforeAll(async () => {
    // Every webhook fails, and its retry is far away: the delivery stays pending.
    receiver = await startReceiver(0, () => ({ status: 500 }));
    if (kind === 'postgres') {
      database = await createTestDatabase();
      process.env['NANGO_ENCRYPTION_KEY'] = randomBytes(32).toString('base64');
    }
    h = await startHarness({
      yaml: YAML,
      ...(database && { databaseUrl: database.url, databasePoolSize: 4 }),
      secretKey: KEY,
      metricsToken: TOKEN,
      port: 0,
      metricsPort: 0,
      webhookUrl: receiver.url,
      webhookRetryBaseMs: 600_000,
      syncTickMs: 3_600_000, // no scheduler pass during the test: the overdue schedule below stays overdue
      metricsCacheMs: 0,
      operationLog: log,
    });
  });
  afterAll(async () => {
    await second?.close();
    await h.stop();
    expect(log.listenerCount).toBe(0); // the stopped worker's metrics no longer listen
    await receiver.close();
    await database?.drop();
    if (keyBefore === undefined) delete process.env['NANGO_ENCRYPTION_KEY'];
    else process.env['NANGO_ENCRYPTION_KEY'] = keyBefore;
  });

  const api = (path: string) => `${h.worker.httpUrl}${path}`;
  const scrape = async (): Promise<Scrape> => {
    const reply = await get(api('/metrics'), TOKEN);
    expect(reply.status).toBe(200);
    return parsePromText(reply.text);
  };

  it('is refused without the secret key or the metrics token; the token reads nothing else', async () => {
    const refused = await get(api('/metrics'));
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await get(api('/metrics'), 'wrong')).status).toBe(401);
    const withKey = await get(api('/metrics'), KEY);
    expect(withKey.status).toBe(200);
    expect(withKey.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await get(api('/metrics'), TOKEN)).status).toBe(200);
    expect((await get(api('/connections'), TOKEN)).status).toBe(401);
  });

  it('counts the real calls: RPC requests by type and status, HTTP requests by route pattern', async () => {
    await h.nango.registerConnection('misbehaving', USER, { api_key: API_KEY });
    await h.nango.triggerAction('misbehaving', 'sleeps', USER, { ms: 1 });
    await expect(h.nango.triggerAction('nowhere', 'sleeps', USER, {})).rejects.toBeInstanceOf(NangoError);
    for (let i = 0; i < 2; i++) expect((await get(api('/connections'), KEY)).status).toBe(200);
    expect((await get(api(`/connections/${USER}?provider_config_key=misbehaving`), KEY)).status).toBe(200);
    expect((await get(api(`/no/such/route/${USER}`), KEY)).status).toBe(404);
    const s = await scrape();
    expect(s.value('nango_rpc_requests_total', { type: 'registerConnection', status: 'success' })).toBe(1);
    expect(s.value('nango_rpc_requests_total', { type: 'triggerAction', status: 'success' })).toBe(1);
    expect(s.value('nango_rpc_requests_total', { type: 'triggerAction', status: 'unknown_integration' })).toBe(1);
    expect(s.value('nango_rpc_request_duration_seconds_count', { type: 'triggerAction' })).toBe(2);
    expect(s.value('nango_http_requests_total', { method: 'GET', route: '/connections', status: '200' })).toBe(2);
    expect(s.value('nango_http_requests_total', { method: 'GET', route: '/connections/:connectionId', status: '200' })).toBe(1);
    expect(s.value('nango_http_requests_total', { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // The refused scrapes of the first test were counted too, by their route.
    expect(s.value('nango_http_requests_total', { method: 'GET', route: '/metrics', status: '401' })).toBe(2);
    // Durations are by route, whatever the status: the two 200s and the token's 401 of the first test.
    expect(s.value('nango_http_request_duration_seconds_count', { method: 'GET', route: '/connections' })).toBe(3);
  });

  it('shows action sandboxes busy while an action runs, and idle after', async () => {
    const run = h.nango.triggerAction('misbehaving', 'sleeps', USER, { ms: 1_500 });
    await waitFor(async () => (await scrape()).value('nango_action_sandboxes', { state: 'busy' }) === 1, 5_000, 'a busy sandbox');
    expect(await run).toEqual({ success: true, returnValue: 'slept' });
    const s = await scrape();
    expect(s.value('nango_action_sandboxes', { state: 'busy' })).toBe(0);
    expect(s.value('nango_action_sandboxes', { state: 'idle' })).toBeGreaterThanOrEqual(1);
  });

  it('shows the depth of a queue no one consumes, and the consumers of the request queue', async () => {
    await fill(deadLetterQueue(h.queue), 3);
    const s = await scrape();
    expect(s.value('nango_broker_reachable')).toBe(1);
    expect(s.value('nango_broker_queue_messages', { queue: 'requests_dead' })).toBe(3);
    expect(s.value('nango_broker_queue_consumers', { queue: 'requests_dead' })).toBe(0);
    expect(s.value('nango_broker_queue_consumers', { queue: 'requests' })).toBe(1);
    expect(s.value('nango_broker_queue_consumers', { queue: 'actions' })).toBe(1);
    expect(s.value('nango_broker_queue_consumers', { queue: 'credentials' })).toBe(1);
    expect(s.value('nango_broker_queue_messages', { queue: 'requests' })).toBe(0);
    expect(
      s
        .all('nango_broker_queue_messages')
        .map((sample) => sample.labels['queue'])
        .sort(),
    ).toEqual(
      ['actions', 'actions_dead', 'async', 'credentials', 'requests', 'requests_dead', 'syncs', 'provider_webhooks'].sort(),
    );
  });

  it('shows the webhook backlog after a failing receiver, and the lag of an overdue sync', async () => {
    // The registration of the second test sent an auth webhook; the receiver refused it.
    await receiver.waitFor((received) => received.length >= 1);
    const target = database
      ? { kind: 'postgres' as const, url: database.url, poolSize: 2 }
      : { kind: 'sqlite' as const, path: h.dbPath };
    second = (await openStore(process.env, target)).store;
    const connection = await second.connections.get('misbehaving', USER);
    const key = { integration: 'misbehaving', sync: 'tickets', variant: 'base', connection: connection!.uuid };
    await second.syncSchedules.ensure(key, 'running', Date.now() - 90_000);
    const s = await scrape();
    expect(s.value('nango_webhook_outbox_pending')).toBe(1);
    expect(s.value('nango_webhook_outbox_oldest_pending_age_seconds')).toBeGreaterThan(0);
    expect(s.value('nango_syncs_due_not_started')).toBe(1);
    expect(s.value('nango_syncs_oldest_overdue_seconds')).toBeGreaterThanOrEqual(90);
    if (kind === 'postgres') {
      expect(s.value('nango_store_pool_max_connections')).toBe(4);
      const open = s.all('nango_store_pool_connections').reduce((sum, sample) => sum + sample.value, 0);
      expect(open).toBeGreaterThanOrEqual(1);
      expect(open).toBeLessThanOrEqual(4);
      expect(s.value('nango_store_pool_waiting_clients')).toBeGreaterThanOrEqual(0);
    } else {
      expect(s.all('nango_store_pool_connections')).toEqual([]); // SQLite has no pool
    }
  });

  it('counts operations as the operations log ends them, with refresh failures and dropped entries', async () => {
    const labels = { kind: 'action', status: 'success', integration: 'misbehaving' };
    const before = await scrape();
    const ran = before.value('nango_operations_total', labels) ?? 0;
    const timed = before.value('nango_operation_duration_seconds_count', { kind: 'action', integration: 'misbehaving' }) ?? 0;
    // A real run: the instrumentation records it, and the metrics count it as it ends.
    await expect(h.nango.triggerAction('misbehaving', 'sleeps', USER, { ms: 1 })).resolves.toMatchObject({ success: true });
    // A refresh failure, ended here through the OperationLog interface (a real one needs an OAuth provider).
    log.start({ kind: 'refresh', name: 'oauth2', integration: 'misbehaving', connectionId: USER }).end('failed', {
      code: 'connection_needs_reauthorization',
      message: 'invalid_grant',
    });
    log.droppedCount = 2;
    const s = await scrape();
    expect(s.value('nango_operations_total', labels)).toBe(ran + 1);
    expect(s.value('nango_operation_duration_seconds_count', { kind: 'action', integration: 'misbehaving' })).toBe(timed + 1);
    const reason = 'connection_needs_reauthorization';
    expect(s.value('nango_token_refresh_failures_total', { integration: 'misbehaving', reason })).toBe(1);
    expect(s.value('nango_operation_log_dropped_total')).toBe(2);
    expect(s.types.get('process_cpu_user_seconds_total')).toBe('counter');
  });

  it('holds no Connection id, credential or key, and is served on NANGO_METRICS_PORT with the same keys', async () => {
    const text = (await get(api('/metrics'), KEY)).text;
    for (const secret of [USER, API_KEY, KEY, TOKEN]) expect(text).not.toContain(secret);
    const port = h.worker.metricsUrl as string;
    expect(port).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await get(`${port}/metrics`)).status).toBe(401);
    const served = await get(`${port}/metrics`, TOKEN);
    expect(served.status).toBe(200);
    expect(parsePromText(served.text).value('nango_rpc_requests_total', { type: 'registerConnection', status: 'success' })).toBe(
      1,
    );
    expect((await get(`${port}/connections`, TOKEN)).status).toBe(404);
  });
});

describe('NANGO_METRICS_PORT of a `worker` process (no HTTP API)', () => {
  it('serves the metrics, open on loopback when neither a secret key nor a metrics token is set', async () => {
    const h = await startHarness({ yaml: YAML, roles: { rpc: true, http: false }, metricsPort: 0, metricsCacheMs: 0 });
    try {
      expect(h.worker.httpUrl).toBeUndefined();
      await h.nango.registerConnection('misbehaving', USER, { api_key: API_KEY });
      const reply = await get(`${h.worker.metricsUrl as string}/metrics`);
      expect(reply.status).toBe(200);
      const s = parsePromText(reply.text);
      expect(s.value('nango_rpc_requests_total', { type: 'registerConnection', status: 'success' })).toBe(1);
      expect(s.value('nango_broker_queue_consumers', { queue: 'requests' })).toBe(1);
      expect(s.all('nango_http_requests_total')).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});
