// The operations log's cost on the hot path: no-op triggerAction at 64 in flight against a worker with the log on
// (NANGO_LOGS=on, the default) and one with it off, each on a store of its own, runs alternated so drift on a shared
// machine hits both alike. Target: with the log on, at least 0.95× the calls per second of the log off. The count of
// operations the first worker stored says what the log recorded (none before the action path records operations).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { benchStore } from '../lib/benchStore.mjs';
import { runLoad } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker } from '../lib/processes.mjs';
import { combineRuns } from '../lib/stats.mjs';

const PREFETCH = 32;
const IN_FLIGHT = 64;

export async function logsCostScenario({ quick, log, queueType, store: kind }) {
  const sides = {};
  try {
    for (const logs of ['on', 'off']) {
      const store = await benchStore(kind);
      const queue = `bench.logs-${logs}.${randomUUID()}`;
      const worker = await startWorker({
        NANGO_QUEUE: queue,
        ...store.env,
        NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
        NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
        NANGO_PREFETCH: String(PREFETCH),
        NANGO_QUEUE_TYPE: queueType,
        NANGO_LOGS: logs,
      });
      const nango = new Nango({ url: RABBITMQ_URL, queue });
      await nango.connect();
      await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
      sides[logs] = { store, queue, worker, nango, runs: [] };
    }
    const total = quick ? 2_000 : 10_000;
    const runs = quick ? 3 : 7;
    for (const side of Object.values(sides)) {
      await runLoad(() => side.nango.triggerAction('bench', 'noop', 'u1', {}), { total: 500, inFlight: IN_FLIGHT });
    }
    for (let run = 0; run < runs; run += 1) {
      // Alternate which goes first: neither always runs on a machine warmed (or tired) by the other.
      const order = run % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
      for (const logs of order) {
        log(`logs-cost: noop @${IN_FLIGHT}, log ${logs} (run ${run + 1} of ${runs}, ${total} calls)`);
        const side = sides[logs];
        side.runs.push(await runLoad(() => side.nango.triggerAction('bench', 'noop', 'u1', {}), { total, inFlight: IN_FLIGHT }));
      }
    }
    const on = combineRuns(sides.on.runs);
    const off = combineRuns(sides.off.runs);
    await sides.on.nango.close();
    await sides.on.worker.stop(); // writes what the log holds before it counts
    const recorded = await countOperations(kind, sides.on.store.env);
    log(`logs-cost: ${(on.perSecond.median / off.perSecond.median).toFixed(3)}× with the log on; ${recorded} operations stored`);
    return { store: kind, inFlight: IN_FLIGHT, on, off, recorded };
  } finally {
    for (const side of Object.values(sides)) {
      await side.nango.close().catch(() => undefined);
      await side.worker.stop();
      await deleteQueues(server.workerQueueNames(side.queue));
      await side.store.dispose();
    }
  }
}

/** Operations the worker stored, read after it stopped. */
async function countOperations(kind, env) {
  if (kind === 'sqlite') {
    const cipher = new server.CredentialCipher(server.loadKeyring({}, env.NANGO_DB_PATH));
    const store = new server.SqliteStore(env.NANGO_DB_PATH, cipher);
    try {
      return store.database.prepare('SELECT count(*) AS n FROM operations').get().n;
    } finally {
      await store.close();
    }
  }
  const client = new pg.Client({ connectionString: env.NANGO_DATABASE_URL });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM operations')).rows[0].n);
  } finally {
    await client.end();
  }
}
