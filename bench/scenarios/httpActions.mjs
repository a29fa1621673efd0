// POST /action/trigger (HTTP → the API → RabbitMQ → a worker → back) against triggerAction over RabbitMQ straight from
// @nangohq/node-client, both running the no-op action on the same worker, at 1 and 64 in flight, back to back.
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { measure } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker } from '../lib/processes.mjs';
import { combineRuns } from '../lib/stats.mjs';
import { benchStore } from '../lib/benchStore.mjs';
import server from '@nangohq/server';
import { noopTrigger } from '../lib/httpTrigger.mjs';

export async function httpActionsScenario({ quick, log, queueType, store: kind, levels = [1, 64] }) {
  const store = await benchStore(kind);
  const queue = `bench.http-actions.${randomUUID()}`;
  const port = await freePort();
  const worker = await startWorker({
    NANGO_QUEUE: queue,
    ...store.env,
    NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    NANGO_QUEUE_TYPE: queueType,
    NANGO_PORT: String(port),
    // The API's own rate limit (1,000 calls a minute per key by default) would measure itself, not the path.
    NANGO_API_RATE_LIMIT: '1000000000',
  });
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  await nango.connect();
  await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const post = noopTrigger({ port, agent });
  const calls = {
    rabbitmq: () => nango.triggerAction('bench', 'noop', 'u1', {}),
    http: post,
  };
  const results = {};
  try {
    for (const inFlight of levels) {
      const total = inFlight === 1 ? (quick ? 300 : 2_000) : quick ? 2_000 : 10_000;
      const options = { total, inFlight, runs: quick ? 2 : 5, warmup: Math.min(total, 500) };
      for (const [name, call] of Object.entries(calls)) {
        log(`http-actions: ${name} at ${inFlight} in flight (${options.runs} × ${total} calls)`);
        results[`${name}@${inFlight}`] = combineRuns(await measure(call, options));
      }
    }
  } finally {
    agent.destroy();
    await nango.close();
    await worker.stop();
    await deleteQueues(server.workerQueueNames(queue));
    await store.dispose();
  }
  return results;
}

/** A port nothing listens on right now, for the worker's HTTP API. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
