// triggerAction (no-op, and one httpRequest) against the bare amqplib RPC baseline, at 1, 16 and 64 in flight.
// For each level the three are measured back to back, so drift on a shared machine hits them alike.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { connectBareClient } from '../lib/bareClient.mjs';
import { measure } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startProcess, startWorker } from '../lib/processes.mjs';
import { combineRuns } from '../lib/stats.mjs';
import { benchStore } from '../lib/benchStore.mjs';
import server from '@nangohq/server';

const PREFETCH = 32; // the worker's default NANGO_PREFETCH, used by the baseline responder too

export async function rpcScenario({ quick, log, queueType, store: kind, levels = [1, 16, 64], calls: only }) {
  const store = await benchStore(kind);
  const api = await startApiServer();
  const baselineQueue = `bench.baseline.${randomUUID()}`;
  const workerQueue = `bench.worker.${randomUUID()}`;
  const responder = await startProcess(join(ROOT, 'bench', 'baseline-responder.mjs'), {
    env: { BENCH_URL: RABBITMQ_URL, BENCH_QUEUE: baselineQueue, BENCH_PREFETCH: String(PREFETCH), BENCH_QUEUE_TYPE: queueType },
    readyText: 'baseline responder ready',
  });
  const worker = await startWorker({
    NANGO_QUEUE: workerQueue,
    ...store.env,
    NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    NANGO_PREFETCH: String(PREFETCH),
    NANGO_QUEUE_TYPE: queueType,
    BENCH_API_URL: api.url,
  });
  const bare = await connectBareClient(RABBITMQ_URL, baselineQueue);
  const nango = new Nango({ url: RABBITMQ_URL, queue: workerQueue });
  await nango.connect();
  await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
  const all = {
    baseline: () => bare.call(),
    noop: () => nango.triggerAction('bench', 'noop', 'u1', {}),
    http: () => nango.triggerAction('bench', 'http', 'u1', {}),
  };
  const calls = Object.fromEntries(Object.entries(all).filter(([name]) => !only || only.includes(name)));
  const results = {};
  try {
    for (const inFlight of levels) {
      const total = inFlight === 1 ? (quick ? 300 : 2_000) : quick ? 2_000 : 10_000;
      const options = { total, inFlight, runs: quick ? 2 : 5, warmup: Math.min(total, 500) };
      for (const [name, call] of Object.entries(calls)) {
        log(`rpc: ${name} at ${inFlight} in flight (${options.runs} × ${total} calls)`);
        results[`${name}@${inFlight}`] = combineRuns(await measure(call, options));
      }
    }
  } finally {
    await nango.close();
    await bare.close();
    await worker.stop();
    await responder.stop();
    await api.close();
    await deleteQueues([baselineQueue, ...server.workerQueueNames(workerQueue)]);
    await store.dispose();
  }
  return results;
}

/** The third-party API of the http action: a local server answering small JSON at once. */
async function startApiServer() {
  const server = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"pong":true}'));
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}
