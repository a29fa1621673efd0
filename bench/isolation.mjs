#!/usr/bin/env node
// npm run bench:isolation -- --before path/to/old/dist/cli.js [--after path/to/cli.js] [--rounds N] [--out DIR]
//
// The cost of running actions in sandboxes: the no-op and one-httpRequest triggerAction at 1 and 64 in flight, on
// two builds of the worker (--before: an older build's cli.js; after: this checkout's dist) and the bare amqplib
// baseline, all running at once and measured in interleaved rounds, so that the drift of a shared machine hits all
// three alike. Each figure is the median over the rounds of the per-round value; ratios are per round, then median.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { connectBareClient } from './lib/bareClient.mjs';
import { runLoad } from './lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startProcess, startWorker } from './lib/processes.mjs';
import { quantile } from './lib/stats.mjs';
import server from '@nangohq/server';

const args = process.argv.slice(2);
const valueOf = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const before = valueOf('--before');
if (!before || args.includes('--help')) {
  console.error('usage: npm run bench:isolation -- --before path/to/old/dist/cli.js [--rounds 8] [--out DIR]');
  process.exit(before ? 0 : 2);
}
const rounds = Number(valueOf('--rounds') ?? 8);
const outDir = valueOf('--out') ?? join(ROOT, 'bench', 'results');
const after = valueOf('--after') ?? join(ROOT, 'packages', 'server', 'dist', 'cli.js');
const PREFETCH = 32;

const started = Date.now();
const log = (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const dir = mkdtempSync(join(tmpdir(), 'nango-bench-'));
const api = await startApiServer();
const queues = {
  baseline: `bench.baseline.${randomUUID()}`,
  before: `bench.before.${randomUUID()}`,
  after: `bench.after.${randomUUID()}`,
};
const responder = await startProcess(join(ROOT, 'bench', 'baseline-responder.mjs'), {
  env: { BENCH_URL: RABBITMQ_URL, BENCH_QUEUE: queues.baseline, BENCH_PREFETCH: String(PREFETCH) },
  readyText: 'baseline responder ready',
});
const workerEnv = (name) => ({
  NANGO_QUEUE: queues[name],
  NANGO_DB_PATH: join(dir, `${name}.sqlite`),
  NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
  NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
  NANGO_PREFETCH: String(PREFETCH),
  BENCH_API_URL: api.url,
});
const workers = { before: await startWorker(workerEnv('before'), before), after: await startWorker(workerEnv('after'), after) };
const bare = await connectBareClient(RABBITMQ_URL, queues.baseline);
const clients = {};
for (const name of ['before', 'after']) {
  clients[name] = new Nango({ url: RABBITMQ_URL, queue: queues[name] });
  await clients[name].connect();
  await clients[name].registerConnection('bench', 'u1', { api_key: 'bench-key' });
}
const calls = {
  baseline: () => bare.call(),
  'no-op before': () => clients.before.triggerAction('bench', 'noop', 'u1', {}),
  'no-op after': () => clients.after.triggerAction('bench', 'noop', 'u1', {}),
  'httpRequest before': () => clients.before.triggerAction('bench', 'http', 'u1', {}),
  'httpRequest after': () => clients.after.triggerAction('bench', 'http', 'u1', {}),
};
const samples = {}; // `${name}@${inFlight}` -> [{ p50, perSecond }] per round
try {
  for (const inFlight of [1, 64]) {
    const total = inFlight === 1 ? 400 : 4_000;
    for (const call of Object.values(calls)) await runLoad(call, { total: Math.min(total, 500), inFlight }); // warm-up
    for (let round = 0; round < rounds; round++) {
      // A different order each round, so no build always runs right after the same one.
      const names = Object.keys(calls);
      const order = names.map((_, i) => names[(i + round) % names.length]);
      for (const name of order) {
        const { p50, perSecond } = await runLoad(calls[name], { total, inFlight });
        (samples[`${name}@${inFlight}`] ??= []).push({ p50, perSecond });
      }
      log(`${inFlight} in flight: round ${round + 1} of ${rounds}`);
    }
  }
} finally {
  for (const client of Object.values(clients)) await client.close();
  await bare.close();
  for (const worker of Object.values(workers)) await worker.stop();
  await responder.stop();
  await api.close();
  const names = Object.values(queues).flatMap((q) => server.workerQueueNames(q));
  await deleteQueues(names);
  rmSync(dir, { recursive: true, force: true });
}

const median = (values) => quantile(values, 0.5);
const rows = [];
for (const inFlight of [1, 64]) {
  const base = samples[`baseline@${inFlight}`];
  for (const name of Object.keys(calls)) {
    const s = samples[`${name}@${inFlight}`];
    const ratio = (pick, to = base) => median(s.map((x, i) => pick(x) / pick(to[i])));
    // The after build against the before build of the same round: the change itself, drift cancelled twice.
    const previous = name.endsWith(' after') ? samples[`${name.replace(/ after$/, ' before')}@${inFlight}`] : undefined;
    rows.push({
      figure: `${name} @${inFlight}`,
      p50Ms: median(s.map((x) => x.p50)),
      p50Ratio: name === 'baseline' ? 1 : ratio((x) => x.p50),
      callsPerSecond: median(s.map((x) => x.perSecond)),
      throughputRatio: name === 'baseline' ? 1 : ratio((x) => x.perSecond),
      ...(previous && { p50VsBefore: ratio((x) => x.p50, previous), throughputVsBefore: ratio((x) => x.perSecond, previous) }),
    });
  }
}
const text = [
  `Isolation cost, ${rounds} interleaved rounds, ${new Date().toISOString()}; before: ${before}`,
  '',
  '| figure | p50 ms | p50 vs baseline | calls/s | calls/s vs baseline | p50, calls/s vs before |',
  '| --- | --- | --- | --- | --- | --- |',
  ...rows.map(
    (r) =>
      `| ${r.figure} | ${r.p50Ms.toFixed(3)} | ${r.p50Ratio.toFixed(2)}× | ${r.callsPerSecond.toFixed(0)} | ${r.throughputRatio.toFixed(2)}× | ` +
      `${r.p50VsBefore === undefined ? '' : `${r.p50VsBefore.toFixed(2)}×, ${r.throughputVsBefore.toFixed(2)}×`} |`,
  ),
].join('\n');
console.log(text);
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `isolation-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ before, rounds, samples, rows }, null, 2)}\n`);
log(`results written to ${file}`);

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
