#!/usr/bin/env node
// Paired A/B of two builds of the worker on a shared, busy machine: both run at once, each on its own queue and
// store, and the load alternates between them in short blocks, so that whatever else the machine does hits both
// alike. Reports, per call and level, each side's median over blocks and the median of B's figure over A's.
// Each side has 1,000 Connections stored; registrations add more.
//   node bench/ab.mjs <cli.js of A> <cli.js of B> [blocks] [extra env for B as JSON]
import { randomUUID } from 'node:crypto';
import { Nango } from '@nangohq/node-client';
import { runLoad } from './lib/load.mjs';
import { benchStore } from './lib/benchStore.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startProcess } from './lib/processes.mjs';
import { join } from 'node:path';
import server from '@nangohq/server';

const [cliA, cliB, blocksArg = '12', envB = '{}'] = process.argv.slice(2);
if (!cliA || !cliB) {
  console.error('usage: node bench/ab.mjs <cli.js of A> <cli.js of B> [blocks] [extra env for B as JSON]');
  process.exit(2);
}
const blocks = Number(blocksArg);
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const sides = [];
for (const [name, cli, extra] of [
  ['A', cliA, {}],
  ['B', cliB, JSON.parse(envB)],
]) {
  const queue = `bench.ab.${name}.${randomUUID()}`;
  const store = await benchStore(extra.store ?? 'sqlite');
  delete extra.store;
  const worker = await startProcess(cli, {
    env: {
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_WATCH: 'false',
      NODE_ENV: 'production',
      NANGO_PORT: '0', // both sides run at once: neither may take the default port
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
  for (let i = 0; i < 1_000; i++) await nango.registerConnection('bench', `user-${i}`, { api_key: 'k' });
  let registered = 0;
  let looked = 0;
  const calls = {
    noop: () => nango.triggerAction('bench', 'noop', 'u1', {}),
    register: () => nango.registerConnection('bench', `new-${registered++}`, { api_key: 'k' }),
    lookup: () => nango.getConnectionsForUserId(`user-${(looked++ * 7919) % 1_000}`),
  };
  await runLoad(calls.noop, { total: 1_000, inFlight: 16 }); // warm-up: compile the action, fill the caches
  sides.push({ name, queue, store, worker, nango, calls });
}
const levels = [
  { label: 'triggerAction no-op @1', call: 'noop', inFlight: 1, total: 400 },
  { label: 'triggerAction no-op @64', call: 'noop', inFlight: 64, total: 3_000 },
  { label: 'registerConnection @64', call: 'register', inFlight: 64, total: 1_500 },
  { label: 'getConnectionsForUserId @64', call: 'lookup', inFlight: 64, total: 3_000 },
];
const ratios = Object.fromEntries(levels.map(({ label }) => [label, { p50: [], perSecond: [] }]));
const raw = [];
for (let block = 0; block < blocks; block++) {
  for (const level of levels) {
    // A then B on odd blocks, B then A on even ones: neither always goes first.
    const order = block % 2 === 0 ? sides : [...sides].reverse();
    const result = {};
    for (const side of order) result[side.name] = await runLoad(side.calls[level.call], level);
    ratios[level.label].p50.push(result.B.p50 / result.A.p50);
    ratios[level.label].perSecond.push(result.B.perSecond / result.A.perSecond);
    raw.push({ block, level: level.label, A: result.A, B: result.B });
  }
}
for (const { label } of levels) {
  const r = ratios[label];
  const medianOf = (side, key) => median(raw.filter((x) => x.level === label).map((x) => x[side][key]));
  console.log(
    `${label}: A ${medianOf('A', 'perSecond').toFixed(0)} calls/s, p50 ${medianOf('A', 'p50').toFixed(3)} ms; B ${medianOf('B', 'perSecond').toFixed(0)} calls/s, p50 ${medianOf('B', 'p50').toFixed(3)} ms; B/A p50 ${median(r.p50).toFixed(3)} (range ${Math.min(...r.p50).toFixed(2)}–${Math.max(...r.p50).toFixed(2)}), ` +
      `B/A calls/s ${median(r.perSecond).toFixed(3)} (range ${Math.min(...r.perSecond).toFixed(2)}–${Math.max(...r.perSecond).toFixed(2)})`,
  );
}
console.log(JSON.stringify({ blocks, raw }));
for (const side of sides) {
  await side.nango.close();
  await side.worker.stop();
  await side.store.dispose();
  await deleteQueues(server.workerQueueNames(side.queue));
}
