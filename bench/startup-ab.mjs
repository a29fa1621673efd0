#!/usr/bin/env node
// Paired A/B of two builds' start-up with 50 integrations and 200 actions (the startup scenario's config): rounds
// alternate A then B, B then A, so that whatever else the machine does hits both alike. Per side: wall time to the
// ready line, the process's CPU time (user + system, all threads, /proc ticks of 10 ms) at that line, and how many
// CommonJS modules it had loaded (bench/lib/moduleCount.cjs).
//   node bench/startup-ab.mjs <cli.js of A> <cli.js of B> [rounds] [folder to write each side's module list in]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import server from '@nangohq/server';
import { cpuMs, deleteQueues, RABBITMQ_URL, ROOT, startProcess } from './lib/processes.mjs';
import { writeIntegrations } from './scenarios/startup.mjs';

const [cliA, cliB, roundsArg = '10', listDir] = process.argv.slice(2);
if (!cliA || !cliB) {
  console.error('usage: node bench/startup-ab.mjs <cli.js of A> <cli.js of B> [rounds] [folder for module lists]');
  process.exit(2);
}
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

/** Starts one build, reads its CPU at the ready line and its module count, and stops it. */
async function startOnce(name, cli, dir, yamlPath, round) {
  const queue = `bench.startup-ab.${name}.${randomUUID()}`;
  const worker = await startProcess(cli, {
    env: {
      NANGO_RABBITMQ_URL: RABBITMQ_URL,
      NANGO_WATCH: 'false',
      NODE_ENV: 'production',
      NANGO_PORT: '0',
      NANGO_QUEUE: queue,
      NANGO_DB_PATH: join(dir, `${name}${round}.sqlite`),
      NANGO_INTEGRATIONS_YAML: yamlPath,
      NANGO_INTEGRATIONS_DIR: join(dir, 'integrations'),
      ...(listDir && { NANGO_BENCH_MODULES_FILE: join(listDir, `${name}.modules.txt`) }),
    },
    readyText: 'nango worker ready',
    args: ['--require', join(ROOT, 'bench', 'lib', 'moduleCount.cjs')],
  });
  const cpu = cpuMs(worker.child.pid);
  const modules = await new Promise((resolve) => {
    const onData = (chunk) => {
      const match = /nango-bench-modules (\d+)/.exec(chunk.toString());
      if (match) {
        worker.child.stderr.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    worker.child.stderr.on('data', onData);
    worker.child.kill('SIGUSR2');
  });
  await worker.stop();
  await deleteQueues(server.workerQueueNames(queue));
  return { readyMs: worker.readyMs, cpuMs: cpu, modules };
}

const dir = mkdtempSync(join(tmpdir(), 'nango-bench-startup-ab-'));
const yamlPath = writeIntegrations(dir);
const sides = [
  { name: 'A', cli: cliA, runs: [] },
  { name: 'B', cli: cliB, runs: [] },
];
try {
  for (let round = 0; round < Number(roundsArg); round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      side.runs.push(await startOnce(side.name, side.cli, dir, yamlPath, round));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const [a, b] = sides;
const figure = (key, digits = 0) => {
  const ratios = a.runs.map((run, i) => b.runs[i][key] / run[key]);
  const list = (side) => side.runs.map((run) => run[key].toFixed(digits)).join(' ');
  return (
    `${key}: A ${median(a.runs.map((run) => run[key])).toFixed(digits)} (${list(a)}), ` +
    `B ${median(b.runs.map((run) => run[key])).toFixed(digits)} (${list(b)}); ` +
    `B/A ${median(ratios).toFixed(2)} (range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`
  );
};
console.log(`start to ready, 50 integrations / 200 actions, ${roundsArg} rounds each`);
for (const key of ['readyMs', 'cpuMs', 'modules']) console.log(figure(key));
