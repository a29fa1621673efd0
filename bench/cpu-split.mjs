#!/usr/bin/env node
// CPU per call by party, the figure that says where a call's cost goes: the broker (its beam.smp process), the client
// (this process) and the responder, for the bare amqplib RPC (bench/baseline-responder.mjs) and a no-op
// triggerAction of the worker, at one number of calls in flight. The worker's CPU is split by thread: its main
// thread, then the others by their share (the sandboxes, the operations log's writer, V8's helper threads).
// CPU time per call moves far less with the machine's load than calls/s, but the broker's is only its own when
// nothing else uses the broker; at one call in flight it includes the cost of waking idle cores.
//   node bench/cpu-split.mjs [calls=20000] [inFlight=64] [--worker-only] [--store sqlite|postgres]
// With BENCH_PROFILE_DIR=dir the worker writes a CPU profile there (--cpu-prof) of the warm-up and the measured calls.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import server from '@nangohq/server';
import { connectBareClient } from './lib/bareClient.mjs';
import { benchStore } from './lib/benchStore.mjs';
import { runLoad } from './lib/load.mjs';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startProcess, startWorker, workerNodeArgs } from './lib/processes.mjs';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(
    'node bench/cpu-split.mjs [calls=20000] [inFlight=64] [--worker-only] [--store sqlite|postgres]  (BENCH_PROFILE_DIR=dir: profile the worker)',
  );
  process.exit(0);
}
const [CALLS = 20_000, IN_FLIGHT = 64] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--store').map(Number);
const workerOnly = args.includes('--worker-only');
if (process.env.BENCH_PROFILE_DIR) workerNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`);

/** CPU ms of each thread of a process, by thread id. */
function threadsMs(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(tid, cpuMs(pid, `/proc/${pid}/task/${tid}/stat`));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}
const brokerPid = Number(execFileSync('pgrep', ['-o', 'beam.smp']).toString().trim());

async function measure(call, name, pid) {
  await runLoad(call, { total: Math.min(3_000, CALLS), inFlight: IN_FLIGHT }); // warm-up
  const before = { broker: cpuMs(brokerPid), client: cpuMs(process.pid), server: cpuMs(pid), threads: threadsMs(pid) };
  const { perSecond, p50 } = await runLoad(call, { total: CALLS, inFlight: IN_FLIGHT });
  const per = (ms) => ((ms * 1000) / CALLS).toFixed(1);
  console.log(
    `${name} @${IN_FLIGHT}: ${perSecond.toFixed(0)} calls/s, p50 ${p50.toFixed(3)} ms; CPU per call, µs: ` +
      `broker ${per(cpuMs(brokerPid) - before.broker)}, client ${per(cpuMs(process.pid) - before.client)}, ` +
      `responder ${per(cpuMs(pid) - before.server)}`,
  );
  const threads = [...threadsMs(pid)]
    .map(([tid, ms]) => [tid === String(pid) ? 'main' : `thread ${tid}`, ms - (before.threads.get(tid) ?? 0)])
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]);
  if (threads.length > 1) console.log('  by thread: ' + threads.map(([t, ms]) => `${t} ${per(ms)}`).join(', '));
}

const queue = `bench.split.${randomUUID()}`;
if (!workerOnly) {
  const responder = await startProcess(join(ROOT, 'bench', 'baseline-responder.mjs'), {
    env: { BENCH_URL: RABBITMQ_URL, BENCH_QUEUE: `${queue}.bare`, BENCH_PREFETCH: '32' },
    readyText: 'baseline responder ready',
  });
  const bare = await connectBareClient(RABBITMQ_URL, `${queue}.bare`);
  await measure(() => bare.call(), 'bare RPC', responder.child.pid);
  await bare.close();
  await responder.stop();
}
const store = await benchStore(args.includes('--store') ? args[args.indexOf('--store') + 1] : 'sqlite');
const worker = await startWorker({
  NANGO_QUEUE: queue,
  NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
  NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
  ...store.env,
});
// Whatever happens (a closed pipe, a failed call), the worker stops and every queue it declared goes.
const cleanUp = async () => {
  await worker.stop();
  await store.dispose();
  await deleteQueues([...server.workerQueueNames(queue), `${queue}.bare`]);
};
process.once('SIGPIPE', () => void cleanUp().finally(() => process.exit(1)));
try {
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  await nango.connect();
  await nango.registerConnection('bench', 'u1', { api_key: 'bench-key' });
  await measure(() => nango.triggerAction('bench', 'noop', 'u1', {}), 'no-op triggerAction', worker.child.pid);
  await nango.close();
} finally {
  await cleanUp();
}
