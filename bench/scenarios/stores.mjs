// PostgreSQL against SQLite on the calls every worker serves: no-op triggerAction, getConnectionsForUserId and
// registerConnection at 64 in flight. Two workers of the same build run at once, one on each store (1,000 Connections
// stored), and the load alternates between them in blocks (SQLite then PostgreSQL, then the other way round), so what
// else the shared machine does hits both alike. Target: PostgreSQL at ≥ 0.8× SQLite's calls/s for the no-op and the
// lookup. Beside calls/s it reads CPU time per call from /proc: the worker's, and the PostgreSQL backends' that
// serve its database (the part of a call the machine spends in the database server).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { benchStore } from '../lib/benchStore.mjs';
import { runLoad } from '../lib/load.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startWorker } from '../lib/processes.mjs';
import { quantile, spread } from '../lib/stats.mjs';

const PREFETCH = 32;
const IN_FLIGHT = 64;
const STORED = 1_000;
const CALLS = ['noop', 'lookup', 'register'];

export async function storesScenario({ quick, log, queueType }) {
  const sides = [];
  try {
    for (const kind of ['sqlite', 'postgres']) {
      const store = await benchStore(kind);
      await store.seed(STORED);
      const queue = `bench.stores.${kind}.${randomUUID()}`;
      const worker = await startWorker({
        NANGO_QUEUE: queue,
        ...store.env,
        NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
        NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
        NANGO_PREFETCH: String(PREFETCH),
        NANGO_QUEUE_TYPE: queueType,
      });
      const nango = new Nango({ url: RABBITMQ_URL, queue });
      await nango.connect();
      await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
      let registered = 0;
      let looked = 0;
      const calls = {
        noop: () => nango.triggerAction('bench', 'noop', 'u1', {}),
        lookup: () => nango.getConnectionsForUserId(`user-${(looked++ * 7919) % STORED}`),
        register: () => nango.registerConnection('bench', `new-${registered++}`, { api_key: 'k' }),
      };
      const backends = kind === 'postgres' ? await backendsOf(store.env.NANGO_DATABASE_URL) : NO_BACKENDS;
      const side = { kind, store, queue, worker, nango, calls, backends, blocks: [] };
      sides.push(side);
      for (const call of CALLS) await runLoad(calls[call], { total: 500, inFlight: IN_FLIGHT }); // warm-up
    }
    const blocks = quick ? 4 : 10;
    const total = { noop: quick ? 2_000 : 5_000, lookup: quick ? 2_000 : 5_000, register: quick ? 1_000 : 2_500 };
    for (let block = 0; block < blocks; block += 1) {
      for (const call of CALLS) {
        const order = block % 2 === 0 ? sides : [...sides].reverse();
        log(`stores: ${call} @${IN_FLIGHT}, block ${block + 1} of ${blocks} (${order.map((s) => s.kind).join(' then ')})`);
        for (const side of order) {
          const pids = await side.backends.pids();
          const cpuBefore = cpuMs(side.worker.child.pid);
          const dbBefore = sumCpuMs(pids);
          const result = await runLoad(side.calls[call], { total: total[call], inFlight: IN_FLIGHT });
          const workerUs = ((cpuMs(side.worker.child.pid) - cpuBefore) * 1000) / total[call];
          const databaseUs = ((sumCpuMs(pids) - dbBefore) * 1000) / total[call];
          side.blocks.push({ block, call, ...result, workerUs, databaseUs });
        }
      }
    }
    return summarise(sides);
  } finally {
    for (const side of sides) {
      await side.backends.close();
      await side.nango.close().catch(() => undefined);
      await side.worker.stop();
      await deleteQueues(server.workerQueueNames(side.queue));
      await side.store.dispose();
    }
  }
}

/** Per call: each store's medians over the blocks, and PostgreSQL over SQLite block by block. */
function summarise(sides) {
  const [sqlite, postgres] = sides;
  const result = { inFlight: IN_FLIGHT, stored: STORED, calls: {} };
  for (const call of CALLS) {
    const of = (side) => side.blocks.filter((b) => b.call === call);
    const figures = (side) => ({
      perSecond: spread(of(side).map((b) => b.perSecond)),
      p50: spread(of(side).map((b) => b.p50)),
      workerUs: quantile(
        of(side).map((b) => b.workerUs),
        0.5,
      ),
      databaseUs: quantile(
        of(side).map((b) => b.databaseUs),
        0.5,
      ),
    });
    const pairs = of(sqlite).map((s, i) => of(postgres)[i].perSecond / s.perSecond);
    result.calls[call] = { sqlite: figures(sqlite), postgres: figures(postgres), ratio: spread(pairs) };
  }
  return result;
}

const NO_BACKENDS = { pids: async () => [], close: async () => undefined };

/**
 * The PostgreSQL backends connected to a database (the worker's pool): their pids are asked before each block, as
 * the pool may have replaced a connection in between. The asking connection leaves itself out.
 */
async function backendsOf(url) {
  const database = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    pids: async () => {
      const { rows } = await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
        database,
      ]);
      return rows.map((row) => row.pid);
    },
    close: () => client.end(),
  };
}

function sumCpuMs(pids) {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}
