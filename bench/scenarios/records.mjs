// Sync records in the store itself (no worker: records are written by sync runs inside it): records stored per
// second through save() in batches of 100, as batchSave sends them, and the latency of one listRecords page
// (100 records) at the start of a scope versus deep into it, with 100,000 (quick) or 1,000,000 records stored.
// Keyset pagination should make both cost the same: the target is the deep page within 1.2× the first.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import server from '@nangohq/server';
import { admin, POSTGRES_URL } from '../lib/benchStore.mjs';
import { quantile, spread } from '../lib/stats.mjs';

const BATCH = 100;
const PAGE = 100;

export async function recordsScenario({ quick, log, store: kind }) {
  const stored = quick ? 100_000 : 1_000_000;
  const { store, dispose } = await openStore(kind);
  try {
    const records = store.records;
    const scope = { connection: 'bench-connection', model: 'Issue', variant: 'base' };

    // Throughput: a fresh scope, written batch after batch (new records, then the same ids changed).
    const writeScope = { ...scope, model: 'Written' };
    const total = quick ? 20_000 : 100_000;
    const insertRuns = [];
    const updateRuns = [];
    for (let run = 0; run < (quick ? 2 : 5); run += 1) {
      await records.clear(writeScope);
      insertRuns.push(await timeSaves(records, writeScope, total, `run-${run}`, 'new'));
      updateRuns.push(await timeSaves(records, writeScope, total, `run-${run}-u`, 'changed'));
    }
    log(`records: batchSave ${spread(insertRuns).median.toFixed(0)} records/s (${kind})`);

    // Depth: seed the scope, then time first pages and pages near the end.
    log(`records: seeding ${stored.toLocaleString('en')} records (${kind})`);
    const seedStarted = performance.now();
    const cursors = [];
    for (let from = 0; from < stored; from += 1_000) {
      await records.save(scope, batch(from, Math.min(1_000, stored - from), 'seed'), { runId: 'seed', encrypt: true });
    }
    const seedMs = performance.now() - seedStarted;
    // The cursor 200 records from the end: the page after it is as deep as a page gets.
    let cursor;
    for (let page = await records.list(scope, { limit: 10_000 }); ;) {
      cursors.push(page.records[0]?.cursor);
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
      page = await records.list(scope, { limit: 10_000, cursor });
    }
    const deepCursor = cursors[cursors.length - 1];
    const samples = quick ? 200 : 1_000;
    const first = await timePages(() => records.list(scope, { limit: PAGE }), samples);
    const deep = await timePages(() => records.list(scope, { limit: PAGE, cursor: deepCursor }), samples);
    log(`records: first page p50 ${first.p50.toFixed(3)} ms, deep page p50 ${deep.p50.toFixed(3)} ms (${kind})`);
    return {
      store: kind,
      stored,
      seedMs,
      batchSize: BATCH,
      insertPerSecond: spread(insertRuns),
      updatePerSecond: spread(updateRuns),
      firstPage: first,
      deepPage: deep,
    };
  } finally {
    await dispose();
  }
}

function batch(from, count, title) {
  const list = [];
  for (let n = from; n < from + count; n += 1) {
    list.push({
      id: `issue-${n}`,
      payload: { id: n, title: `${title} ${n}`, state: 'open', labels: ['bug'], body: 'x'.repeat(200) },
    });
  }
  return list;
}

async function timeSaves(records, scope, total, runId, title) {
  const started = performance.now();
  for (let from = 0; from < total; from += BATCH) {
    await records.save(scope, batch(from, BATCH, title), { runId, encrypt: true });
  }
  return (total / (performance.now() - started)) * 1000;
}

async function timePages(read, samples) {
  for (let i = 0; i < 20; i += 1) await read(); // warm-up
  const latencies = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    const page = await read();
    latencies.push(performance.now() - started);
    if (page.records.length === 0) throw new Error('an empty page: the benchmark measured nothing');
  }
  return { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

async function openStore(kind) {
  const key = server.generateKey();
  const cipher = new server.CredentialCipher(server.loadKeyring({ NANGO_ENCRYPTION_KEY: key }, ':memory:'));
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'nango-bench-records-'));
    const store = new server.SqliteStore(join(dir, 'records.sqlite'), cipher);
    return {
      store,
      dispose: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `nango_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const store = await server.PgStore.open(url.toString(), cipher, { poolSize: 2 });
  return {
    store,
    dispose: async () => {
      await store.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
