// registerConnection and getConnectionsForUserId at 64 in flight, with 1,000 and 1,000,000 Connections stored.
// The large database is seeded directly through the store's own schema; the seeding time is reported.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { benchStore } from '../lib/benchStore.mjs';
import { measure } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker } from '../lib/processes.mjs';
import { combineRuns } from '../lib/stats.mjs';
import server from '@nangohq/server';

export async function connectionsScenario({ quick, log, store: kind }) {
  const results = {};
  for (const stored of quick ? [1_000, 100_000] : [1_000, 1_000_000]) {
    const store = await benchStore(kind);
    log(`connections: seeding ${stored.toLocaleString('en')} Connections (${kind})`);
    const seedMs = await store.seed(stored);
    const queue = `bench.connections.${randomUUID()}`;
    const worker = await startWorker({
      NANGO_QUEUE: queue,
      ...store.env,
      NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    });
    const nango = new Nango({ url: RABBITMQ_URL, queue });
    await nango.connect();
    try {
      const options = { total: quick ? 2_000 : 10_000, inFlight: 64, runs: quick ? 2 : 5, warmup: 500 };
      const run = randomUUID().slice(0, 8);
      log(`connections: registerConnection with ${stored.toLocaleString('en')} stored`);
      let registered = 0;
      const register = combineRuns(
        await measure(() => nango.registerConnection('bench', `new-${run}-${registered++}`, { api_key: 'k' }), options),
      );
      log(`connections: getConnectionsForUserId with ${stored.toLocaleString('en')} stored`);
      let looked = 0;
      const lookup = combineRuns(
        await measure(() => nango.getConnectionsForUserId(`user-${(looked++ * 7919) % stored}`), options),
      );
      results[stored] = { seedMs, register, lookup };
    } finally {
      await nango.close();
      await worker.stop();
      await deleteQueues(server.workerQueueNames(queue));
      await store.dispose();
    }
  }
  return results;
}
