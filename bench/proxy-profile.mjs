#!/usr/bin/env node
// Where a proxy call's CPU goes in the worker: one worker under `node --cpu-prof`, a local instant provider behind it,
// a warm-up, then `calls` proxy calls at 64 in flight; the profile's samples within that stretch are summed by step
// (bench/lib/profileSteps.mjs) and by function, in µs per call. Samples are wall time, `(idle)` left out.
//   node bench/proxy-profile.mjs [cli.js] [calls] [sqlite|postgres]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { Agent, request } from 'undici';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, startWorker, workerNodeArgs } from './lib/processes.mjs';
import { summariseProfile } from './lib/profileSteps.mjs';
import { freePort, startProvider } from './scenarios/proxy.mjs';

const [cli = join(ROOT, 'packages', 'server', 'dist', 'cli.js'), callsArg = '20000', kind = 'sqlite'] = process.argv.slice(2);
const calls = Number(callsArg);
const dir = mkdtempSync(join(tmpdir(), 'nango-bench-proxy-profile-'));
const profiles = join(dir, 'profiles');
workerNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${profiles}`);
const provider = await startProvider();
const agent = new Agent({ connections: 128, pipelining: 1 });
const yaml = join(dir, 'integrations.yaml');
writeFileSync(
  yaml,
  `integrations:\n  api:\n    auth_mode: API_KEY\n    base_url: ${provider.url}\n    headers:\n      X-Api-Key: \${api_key}\n`,
);
const queue = `bench.proxy-profile.${randomUUID()}`;
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
await runLoad(call, { total: 3_000, inFlight: 64 });
const load = loadavg()[0];
const fromUs = Number(process.hrtime.bigint() / 1000n);
const run = await runLoad(call, { total: calls, inFlight: 64 });
const toUs = Number(process.hrtime.bigint() / 1000n);
await nango.close();
await worker.stop();
// One profile per thread, named CPU.<date>.<time>.<pid>.<thread id>.<seq>: thread 0 is the main thread.
const files = readdirSync(profiles).filter((name) => name.endsWith('.cpuprofile'));
const main = files.find((name) => name.split('.')[4] === '0');
if (!main) throw new Error(`the worker wrote no main-thread profile in ${profiles}`);
console.log(
  `${calls} /proxy calls @64, ${kind}, load average ${load.toFixed(1)}: ${run.perSecond.toFixed(0)} calls/s ` +
    '(profile samples are wall time, idle left out)',
);
for (const other of files.filter((name) => name !== main)) {
  const busy = summariseProfile(join(profiles, other), calls, { fromUs, toUs }).busyUsPerCall;
  console.log(`  worker thread ${other.split('.')[4]}: busy ${busy.toFixed(1)} µs per call`);
}
const file = main;
const summary = summariseProfile(join(profiles, file), calls, { fromUs, toUs });
console.log(`  main thread: busy ${summary.busyUsPerCall.toFixed(0)} µs per call`);
console.log('\nby step (innermost frame of ours or a library, node internals charged to their caller):');
for (const { step, usPerCall, share } of summary.steps)
  console.log(`  ${usPerCall.toFixed(1).padStart(7)} µs  ${(share * 100).toFixed(1).padStart(5)}%  ${step}`);
console.log('\nby function, self time:');
for (const { where, usPerCall, share } of summary.topSelf)
  console.log(`  ${usPerCall.toFixed(1).padStart(7)} µs  ${(share * 100).toFixed(1).padStart(5)}%  ${where}`);
console.log('\nby function, inclusive:');
for (const { where, usPerCall, share } of summary.topInclusive)
  console.log(`  ${usPerCall.toFixed(1).padStart(7)} µs  ${(share * 100).toFixed(1).padStart(5)}%  ${where}`);
if (process.env.KEEP_PROFILE) console.log(`\nprofile kept: ${join(profiles, file)}`);
await store.dispose();
await deleteQueues(server.workerQueueNames(queue));
if (!process.env.KEEP_PROFILE) rmSync(dir, { recursive: true, force: true });
await agent.close();
await provider.close();
