import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, Worker } from '@nangohq/server';
import { startPrivateBroker, type PrivateBroker } from '../../../../test/privateBroker';
import { FIXTURES_DIR } from '../helpers/harness';

// GET /health/ready follows the broker links: an `api` process (on its HTTP API and its metrics listener) and a
// `worker` process (which has no HTTP API: on its metrics listener) both answer 200, then 503 naming the links that
// are down once the broker stops, then 200 again after it is back, without a restart. /health stays 200 throughout.
// stop_app cuts every connection to the broker, so the test runs on a RabbitMQ node of its own, never the machine's;
// the afterAll stops that node and deletes its folder (and with it every queue the workers declared).

interface Answer {
  status: number;
  body: { status?: string; down?: string[] };
}

async function get(url: string): Promise<Answer> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** Polls `url` until its status is `status`, and returns that answer. */
async function until(url: string, status: number, ms: number): Promise<Answer> {
  const deadline = Date.now() + ms;
  let last: Answer | undefined;
  while (Date.now() < deadline) {
    last = await get(url);
    if (last.status === status) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} still answers ${last?.status} ${JSON.stringify(last?.body)} after ${ms} ms, not ${status}`);
}

describe('GET /health/ready follows the broker links', () => {
  let broker: PrivateBroker | undefined;
  let api: Worker | undefined;
  let worker: Worker | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    broker = await startPrivateBroker();
    dir = mkdtempSync(join(tmpdir(), 'nango-ready-'));
    const integrationsYaml = join(dir, 'integrations.yaml');
    writeFileSync(integrationsYaml, 'integrations: {}\n');
    const common = {
      rabbitmqUrl: broker.url,
      queue: 'nango.test.ready',
      integrationsYaml,
      integrationsDir: FIXTURES_DIR,
      dbPath: join(dir, 'nango.sqlite'),
      watch: false,
      connectRetries: 0,
      shutdownGraceMs: 1_000,
      metricsPort: 0,
      metricsHost: '127.0.0.1',
      logger: createLogger('silent'),
    };
    worker = await Worker.start({ ...common, roles: { rpc: true, http: false } });
    api = await Worker.start({ ...common, port: 0, roles: { rpc: false, http: true } });
    await api.brokerLinksReady();
  }, 120_000);

  afterAll(async () => {
    try {
      await broker?.ctl(['start_app'], 60_000).catch(() => undefined);
      await api?.stop();
      await worker?.stop();
    } finally {
      await broker?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('answers 503 naming the links down while the broker is stopped, and 200 once it is back', async () => {
    const [node, apiProcess, workerProcess] = [broker, api, worker];
    if (!node || !apiProcess || !workerProcess) throw new Error('beforeAll did not finish');
    const urls = {
      api: `${apiProcess.httpUrl}/health/ready`,
      apiMetrics: `${apiProcess.metricsUrl}/health/ready`,
      worker: `${workerProcess.metricsUrl}/health/ready`,
    };
    for (const url of Object.values(urls)) expect(await get(url)).toEqual({ status: 200, body: { status: 'ok' } });

    await node.ctl(['stop_app'], 60_000);
    const apiDown = await until(urls.api, 503, 15_000);
    const workerDown = await until(urls.worker, 503, 15_000);
    expect(apiDown.body.status).toBe('unavailable');
    expect(apiDown.body.down).toEqual(
      expect.arrayContaining(['broker:action calls', 'broker:async action publisher', 'broker:flow results']),
    );
    expect(workerDown.body.down).toEqual(
      expect.arrayContaining(['broker:replies', 'broker:requests', 'broker:async actions', 'broker:syncs']),
    );
    expect(workerDown.body.down).not.toContain('store');
    expect((await get(urls.apiMetrics)).status).toBe(503); // the same answer on the API process's metrics port
    // Nothing of the broker's address leaks into the unauthenticated answer.
    const port = new URL(node.url).port;
    for (const answer of [apiDown, workerDown]) expect(JSON.stringify(answer.body)).not.toContain(port);
    // Liveness does not look at the broker: a restart would not bring it back sooner.
    expect((await get(`${apiProcess.httpUrl}/health`)).status).toBe(200);
    expect((await get(`${workerProcess.metricsUrl}/health`)).status).toBe(200);

    await node.ctl(['start_app'], 60_000);
    for (const url of Object.values(urls)) {
      expect(await until(url, 200, 30_000)).toEqual({ status: 200, body: { status: 'ok' } });
    }
  }, 150_000);

  it('serves the health paths on the metrics listener without its key, and only them', async () => {
    const workerProcess = worker;
    if (!workerProcess) throw new Error('beforeAll did not finish');
    const other = await fetch(`${workerProcess.metricsUrl}/connection`);
    expect(other.status).toBe(404);
    await other.arrayBuffer();
  });
});
