#!/usr/bin/env node
// Paired A/B of POST /action/trigger: two workers at once (two builds, or one build with two settings; both roles in
// one process, as `npm start` runs it), each on its own queue and store, the no-op action of bench/integrations.yaml
// called with the secret key from a keep-alive node:http client, the load alternating between them in blocks (A then
// B, then B then A) so whatever else the machine does hits both alike. Per block and side: p50 one call at a time
// (HTTP, and triggerAction over RabbitMQ on the same worker, for the ratio issue 23 budgets), calls/s at 16 in flight,
// and the worker's CPU per HTTP call at both levels (from /proc/<pid>/stat: the figure a busy machine disturbs least).
//   node bench/http-ab.mjs <cli.js of A> <cli.js of B> [blocks] [env of A as JSON] [env of B as JSON]
// e.g. the build of main (copied to packages/server/dist-main) against this one:
//   node bench/http-ab.mjs packages/server/dist-main/cli.js packages/server/dist/cli.js 8
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startWorker } from './lib/processes.mjs';
import { noopTrigger } from './lib/httpTrigger.mjs';

const [cliA, cliB, blocksArg = '8', envA = '{}', envB = '{}'] = process.argv.slice(2);
if (!cliA || !cliB) {
  console.error('usage: node bench/http-ab.mjs <cli.js of A> <cli.js of B> [blocks] [env of A] [env of B]');
  process.exit(2);
}
const SECRET_KEY = 'bench-secret-key';
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const loadAtStart = loadavg()[0];
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
const sides = [];
for (const [name, cli, env] of [
  ['A', cliA, JSON.parse(envA)],
  ['B', cliB, JSON.parse(envB)],
]) {
  const queue = `bench.http-ab.${name}.${randomUUID()}`;
  const store = await benchStore('sqlite');
  const port = await freePort();
  const worker = await startWorker(
    {
      NANGO_QUEUE: queue,
      ...store.env,
      NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
      NANGO_SECRET_KEY: SECRET_KEY,
      // The API's own rate limit would measure itself, not the path.
      NANGO_API_RATE_LIMIT: '1000000000',
      NANGO_PORT: String(port),
      ...env,
    },
    cli,
  );
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  await nango.connect();
  await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
  const http = noopTrigger({ port, agent, secretKey: SECRET_KEY });
  const rabbitmq = () => nango.triggerAction('bench', 'noop', 'u1', {});
  // Warm-up: route schemas compiled, JIT, both clients' channels open.
  await runLoad(http, { total: 2_000, inFlight: 16 });
  await runLoad(rabbitmq, { total: 500, inFlight: 1 });
  sides.push({ name, queue, store, worker, nango, http, rabbitmq, p50: [], amqpP50: [], perSecond: [], cpu1: [], cpu16: [] });
}
const ONE = { total: 400, inFlight: 1 };
const MANY = { total: 3_000, inFlight: 16 };
try {
  for (let block = 0; block < Number(blocksArg); block++) {
    for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
      const pid = side.worker.child.pid;
      side.amqpP50.push((await runLoad(side.rabbitmq, ONE)).p50);
      let before = cpuMs(pid);
      side.p50.push((await runLoad(side.http, ONE)).p50);
      side.cpu1.push(((cpuMs(pid) - before) * 1000) / ONE.total);
      before = cpuMs(pid);
      side.perSecond.push((await runLoad(side.http, MANY)).perSecond);
      side.cpu16.push(((cpuMs(pid) - before) * 1000) / MANY.total);
    }
  }
  const [a, b] = sides;
  const ratios = (key) => a[key].map((value, i) => b[key][i] / value);
  const range = (values) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  for (const side of sides) {
    console.log(
      `${side.name}: HTTP p50 @1 ${median(side.p50).toFixed(3)} ms (triggerAction ${median(side.amqpP50).toFixed(3)} ms, ` +
        `HTTP/RabbitMQ ${median(side.p50.map((p, i) => p / side.amqpP50[i])).toFixed(2)}×), ` +
        `${median(side.perSecond).toFixed(0)} calls/s @16, server CPU per call ${median(side.cpu1).toFixed(0)} µs @1, ` +
        `${median(side.cpu16).toFixed(0)} µs @16`,
    );
  }
  console.log(
    `B/A: p50 @1 ${median(ratios('p50')).toFixed(3)} (${range(ratios('p50'))}), calls/s @16 ` +
      `${median(ratios('perSecond')).toFixed(3)} (${range(ratios('perSecond'))}), CPU per call @1 ` +
      `${median(ratios('cpu1')).toFixed(3)} (${range(ratios('cpu1'))}), @16 ${median(ratios('cpu16')).toFixed(3)} ` +
      `(${range(ratios('cpu16'))}); ${blocksArg} blocks, load average ${loadAtStart.toFixed(2)} at start, ` +
      `${loadavg()[0].toFixed(2)} at the end`,
  );
} finally {
  agent.destroy();
  for (const side of sides) {
    await side.nango.close();
    await side.worker.stop();
    await deleteQueues(server.workerQueueNames(side.queue));
    await side.store.dispose();
  }
}

/** A port nothing listens on right now, for a worker's HTTP API. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
