// The operations log's search, in the store itself: the first page (50, newest first) of each kind of filter with
// 1,000,000 operations stored (--quick: 100,000), and the fill that stores them. The target on SQLite: every filter's
// first page within 50 ms p50. PostgreSQL runs the same queries (--store postgres).
//
// The log looks like 14 days of a busy deployment: mostly actions and proxy calls over 30 integrations (a few much
// busier than the rest) and 20,000 Connections, 1 in 10 failed, 1.5 messages per operation, and searches for words
// that are everywhere ("records"), common (429), rare (one error text) and unique (a customer id).
//
// To look into one: NANGO_BENCH_KEEP_LOGS_DB=<folder> (SQLite: the file stays there) or =<database name> (PostgreSQL:
// made, and not dropped after) keeps the filled store; remove it yourself.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import server from '@nangohq/server';
import { admin, POSTGRES_URL } from '../lib/benchStore.mjs';
import { quantile } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const { newOperationId } = require('../../packages/server/dist/store/operationIds.js');

const DAY = 86_400_000;
const PAGE = 50;
const BATCH = 20_000;

const KINDS = [
  ['action', 35],
  ['proxy', 30],
  ['sync', 12],
  ['refresh', 10],
  ['connection', 5],
  ['webhook', 4],
  ['connect', 3],
  ['revocation', 1],
];
const STATUSES = [
  ['success', 89.5],
  ['failed', 8],
  ['timed_out', 1.5],
  ['cancelled', 0.9],
  ['running', 0.1],
];
const ERROR_CODES = [
  'action_failed',
  'provider_rate_limited',
  'http_request_failed',
  'token_refresh_failed',
  'action_timeout',
  'connection_not_found',
  'sync_failed',
  'webhook_delivery_failed',
  'invalid_credentials',
  'storage_error',
];
const CONNECTIONS = 20_000;
const END_USERS = 10_000;
const INTEGRATIONS = 30;

export async function logsSearchScenario({ quick, log, store: kind }) {
  const stored = quick ? 100_000 : 1_000_000;
  const samples = quick ? 50 : 200;
  const { store, dispose, analyze } = await openStore(kind, process.env.NANGO_BENCH_KEEP_LOGS_DB);
  try {
    const operations = store.operations;
    const random = prng(42);
    const now = Date.now();
    log(`logs-search: storing ${stored.toLocaleString('en')} operations (${kind})`);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const customers = []; // some customer ids a message names, for the search of a unique word
    // The next batch is made while the store writes the last one (SQLite writes on a thread of its own).
    let writing = Promise.resolve();
    for (let from = 0; from < stored; from += BATCH) {
      const batch = batchOf(from, Math.min(BATCH, stored - from), stored, now, random, customers);
      await writing;
      writing = operations.write(batch);
    }
    await writing;
    await analyze();
    const fillMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore); // this process's threads, the SQLite writer's included
    const fillCpuMs = (cpu.user + cpu.system) / 1000;
    log(
      `logs-search: stored in ${(fillMs / 1000).toFixed(1)} s (${(fillCpuMs / 1000).toFixed(1)} s of CPU here); measuring first pages (${kind})`,
    );

    const pick = (list) => list[Math.floor(random() * list.length)];
    const filters = {
      'no filter': () => ({}),
      'time range (1 h)': () => {
        const to = now - Math.floor(random() * 13 * DAY);
        return { from: to - 3_600_000, to };
      },
      kind: () => ({ kinds: [pickWeighted(KINDS, random)] }),
      'two kinds (action, proxy)': () => ({ kinds: ['action', 'proxy'] }),
      'status failed': () => ({ statuses: ['failed'] }),
      'status failed or timed_out': () => ({ statuses: ['failed', 'timed_out'] }),
      'status running (rare)': () => ({ statuses: ['running'] }),
      integration: () => ({ integration: `integration-${integrationOf(random)}` }),
      Connection: () => ({ connectionId: `conn-${Math.floor(random() * CONNECTIONS)}` }),
      'end user': () => ({ endUserId: `user-${Math.floor(random() * END_USERS)}` }),
      'error code': () => ({ errorCode: pick(ERROR_CODES) }),
      'text: everywhere ("records")': () => ({ text: 'records' }),
      'text: common ("429")': () => ({ text: '429' }),
      'text: rare ("invalid_grant")': () => ({ text: 'invalid_grant' }),
      'text: unique (a customer id)': () => ({ text: `cust${pick(customers)}` }),
      'text: no match': () => ({ text: 'nothingmatchesthis' }),
    };
    const results = {};
    for (const [name, make] of Object.entries(filters)) {
      for (let i = 0; i < 5; i += 1) await operations.list(make(), { limit: PAGE }); // warm-up
      const latencies = [];
      let found = 0;
      for (let i = 0; i < samples; i += 1) {
        const filter = make();
        const begun = performance.now();
        const page = await operations.list(filter, { limit: PAGE });
        latencies.push(performance.now() - begun);
        found += page.operations.length;
      }
      results[name] = { p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), meanFound: found / samples };
      log(`logs-search: ${name}: p50 ${results[name].p50.toFixed(2)} ms, p99 ${results[name].p99.toFixed(2)} ms (${kind})`);
    }
    return { store: kind, stored, fillMs, fillCpuMs, pageSize: PAGE, samples, filters: results };
  } finally {
    await dispose();
  }
}

/** `count` operations from number `from` on, spread evenly over the 14 days before `now`, oldest first. */
export function batchOf(from, count, total, now, random, customers) {
  const operations = [];
  const messages = [];
  const span = 14 * DAY;
  for (let n = from; n < from + count; n += 1) {
    const startedAt = Math.floor(now - span + (n / total) * span);
    const kind = pickWeighted(KINDS, random);
    const status = pickWeighted(STATUSES, random);
    const failed = status === 'failed' || status === 'timed_out';
    const id = newOperationId(startedAt);
    const durationMs = Math.floor(random() * 2_000);
    const errorCode = failed ? ERROR_CODES[Math.floor(random() * ERROR_CODES.length)] : null;
    operations.push({
      id,
      kind,
      name: nameOf(kind, random),
      integration: `integration-${integrationOf(random)}`,
      connectionId: `conn-${Math.floor(random() * CONNECTIONS)}`,
      endUserId: random() < 0.6 ? `user-${Math.floor(random() * END_USERS)}` : null,
      status,
      startedAt,
      endedAt: status === 'running' ? null : startedAt + durationMs,
      durationMs: status === 'running' ? null : durationMs,
      error: errorCode === null ? null : { code: errorCode, message: errorText(errorCode, random) },
      fields: kind === 'proxy' ? { method: 'GET', status: failed ? 502 : 200 } : {},
      traceId: null,
      parentId: null,
    });
    const lines = Math.floor(random() * 4); // 0 to 3: 1.5 on average
    for (let line = 0; line < lines; line += 1) {
      const text = messageText(kind, n, random);
      if (text.startsWith('processing customer') && n % 97 === 0) customers.push(n);
      messages.push({ operationId: id, at: startedAt + line, level: 'info', text });
    }
  }
  return { operations, messages };
}

function nameOf(kind, random) {
  const k = Math.floor(random() * 20);
  if (kind === 'proxy') return `GET /resource-${k}`;
  if (kind === 'action') return `action-${k}`;
  if (kind === 'sync') return `sync-${k % 10}`;
  if (kind === 'connect') return k % 2 ? 'oauth2' : 'api_key';
  if (kind === 'connection') return ['created', 'updated', 'deleted'][k % 3];
  return kind;
}

function messageText(kind, n, random) {
  const r = random();
  if (kind === 'sync' || r < 0.25) return `fetched ${Math.floor(random() * 100)} records from page ${Math.floor(random() * 10)}`;
  if (r < 0.32) return `429 from the provider, waiting ${1 + Math.floor(random() * 5)} s`;
  if (r < 0.5) return `retry ${1 + Math.floor(random() * 3)} of 3`;
  if (r < 0.8) return `processing customer cust${n}`;
  return kind === 'refresh' ? 'token refreshed' : 'done';
}

function errorText(code, random) {
  if (code === 'token_refresh_failed' && random() < 0.1) return 'The provider refused the refresh token: invalid_grant';
  return `${code.replaceAll('_', ' ')}: the provider answered ${500 + Math.floor(random() * 4)}`;
}

/** A few integrations take most operations: the square of a uniform number leans low. */
function integrationOf(random) {
  return Math.floor(INTEGRATIONS * random() ** 2);
}

function pickWeighted(choices, random) {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let at = random() * total;
  for (const [value, weight] of choices) {
    at -= weight;
    if (at < 0) return value;
  }
  return choices[choices.length - 1][0];
}

/** A seeded generator (mulberry32): the same log and the same queries every run. */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function openStore(kind, keepIn) {
  const key = server.generateKey();
  const cipher = new server.CredentialCipher(server.loadKeyring({ NANGO_ENCRYPTION_KEY: key }, ':memory:'));
  if (kind === 'sqlite') {
    const dir = keepIn ?? mkdtempSync(join(tmpdir(), 'nango-bench-logs-'));
    const store = new server.SqliteStore(join(dir, 'logs.sqlite'), cipher);
    return {
      store,
      analyze: async () => undefined, // as the worker runs it: no ANALYZE statistics, the planner's defaults
      dispose: async () => {
        await store.close();
        if (!keepIn) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = keepIn ?? `nango_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  const store = await server.PgStore.open(url.toString(), cipher, { poolSize: 2 });
  return {
    store,
    analyze: async () => {
      await store.pg.query('VACUUM ANALYZE operations');
      await store.pg.query('VACUUM ANALYZE operation_messages');
    },
    dispose: async () => {
      await store.close();
      if (!keepIn) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
