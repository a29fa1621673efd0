#!/usr/bin/env node
// Where the server's CPU goes under POST /action/trigger: one worker of the given build (both roles in one process,
// as `npm start` runs it) started with --cpu-prof, the no-op action of bench/integrations.yaml called with the secret
// key from a keep-alive node:http client, `calls` calls at `inFlight` in flight; then the main thread's samples,
// grouped by what they belong to (self time per call) and the functions with the most self time. Samples are wall
// time (idle is shown apart) and the sampler slows what it samples: compare builds with each other, not with the
// figures of other benchmarks.
//   node bench/http-profile.mjs [cli.js] [inFlight=16] [calls=8000]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker, workerNodeArgs } from './lib/processes.mjs';
import { noopTrigger } from './lib/httpTrigger.mjs';

const [cli = join(ROOT, 'packages', 'server', 'dist', 'cli.js'), inFlightArg = '16', callsArg = '8000'] = process.argv.slice(2);
const inFlight = Number(inFlightArg);
const calls = Number(callsArg);
const SECRET_KEY = 'bench-secret-key';
const dir = mkdtempSync(join(tmpdir(), 'nango-http-profile-'));
workerNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=250');

/** What a sample belongs to: the first group whose test its frame (file, function, callers) passes. */
const GROUPS = [
  ['idle', (file, fn) => fn === '(idle)'],
  [
    'start-up (loading modules, compiling route schemas)',
    (file, fn, callers) => callers.some((c) => /^Module\._load |^compile .*lazyRouteSchemas/.test(c)),
  ],
  [
    'secret key, rate limit, CORS',
    (file) =>
      /@fastify\/(cors|rate-limit)|api\/(secretKey|crossCutting|SharedRateLimitStore|parseAuthorization)|crypto\/hash/.test(file),
  ],
  [
    'Fastify (routing, hooks, body, validation, reply)',
    (file) =>
      /node_modules\/(fastify|find-my-way|ajv|secure-json-parse|@fastify|avvio|fast-)|api\/(buildApi|lazyRouteSchemas|nulCharacter)|traceHttpRequests/.test(
        file,
      ),
  ],
  ["the route and the server's client", (file) => /postActionTrigger|ActionDispatcher|node-client\//.test(file)],
  ['amqplib (both sides)', (file) => /node_modules\/amqplib/.test(file)],
  ['node:http', (file) => /node:_http|node:http/.test(file)],
  [
    'sockets and streams (system calls included)',
    (file, fn) => /node:net|stream/.test(file) || /^(writev|writeBuffer|writeUtf8String|writeLatin1String)$/.test(fn),
  ],
  [
    'the worker (consumer, runner, store, log)',
    (file) => /server\/dist[^/]*\//.test(file) || /node_modules\/(pino|better-sqlite3|sonic-boom)/.test(file),
  ],
  ['garbage collector', (file, fn) => fn === '(garbage collector)'],
];

const store = await benchStore('sqlite');
const queue = `bench.http-profile.${randomUUID()}`;
const port = await freePort();
const loadAtStart = loadavg()[0];
const worker = await startWorker(
  {
    NANGO_QUEUE: queue,
    ...store.env,
    NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
    NANGO_SECRET_KEY: SECRET_KEY,
    NANGO_API_RATE_LIMIT: '1000000000',
    NANGO_PORT: String(port),
  },
  cli,
);
const nango = new Nango({ url: RABBITMQ_URL, queue });
const agent = new Agent({ keepAlive: true, maxSockets: 128 });
let perSecond;
try {
  await nango.connect();
  await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
  const call = noopTrigger({ port, agent, secretKey: SECRET_KEY });
  await runLoad(call, { total: 500, inFlight });
  ({ perSecond } = await runLoad(call, { total: calls, inFlight }));
} finally {
  agent.destroy();
  await nango.close();
  await worker.stop(); // writes the profiles
  await deleteQueues(server.workerQueueNames(queue));
  await store.dispose();
}
// The main thread's profile: thread id 0 in the name (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile).
const main = readdirSync(dir).find((name) => name.split('.')[4] === '0');
const profile = JSON.parse(readFileSync(join(dir, main), 'utf8'));
rmSync(dir, { recursive: true, force: true });
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
const frame = (node) => `${node.callFrame.functionName || '(anonymous)'} ${node.callFrame.url.replace(/^.*\/packages\//, '')}`;
const byGroup = new Map();
const byFunction = new Map();
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i + 1] ?? 0;
  const node = nodes.get(id);
  const callers = [];
  for (let up = parents.get(id); up !== undefined; up = parents.get(up)) callers.push(frame(nodes.get(up)));
  const group = GROUPS.find(([, test]) => test(node.callFrame.url, node.callFrame.functionName, callers))?.[0] ?? 'other';
  byGroup.set(group, (byGroup.get(group) ?? 0) + us);
  const name = `${frame(node)}:${node.callFrame.lineNumber + 1}`;
  if (group !== 'idle') byFunction.set(name, (byFunction.get(name) ?? 0) + us);
});
const measured = calls + 500;
const busy = [...byGroup]
  .filter(([group]) => group !== 'idle' && !group.startsWith('start-up'))
  .reduce((sum, [, us]) => sum + us, 0);
console.log(
  `${cli}: ${calls} calls at ${inFlight} in flight, ${perSecond.toFixed(0)} calls/s under the profiler, load average ${loadAtStart.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
);
console.log(`self time per call (µs, ${measured} calls with the warm-up), and share of the busy time:`);
for (const [group, us] of [...byGroup].sort((a, b) => b[1] - a[1])) {
  const share = group === 'idle' || group.startsWith('start-up') ? '' : `${((100 * us) / busy).toFixed(0)}%`;
  console.log(`${(us / measured).toFixed(0).padStart(6)} ${share.padStart(4)}  ${group}`);
}
console.log(`${(busy / measured).toFixed(0).padStart(6)}       busy in all (start-up and idle left out)`);
console.log('functions with the most self time (µs per call):');
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${(us / measured).toFixed(1).padStart(6)}  ${name}`);
}

/** A port nothing listens on right now, for the worker's HTTP API. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => done(free));
    });
  });
}
