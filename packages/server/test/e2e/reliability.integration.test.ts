import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { startApiServer, type ApiServer } from '../helpers/apiServer';
import { deleteWorkerQueues, FIXTURES_DIR, RABBITMQ_URL, sendRaw, startHarness, waitFor, type Harness } from '../helpers/harness';
import { createLogger, Worker } from '@nangohq/server';

/** An integration whose `call` action makes one httpRequest to the test's API server: its side effect. */
function setup(apiUrl: string): { dir: string; yaml: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nango-reliability-'));
  mkdirSync(join(dir, 'api'));
  cpSync(join(FIXTURES_DIR, 'api', 'call.action.ts'), join(dir, 'api', 'call.action.ts'));
  const yaml = `integrations:\n  api:\n    auth_mode: API_KEY\n    base_url: ${apiUrl}\n    headers:\n      X-Key: \${api_key}\n    actions:\n      call:\n`;
  return { dir, yaml };
}

async function queueDepth(queue: string): Promise<number> {
  const connection = await amqp.connect(RABBITMQ_URL);
  try {
    return (await (await connection.createChannel()).checkQueue(queue)).messageCount;
  } finally {
    await connection.close();
  }
}

describe('worker reliability features against the real broker', () => {
  let api: ApiServer;
  let dir: string;
  let h: Harness;
  const start = async (overrides: Parameters<typeof startHarness>[0] extends infer O ? Partial<O> : never = {}) => {
    api = await startApiServer((req) => ({ body: { id: req.url }, delayMs: req.url.includes('slow') ? 150 : 0 }));
    const made = setup(api.url);
    dir = made.dir;
    h = await startHarness({ yaml: made.yaml, integrationsDir: dir, ...overrides });
    await h.nango.registerConnection('api', '1', { api_key: 'k' });
  };
  afterEach(async () => {
    await h.stop();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a keyed action once, however often and however concurrently it is called', async () => {
    await start();
    const call = (key: string) => h.nango.triggerAction('api', 'call', '1', { endpoint: `slow/${key}` }, { idempotencyKey: key });
    const results = await Promise.all([call('k1'), call('k1'), call('k1')]);
    expect(await call('k1')).toEqual(results[0]);
    expect(results.every((r) => JSON.stringify(r) === JSON.stringify(results[0]))).toBe(true);
    expect(api.requests.filter((r) => r.url === '/slow/k1')).toHaveLength(1);
    await call('k2');
    expect(api.requests).toHaveLength(2);
  });

  it('runs at most NANGO_MAX_CONCURRENT_ACTIONS actions at once', async () => {
    await start({ maxConcurrentActions: 2 });
    await Promise.all(Array.from({ length: 6 }, (_, i) => h.nango.triggerAction('api', 'call', '1', { endpoint: `slow/${i}` })));
    expect(api.requests).toHaveLength(6);
    expect(api.peakConcurrency).toBe(2);
  });

  it('drops, unanswered and logged, a request whose caller has given up', async () => {
    await start();
    const body = Buffer.from(
      JSON.stringify({ type: 'triggerAction', integration: 'api', action: 'call', userId: '1', input: { endpoint: 'late' } }),
    );
    const reply = await sendRaw(h.queue, body, { headers: { 'x-nango-deadline': Date.now() - 5_000 }, waitMs: 500 });
    expect(reply).toBeUndefined();
    expect(api.requests).toHaveLength(0);
    expect(h.logs.some((l) => l.msg?.startsWith('request dropped: its caller stopped waiting'))).toBe(true);
  });

  it('answers an oversized request with request_too_large and moves it to the dead-letter queue', async () => {
    await start({ maxRequestBytes: 4096 });
    const reply = await sendRaw(
      h.queue,
      Buffer.from(JSON.stringify({ type: 'getConnectionsForUserId', userId: 'x'.repeat(5000) })),
    );
    expect(reply).toMatchObject({ success: false, errorCode: 'request_too_large' });
    await waitFor(async () => (await queueDepth(`${h.queue}.dead`)) === 1, 5_000, 'the dead-letter queue to hold it');
  });

  it('works on a quorum queue too', async () => {
    await start({ queueType: 'quorum' });
    await expect(h.nango.triggerAction('api', 'call', '1', { endpoint: 'quorum' })).resolves.toMatchObject({ success: true });
  });
});

describe('queue declaration', () => {
  it('refuses to start on a queue declared with other settings, saying what to do', async () => {
    const queue = `nango.test.${randomUUID()}`;
    const dir = mkdtempSync(join(tmpdir(), 'nango-queue-'));
    writeFileSync(join(dir, 'integrations.yaml'), '');
    const connection = await amqp.connect(RABBITMQ_URL);
    await (await connection.createChannel()).assertQueue(queue, { durable: true }); // as an older worker would have
    await connection.close();
    const logs: string[] = [];
    try {
      await expect(
        Worker.start({
          rabbitmqUrl: RABBITMQ_URL,
          queue,
          integrationsYaml: join(dir, 'integrations.yaml'),
          integrationsDir: dir,
          dbPath: join(dir, 'db.sqlite'),
          watch: false,
          connectRetries: 0,
          logger: createLogger('info', { write: (line: string) => void logs.push(line) }),
        }),
      ).rejects.toThrow(`Queue '${queue}' exists with other settings`);
    } finally {
      await deleteWorkerQueues(queue);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
