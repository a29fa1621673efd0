#!/usr/bin/env node
// Runs the sync example against a running server (`npm start` in another terminal): plays the tracker API
// (examples/tracker-api.mjs) on TRACKER_API_URL (default http://127.0.0.1:3011, as integrations.yaml's `tracker`
// integration expects), registers a tracker Connection over RabbitMQ, lets the `issues` sync run (it starts by
// itself: auto_start), then reads its records with the official @nangohq/node 0.71.4, changes issues in the
// tracker, triggers an incremental run and reads only what changed.
//
//   node examples/sync.mjs            (or: npm run example:sync)
//
// Settings: NANGO_SERVER_URL (default http://localhost:3003), NANGO_SECRET_KEY (when the server has one),
// NANGO_QUEUE and NANGO_RABBITMQ_URL as the server's. Exits non-zero when a step does not see what it should.
import NodeClient from '@nangohq/node-client';
import { Nango } from 'nango-node-0714';
import { startTrackerApi } from './tracker-api.mjs';

if (process.argv.includes('--help')) {
  console.log('Usage: node examples/sync.mjs\nRuns the tracker sync example against the server at NANGO_SERVER_URL.');
  process.exit(0);
}

const host = process.env.NANGO_SERVER_URL ?? 'http://localhost:3003';
const trackerUrl = new URL(process.env.TRACKER_API_URL ?? 'http://127.0.0.1:3011');
const userId = `sync-demo-${Date.now()}`;
const step = (text) => console.log(`\n▶ ${text}`);
const check = (ok, text) => {
  if (!ok) throw new Error(`expected ${text}`);
  console.log(`  ✓ ${text}`);
};

const tracker = await startTrackerApi({ port: Number(trackerUrl.port), host: trackerUrl.hostname, issues: 250 });
const rpc = new NodeClient({
  ...(process.env.NANGO_RABBITMQ_URL && { url: process.env.NANGO_RABBITMQ_URL }),
  ...(process.env.NANGO_QUEUE && { queue: process.env.NANGO_QUEUE }),
});
const nango = new Nango({ host, secretKey: process.env.NANGO_SECRET_KEY ?? 'the-server-has-no-secret-key' });

/** Waits until the sync's latest run finished after `after` (ISO), and returns its status. */
async function finishedRun(after) {
  for (let tries = 0; tries < 120; tries += 1) {
    const { syncs } = await nango.syncStatus('tracker', ['issues'], userId);
    const status = syncs[0];
    if (status?.finishedAt && (!after || status.finishedAt > after) && status.status !== 'RUNNING') return status;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('the sync did not finish within a minute: is the server running with this repository integrations.yaml?');
}

/** Every record of the sync from `cursor` on, page by page. */
async function readAll(options = {}) {
  const records = [];
  let cursor = options.cursor;
  for (;;) {
    const page = await nango.listRecords({
      providerConfigKey: 'tracker',
      connectionId: userId,
      model: 'TrackerIssue',
      limit: 100,
      ...options,
      ...(cursor && { cursor }),
    });
    records.push(...page.records);
    if (!page.next_cursor) return records;
    cursor = page.next_cursor;
  }
}

try {
  console.log(`Tracker API on ${tracker.url}; server ${host}; Connection '${userId}'.`);
  step("registerConnection('tracker', …) over RabbitMQ: the issues sync is scheduled for it (auto_start)");
  await rpc.connect();
  await rpc.registerConnection('tracker', userId, { api_key: 'demo-key' });
  const first = await finishedRun();
  check(first.status === 'SUCCESS', `the first run succeeded (status ${first.status})`);
  check(first.recordCount?.TrackerIssue === 250, `250 records counted (${JSON.stringify(first.recordCount)})`);

  step('listRecords, 100 a page, with the official @nangohq/node 0.71.4');
  const all = await readAll();
  check(all.length === 250, `250 records read (${all.length})`);
  check(
    all.every((record) => record._nango_metadata.last_action === 'ADDED'),
    'all of them ADDED',
  );
  const lastCursor = all[all.length - 1]._nango_metadata.cursor;

  step('the tracker changes: 3 issues edited, 1 closed, 1 deleted, 1 added; triggerSync runs the sync now');
  await fetch(`${tracker.url}/change`, { method: 'POST', headers: { 'x-api-key': 'demo-key' } });
  await nango.triggerSync('tracker', ['issues'], userId);
  const second = await finishedRun(first.finishedAt);
  check(second.status === 'SUCCESS', `the incremental run succeeded (status ${second.status})`);

  step('listRecords from the last cursor: only what changed');
  const changed = await readAll({ cursor: lastCursor });
  const actions = changed.map((record) => record._nango_metadata.last_action).sort();
  check(changed.length === 6, `6 records changed (${changed.length})`);
  check(
    JSON.stringify(actions) === JSON.stringify(['ADDED', 'DELETED', 'UPDATED', 'UPDATED', 'UPDATED', 'UPDATED']),
    `1 added, 4 updated, 1 deleted (${actions.join(', ')})`,
  );
  const deleted = await readAll({ filter: 'deleted' });
  check(deleted.length === 1 && deleted[0].id === '5', 'filter: deleted gives issue 5');
  console.log('\nDone: the sync mirrored the tracker, then only its changes.');
} catch (error) {
  console.error(`\n✗ ${error.message}`);
  process.exitCode = 1;
} finally {
  await rpc.close().catch(() => undefined);
  await tracker.close();
}
