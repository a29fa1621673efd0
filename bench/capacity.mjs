#!/usr/bin/env node
// The figures of the capacity model in docs/performance.md, per component:
// - the broker: calls/s a queue carries (classic and quorum) with the bare RPC on a RabbitMQ node of the bench's own
//   (bench/lib/privateBroker.ts: nobody else's load on it), and the broker's CPU per call, for the bare RPC and for a
//   no-op triggerAction of the worker;
// - the worker, on each store: CPU per no-op triggerAction, per /proxy call and per registerConnection at 64 in
//   flight, PostgreSQL backends' CPU per call, and the SQL statements each call sends (bench/lib/countStatements.cjs,
//   preloaded into the worker);
// - the store: statements per batch of 100 records saved, new and changed.
//   node bench/capacity.mjs [--quick] [--stores sqlite,postgres] [--skip-broker]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import pg from 'pg';
import { Agent, request } from 'undici';
import { connectBareClient } from './lib/bareClient.mjs';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { cpuMs, ROOT, startProcess } from './lib/processes.mjs';
import { freePort, startProvider } from './scenarios/proxy.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const stores = (args.includes('--stores') ? args[args.indexOf('--stores') + 1] : 'sqlite,postgres').split(',');
const CALLS = quick ? 2_000 : 6_000;
const RUNS = quick ? 2 : 3;
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const loadAtStart = loadavg()[0];
const out = { loadAverage: {}, broker: {}, calls: {}, records: {} };
// The records are saved by a store in this process: the statement counter is loaded here too, once, before any store.
const selfCountDir = mkdtempSync(join(tmpdir(), 'nango-bench-counts-'));
process.env.BENCH_COUNT_DIR = selfCountDir;
createRequire(import.meta.url)('./lib/countStatements.cjs');

/** Starts a private broker; resolves with { url, pid, stop }. */
async function privateBroker() {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(ROOT, 'bench', 'lib', 'privateBroker.ts')],
    {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.test.json') },
    },
  );
  const line = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`the private broker exited with ${code}`)));
  });
  const { url, pidFile } = JSON.parse(line);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    url,
    pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
      }),
  };
}

/** Runs `call` RUNS times × CALLS at 64 in flight; calls/s and CPU per call (µs) of each pid group given. */
async function measureLoad(call, cpuOf) {
  await runLoad(call, { total: Math.min(CALLS, 1_000), inFlight: 64 }); // warm-up
  const perSecond = [];
  const cpuUs = Object.fromEntries(Object.keys(cpuOf).map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    const before = Object.fromEntries(await Promise.all(Object.entries(cpuOf).map(async ([n, f]) => [n, await f()])));
    perSecond.push((await runLoad(call, { total: CALLS, inFlight: 64 })).perSecond);
    for (const [name, read] of Object.entries(cpuOf)) cpuUs[name].push((((await read()) - before[name]) * 1000) / CALLS);
  }
  return { perSecond: median(perSecond), ...Object.fromEntries(Object.entries(cpuUs).map(([n, v]) => [`${n}CpuUs`, median(v)])) };
}

async function brokerFigures() {
  const broker = await privateBroker();
  try {
    for (const queueType of ['classic', 'quorum']) {
      const queue = `bench.capacity.${queueType}.${randomUUID()}`;
      const responder = await startProcess(join(ROOT, 'bench', 'baseline-responder.mjs'), {
        env: { BENCH_URL: broker.url, BENCH_QUEUE: queue, BENCH_PREFETCH: '32', BENCH_QUEUE_TYPE: queueType },
        readyText: 'baseline responder ready',
      });
      const client = await connectBareClient(broker.url, queue);
      out.broker[`bare RPC, ${queueType}`] = await measureLoad(() => client.call(), { broker: () => cpuMs(broker.pid) });
      await client.close?.();
      await responder.stop();
      console.error(`broker: bare RPC on a ${queueType} queue measured`);

      const store = await benchStore('sqlite');
      const worker = await startWorkerOn(broker.url, { NANGO_QUEUE: queue, NANGO_QUEUE_TYPE: queueType, ...store.env });
      const nango = new Nango({ url: broker.url, queue });
      await nango.connect();
      await nango.registerConnection('bench', 'u1', { api_key: 'k' });
      out.broker[`no-op triggerAction, ${queueType}`] = await measureLoad(() => nango.triggerAction('bench', 'noop', 'u1', {}), {
        broker: () => cpuMs(broker.pid),
        worker: () => cpuMs(worker.child.pid),
      });
      await nango.close();
      await worker.stop();
      await store.dispose();
      console.error(`broker: no-op triggerAction on a ${queueType} queue measured`);
    }
  } finally {
    await broker.stop(); // the node and its folder go, queues with them
  }
}

function startWorkerOn(url, env, countDir) {
  return startProcess(join(ROOT, 'packages', 'server', 'dist', 'cli.js'), {
    env: {
      NANGO_RABBITMQ_URL: url,
      NANGO_WATCH: 'false',
      NODE_ENV: 'production',
      NANGO_PORT: '0',
      NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
      NANGO_API_RATE_LIMIT: '1000000000',
      ...(countDir && { BENCH_COUNT_DIR: countDir }),
      ...env,
    },
    readyText: 'nango worker ready',
    args: countDir ? ['-r', join(ROOT, 'bench', 'lib', 'countStatements.cjs')] : [],
  });
}

/** The statements counted so far in `dir` (every thread of every process), by first word. */
function countsIn(dir) {
  const total = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    for (const [word, n] of Object.entries(JSON.parse(readFileSync(join(dir, file), 'utf8'))))
      total[word] = (total[word] ?? 0) + n;
  }
  return total;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500)); // the counters write every 200 ms; batches flush

function perCall(before, after, calls) {
  const result = {};
  for (const [word, n] of Object.entries(after)) {
    const delta = n - (before[word] ?? 0);
    if (delta > 0) result[word] = delta / calls;
  }
  return result;
}

async function callFigures(kind) {
  const countDir = mkdtempSync(join(tmpdir(), 'nango-bench-counts-'));
  const dir = mkdtempSync(join(tmpdir(), 'nango-bench-capacity-'));
  const provider = await startProvider();
  const yaml = join(dir, 'integrations.yaml');
  writeFileSync(
    yaml,
    readFileSync(join(ROOT, 'bench', 'integrations.yaml'), 'utf8').replace(
      /^integrations:\n/m,
      `integrations:\n  api:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Api-Key: \${api_key}\n`,
    ),
  );
  const store = await benchStore(kind);
  const queue = `bench.capacity.${kind}.${randomUUID()}`;
  const port = await freePort();
  const rabbit = process.env.NANGO_BENCH_RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const worker = await startWorkerOn(
    rabbit,
    { NANGO_QUEUE: queue, NANGO_PORT: String(port), NANGO_INTEGRATIONS_YAML: yaml, ...store.env },
    countDir,
  );
  const backends = kind === 'postgres' ? await backendPids(store.env.NANGO_DATABASE_URL) : undefined;
  const nango = new Nango({ url: rabbit, queue });
  const agent = new Agent({ connections: 128, pipelining: 1 });
  try {
    await nango.connect();
    await nango.registerConnection('bench', 'u1', { api_key: 'k' });
    await nango.registerConnection('api', 'u1', { api_key: 'bench-key' });
    let registered = 0;
    const proxyUrl = `http://127.0.0.1:${port}/proxy/items?page=1`;
    const calls = {
      'no-op triggerAction': () => nango.triggerAction('bench', 'noop', 'u1', {}),
      '/proxy': async () => {
        const { statusCode, body } = await request(proxyUrl, {
          dispatcher: agent,
          headers: { 'connection-id': 'u1', 'provider-config-key': 'api' },
        });
        await body.text();
        if (statusCode !== 200) throw new Error(`/proxy answered ${statusCode}`);
      },
      registerConnection: () => nango.registerConnection('bench', `new-${registered++}`, { api_key: 'k' }),
    };
    for (const [name, call] of Object.entries(calls)) {
      const cpuOf = { worker: () => cpuMs(worker.child.pid) };
      if (backends) cpuOf.database = async () => (await backends()).reduce((sum, pid) => sum + cpuMs(pid), 0);
      const load = await measureLoad(call, cpuOf);
      await settle();
      // What the worker sends while idle (sweeps, pollers) is measured over the settling time and taken off.
      const idle = countsIn(countDir);
      const idleStarted = performance.now();
      await settle();
      const before = countsIn(countDir);
      const background = perCall(idle, before, performance.now() - idleStarted); // per ms
      const started = performance.now();
      await runLoad(call, { total: 1_000, inFlight: 64 });
      await settle();
      const elapsedMs = performance.now() - started;
      const counted = perCall(before, countsIn(countDir), 1);
      const statementsPerCall = {};
      for (const [word, n] of Object.entries(counted)) {
        const own = (n - (background[word] ?? 0) * elapsedMs) / 1_000;
        if (own > 0.0005) statementsPerCall[word] = Math.round(own * 1000) / 1000;
      }
      out.calls[`${name}, ${kind}`] = { ...load, statementsPerCall, backgroundPerSecond: scale(background, 1000) };
      console.error(`${kind}: ${name} measured`);
    }
  } finally {
    await nango.close();
    await agent.close();
    await worker.stop();
    await backends?.close();
    await store.dispose();
    await provider.close();
    const { deleteQueues } = await import('./lib/processes.mjs');
    await deleteQueues(server.workerQueueNames(queue));
    rmSync(dir, { recursive: true, force: true });
    rmSync(countDir, { recursive: true, force: true });
  }
}

function scale(counts, factor) {
  return Object.fromEntries(Object.entries(counts).map(([word, n]) => [word, Math.round(n * factor * 100) / 100]));
}

/** The pids of the PostgreSQL backends serving a database (the worker's pool), asked afresh each time. */
async function backendPids(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const database = new URL(url).pathname.slice(1);
  const pids = async () =>
    (await client.query('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database])).rows.map(
      (row) => row.pid,
    );
  pids.close = () => client.end();
  return pids;
}

/** Statements per batch of 100 records saved by the store in this process (the hook loaded here, on this pid). */
async function recordFigures(kind) {
  const countDir = selfCountDir;
  const store = await benchStore(kind);
  const opened = await store.open();
  try {
    const scope = { connection: 'bench-connection', model: 'Issue', variant: 'base' };
    const batch = (from, title) =>
      Array.from({ length: 100 }, (_, i) => ({
        id: `issue-${from + i}`,
        payload: { id: from + i, title: `${title} ${from + i}`, state: 'open', labels: ['bug'], body: 'x'.repeat(200) },
      }));
    for (const title of ['new', 'changed']) {
      await settle();
      const before = countsIn(countDir);
      for (let from = 0; from < 2_000; from += 100)
        await opened.records.save(scope, batch(from, title), { runId: title, encrypt: true });
      await settle();
      out.records[`batch of 100 ${title} records, ${kind}`] = scale(perCall(before, countsIn(countDir), 20), 1);
    }
  } finally {
    await opened.close();
    await store.dispose();
  }
}

if (!args.includes('--skip-broker')) await brokerFigures();
for (const kind of stores) {
  await callFigures(kind);
  await recordFigures(kind);
}
rmSync(selfCountDir, { recursive: true, force: true });
out.loadAverage = { start: loadAtStart, end: loadavg()[0] };
console.log(JSON.stringify(out, null, 2));
