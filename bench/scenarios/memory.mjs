// Worker RSS across many action runs: sampled after a warm-up and then every tenth of the runs. Memory that
// grows with the number of runs shows as a slope between the second half's samples.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nango } from '@nangohq/node-client';
import { runLoad } from '../lib/load.mjs';
import { deleteQueues, RABBITMQ_URL, ROOT, rssMiB, startWorker } from '../lib/processes.mjs';
import server from '@nangohq/server';

export async function memoryScenario({ quick, log }) {
  const runs = quick ? 10_000 : 100_000;
  const dir = mkdtempSync(join(tmpdir(), 'nango-bench-'));
  const queue = `bench.memory.${randomUUID()}`;
  const worker = await startWorker({
    NANGO_QUEUE: queue,
    NANGO_DB_PATH: join(dir, 'bench.sqlite'),
    NANGO_INTEGRATIONS_YAML: join(ROOT, 'bench', 'integrations.yaml'),
    NANGO_INTEGRATIONS_DIR: join(ROOT, 'bench', 'integrations'),
  });
  const nango = new Nango({ url: RABBITMQ_URL, queue });
  try {
    await nango.connect();
    await nango.registerConnection('bench', 'u1', { api_key: 'k' });
    const call = () => nango.triggerAction('bench', 'noop', 'u1', {});
    await runLoad(call, { total: 2_000, inFlight: 64 }); // compile, JIT and pools settle first
    const samples = [{ runs: 0, rssMiB: rssMiB(worker.child.pid) }];
    for (let tenth = 1; tenth <= 10; tenth++) {
      await runLoad(call, { total: runs / 10, inFlight: 64 });
      samples.push({ runs: (tenth * runs) / 10, rssMiB: rssMiB(worker.child.pid) });
      log(`memory: ${samples.at(-1).runs.toLocaleString('en')} runs, worker RSS ${samples.at(-1).rssMiB.toFixed(1)} MiB`);
    }
    const half = samples[5].rssMiB;
    const end = samples[10].rssMiB;
    return { runs, samples, beforeMiB: samples[0].rssMiB, afterMiB: end, secondHalfGrowthMiB: end - half };
  } finally {
    await nango.close();
    await worker.stop();
    await deleteQueues(server.workerQueueNames(queue));
    rmSync(dir, { recursive: true, force: true });
  }
}
