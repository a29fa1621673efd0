// registerConnection and getConnectionsForUserId at 64 in flight, with 1,000 and 1,000,000 Connections stored.
// The large database is seeded directly through the store's SQLite handle; the seeding time is reported.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { measure } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker } from '../lib/processes.mjs';
import { combineRuns } from '../lib/stats.mjs';

export async function connectionsScenario({ quick, log }) {
  const results = {};
  for (const stored of quick ? [1_000, 100_000] : [1_000, 1_000_000]) {
    const dir = mkdtempSync(join(tmpdir(), 'nango-bench-'));
    const dbPath = join(dir, 'bench.sqlite');
    log(`connections: seeding ${stored.toLocaleString('en')} Connections`);
    const seedMs = seed(dbPath, stored);
    const queue = `bench.connections.${randomUUID()}`;
    const worker = await startWorker({
      NANGO_QUEUE: queue,
      NANGO_DB_PATH: dbPath,
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
      await deleteQueues([queue, `${queue}.dead`, `${queue}.credentials`]);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

/**
 * Inserts `count` Connections in one transaction through the store's own schema, credentials encrypted with the key
 * file the worker will read beside the database; returns the time it took.
 */
function seed(path, count) {
  const started = performance.now();
  const cipher = new server.CredentialCipher(server.loadKeyring({}, path));
  const store = new server.ConnectionStore(path, cipher);
  const now = new Date().toISOString();
  const credentials = JSON.stringify({ api_key: 'k', raw: { api_key: 'k' } });
  const insert = store.database.prepare(
    `INSERT INTO connections (uuid, integration, user_id, date_created, last_modified, credentials, additional_config, key_id)
     VALUES (?, 'bench', ?, ?, ?, ?, '{}', ?)`,
  );
  store.database.transaction(() => {
    for (let i = 0; i < count; i++) {
      const uuid = randomUUID();
      const sealed = cipher.seal(credentials, uuid);
      insert.run(uuid, `user-${i}`, now, now, sealed.text, sealed.keyId);
    }
  })();
  store.close();
  return performance.now() - started;
}
