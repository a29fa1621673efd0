#!/usr/bin/env node
// Wall time of each start step (modules loaded, broker connections, HTTP API, metrics listener) of one or more builds
// on the startup scenario's config, rounds interleaved; per build and step, the median duration in ms
// (bench/lib/startPhases.cjs marks them).
//   node bench/startup-phases.mjs <rounds> <cli.js of A> [<cli.js of B> ...]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import server from '@nangohq/server';
import { deleteQueues, RABBITMQ_URL, ROOT, startProcess } from './lib/processes.mjs';
import { writeIntegrations } from './scenarios/startup.mjs';

const [roundsArg, ...clis] = process.argv.slice(2);
if (!roundsArg || clis.length === 0) {
  console.error('usage: node bench/startup-phases.mjs <rounds> <cli.js of A> [<cli.js of B> ...]');
  process.exit(2);
}
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'nango-bench-phases-'));
const yamlPath = writeIntegrations(dir);
const steps = clis.map(() => new Map());
try {
  for (let round = 0; round < Number(roundsArg); round++) {
    const order = clis.map((_, i) => i);
    for (const i of round % 2 === 0 ? order : order.reverse()) {
      const queue = `bench.phases.${randomUUID()}`;
      const file = join(dir, `phases-${i}-${round}.txt`);
      const worker = await startProcess(clis[i], {
        env: {
          NANGO_RABBITMQ_URL: RABBITMQ_URL,
          NANGO_WATCH: 'false',
          NODE_ENV: 'production',
          NANGO_PORT: '0',
          NANGO_QUEUE: queue,
          NANGO_DB_PATH: join(dir, `db-${i}-${round}.sqlite`),
          NANGO_INTEGRATIONS_YAML: yamlPath,
          NANGO_INTEGRATIONS_DIR: join(dir, 'integrations'),
          NANGO_BENCH_PHASES_FILE: file,
        },
        readyText: 'nango worker ready',
        args: ['--require', join(ROOT, 'bench', 'lib', 'startPhases.cjs')],
      });
      await worker.stop();
      await deleteQueues(server.workerQueueNames(queue));
      const record = (name, ms) => steps[i].set(name, [...(steps[i].get(name) ?? []), ms]);
      record('ready', worker.readyMs);
      for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
        const [name, start, end] = line.split(' ');
        record(name, name === 'loaded' ? Number(start) : Number(end) - Number(start));
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`start steps, ${roundsArg} rounds, median ms (loaded: when Worker.start was called; others: durations)`);
clis.forEach((cli, i) => {
  const line = [...steps[i]].map(([name, values]) => `${name} ${median(values).toFixed(0)}`).join(', ');
  console.log(`${String.fromCharCode(65 + i)} ${cli}: ${line}`);
});
