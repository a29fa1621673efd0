#!/usr/bin/env node
// Paired A/B of the worker's CPU per no-op triggerAction (64 in flight), read from /proc/<pid>/stat before and after
// each block: on a shared, busy machine it moves far less than calls/s, which depend on who else has the cores.
// Both workers run at once, each on its own queue and SQLite store; blocks alternate A then B, B then A.
//   node bench/cpu-ab.mjs <cli.js of A> <cli.js of B> [blocks] [extra env for B as JSON]
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startProcess } from './lib/processes.mjs';

const [cliA, cliB, blocksArg = '8', envB = '{}'] = process.argv.slice(2);
if (!cliA || !cliB) {
  console.error('usage: node bench/cpu-ab.mjs <cli.js of A> <cli.js of B> [blocks] [extra env for B as JSON]');
  process.exit(2);
}
const CALLS_PER_BLOCK = 8_000;
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

const sides = [];
for (const [name, cli, extra] of [
  ['A', cliA, {}],
  ['B', cliB, JSON.parse(envB)],
]) {
  const queue = `bench.cpu.${name}.${randomUUID()}`;
  const store = await benchStore('sqlite');
  const worker = await startProcess(cli, {
    env: {
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_WATCH: 'false',
      NODE_ENV: 'production',
      NANGO_PORT: '0',
      NANGO_QUEUE: queue,
      NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
      NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
      ...store.env,
      ...extra,
    },
    readyText: 'nango worker ready',
  });
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  await nango.connect();
  await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
  const noop = () => nango.triggerAction('bench', 'noop', 'u1', {});
  await runLoad(noop, { total: 3_000, inFlight: 64 }); // warm-up: compile the action, fill the caches
  sides.push({ name, queue, store, worker, nango, noop, perCallUs: [] });
}
for (let block = 0; block < Number(blocksArg); block++) {
  for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
    const before = cpuMs(side.worker.child.pid);
    await runLoad(side.noop, { total: CALLS_PER_BLOCK, inFlight: 64 });
    side.perCallUs.push(((cpuMs(side.worker.child.pid) - before) * 1000) / CALLS_PER_BLOCK);
  }
}
const [a, b] = sides;
const ratios = a.perCallUs.map((x, i) => b.perCallUs[i] / x);
const list = (values) => values.map((x) => x.toFixed(0)).join(' ');
console.log(
  `worker CPU per no-op triggerAction @64: A ${median(a.perCallUs).toFixed(0)} µs (${list(a.perCallUs)}), ` +
    `B ${median(b.perCallUs).toFixed(0)} µs (${list(b.perCallUs)}); ` +
    `B/A ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
);
for (const side of sides) {
  await side.nango.close();
  await side.worker.stop();
  await side.store.dispose();
  await deleteQueues(server.workerQueueNames(side.queue));
}
