#!/usr/bin/env node
// Paired A/B of the proxy: two workers at once (two builds, or one build with two settings), each on its own store,
// the same local provider behind both, the load alternating between them in blocks (A then B, then B then A) so that
// whatever else the machine does hits both alike. Per block and side: p50 one call at a time, calls/s at 64 in
// flight, and the worker's CPU per call (read from /proc/<pid>/stat), the figure a busy machine disturbs least.
//   node bench/proxy-ab.mjs <cli.js of A> <cli.js of B> [blocks] [store: sqlite|postgres] [env of A as JSON] [env of B as JSON]
// e.g. the proxy's read cache off (A) and on (B), one build:
//   node bench/proxy-ab.mjs packages/server/dist/cli.js packages/server/dist/cli.js 8 postgres '{"NANGO_PROXY_STALE_MS":"0"}' '{}'
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { Agent, request } from 'undici';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, startWorker } from './lib/processes.mjs';
import { freePort, startProvider } from './scenarios/proxy.mjs';

const [cliA, cliB, blocksArg = '8', kind = 'sqlite', envA = '{}', envB = '{}'] = process.argv.slice(2);
if (!cliA || !cliB || (kind !== 'sqlite' && kind !== 'postgres')) {
  console.error('usage: node bench/proxy-ab.mjs <cli.js of A> <cli.js of B> [blocks] [sqlite|postgres] [env of A] [env of B]');
  process.exit(2);
}
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const loadAtStart = loadavg()[0];
const provider = await startProvider();
const agent = new Agent({ connections: 128, pipelining: 1 });
const sides = [];
for (const [name, cli, env] of [
  ['A', cliA, JSON.parse(envA)],
  ['B', cliB, JSON.parse(envB)],
]) {
  const dir = mkdtempSync(join(tmpdir(), 'nango-bench-proxy-ab-'));
  const yaml = join(dir, 'integrations.yaml');
  writeFileSync(
    yaml,
    `integrations:\n  api:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Api-Key: \${api_key}\n`,
  );
  const queue = `bench.proxy-ab.${name}.${randomUUID()}`;
  const store = await benchStore(kind);
  const port = await freePort();
  const worker = await startWorker(
    {
      NANGO_QUEUE: queue,
      ...store.env,
      NANGO_INTEGRATIONS_YAML: yaml,
      NANGO_INTEGRATIONS_DIR: dir,
      NANGO_API_RATE_LIMIT: '1000000000',
      NANGO_PORT: String(port),
      ...env,
    },
    cli,
  );
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  await nango.connect();
  await nango.registerConnection('api', 'u1', { api_key: 'bench-key' });
  const url = `http://127.0.0.1:${port}/proxy/items?page=1`;
  const headers = { 'connection-id': 'u1', 'provider-config-key': 'api' };
  const call = async () => {
    const { statusCode, body } = await request(url, { dispatcher: agent, headers });
    await body.text();
    if (statusCode !== 200) throw new Error(`${url} answered ${statusCode}`);
  };
  await runLoad(call, { total: 2_000, inFlight: 16 }); // warm-up: undici loaded, route schemas compiled, JIT
  sides.push({ name, dir, queue, store, worker, nango, call, p50: [], perSecond: [], cpuUs: [] });
}
const ONE = { total: 1_000, inFlight: 1 };
const MANY = { total: 6_000, inFlight: 64 };
for (let block = 0; block < Number(blocksArg); block++) {
  for (const side of block % 2 === 0 ? sides : [...sides].reverse()) {
    side.p50.push((await runLoad(side.call, ONE)).p50);
    const before = cpuMs(side.worker.child.pid);
    side.perSecond.push((await runLoad(side.call, MANY)).perSecond);
    side.cpuUs.push(((cpuMs(side.worker.child.pid) - before) * 1000) / MANY.total);
  }
  console.error(`block ${block + 1} done`);
}
const [a, b] = sides;
const report = (label, key, digits) => {
  const ratios = a[key].map((x, i) => b[key][i] / x);
  console.log(
    `${label}: A ${median(a[key]).toFixed(digits)}, B ${median(b[key]).toFixed(digits)}; ` +
      `B/A ${median(ratios).toFixed(3)} (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
  );
};
console.log(
  `proxy A/B, ${kind} store, ${blocksArg} blocks, load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`,
);
report('/proxy @1 p50 (ms)', 'p50', 3);
report('/proxy @64 calls/s', 'perSecond', 0);
report('worker CPU per /proxy call @64 (µs)', 'cpuUs', 0);
for (const side of sides) {
  await side.nango.close();
  await side.worker.stop();
  await side.store.dispose();
  await deleteQueues(server.workerQueueNames(side.queue));
  rmSync(side.dir, { recursive: true, force: true });
}
await agent.close();
await provider.close();
