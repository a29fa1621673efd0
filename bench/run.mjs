#!/usr/bin/env node
// npm run bench [-- --quick] [-- --only rpc,connections,memory,startup,proxy,metadata]
// Measures the product against a bare amqplib RPC baseline measured in the same run; see docs/performance.md.
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { ROOT, workerNodeArgs } from './lib/processes.mjs';
import { connectionsScenario } from './scenarios/connections.mjs';
import { dashboardScenario } from './scenarios/dashboard.mjs';
import { httpActionsScenario } from './scenarios/httpActions.mjs';
import { logsCostScenario } from './scenarios/logsCost.mjs';
import { logsSearchScenario } from './scenarios/logsSearch.mjs';
import { memoryScenario } from './scenarios/memory.mjs';
import { metadataScenario } from './scenarios/metadata.mjs';
import { proxyScenario } from './scenarios/proxy.mjs';
import { recordsScenario } from './scenarios/records.mjs';
import { rpcScenario } from './scenarios/rpc.mjs';
import { startupScenario } from './scenarios/startup.mjs';
import { storesScenario } from './scenarios/stores.mjs';
import { buildReport } from './report.mjs';

const SCENARIOS = {
  rpc: rpcScenario,
  connections: connectionsScenario,
  memory: memoryScenario,
  startup: startupScenario,
  'http-actions': httpActionsScenario,
  proxy: proxyScenario,
  records: recordsScenario,
  metadata: metadataScenario,
  'logs-search': logsSearchScenario,
  'logs-cost': logsCostScenario,
  dashboard: dashboardScenario,
  stores: storesScenario,
};

const HELP = `npm run bench -- [options]

Benchmarks the worker and client against the local RabbitMQ (NANGO_BENCH_RABBITMQ_URL, default
amqp://guest:guest@127.0.0.1:5672), with a bare amqplib RPC measured in the same run as the baseline.
Needs a build (npm run build; npm ci does it).

Options (NANGO_BENCH_WORKER_CLI=path/to/cli.js runs another build of the worker, e.g. an older commit's dist):
  --quick            short pass (fewer and smaller runs; 100,000 instead of 1,000,000 stored Connections,
                     records and operations)
  --only a,b         run only these scenarios: ${Object.keys(SCENARIOS).join(', ')}
  --out DIR          where the JSON results go (default bench/results, ignored by git)
  --queue-type T     classic (default) or quorum, for the worker's queue and the baseline's alike
  --levels 1,64      rpc and proxy: only these numbers of calls in flight (default 1,16,64)
  --calls a,b        rpc: only these calls, of baseline, noop, http (default all three)
  --store S          sqlite (default) or postgres: the store of the rpc, connections, records, metadata, proxy, http-actions and logs scenarios
                     (PostgreSQL at NANGO_BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres,
                     a fresh database per scenario, dropped after); the stores scenario always runs both, paired
  --profile          write a CPU profile of every worker process to DIR/profiles (open in Chrome DevTools)
  --help             this text

Every figure is a median over several runs after a warm-up, with min and max.`;

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(HELP);
  process.exit(0);
}
const quick = args.includes('--quick');
const valueOf = (flag) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const only = valueOf('--only')?.split(',') ?? Object.keys(SCENARIOS);
const unknown = only.filter((name) => !SCENARIOS[name]);
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; choose from ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
const outDir = valueOf('--out') ?? join(ROOT, 'bench', 'results');
const queueType = valueOf('--queue-type') ?? 'classic';
if (queueType !== 'classic' && queueType !== 'quorum') {
  console.error(`--queue-type must be classic or quorum, got ${queueType}`);
  process.exit(2);
}
const levels = valueOf('--levels')?.split(',').map(Number);
const calls = valueOf('--calls')?.split(',');
const store = valueOf('--store') ?? 'sqlite';
if (store !== 'sqlite' && store !== 'postgres') {
  console.error(`--store must be sqlite or postgres, got ${store}`);
  process.exit(2);
}
if (args.includes('--profile')) workerNodeArgs.push('--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles')}`);

const started = Date.now();
// On a shared machine every figure is read beside the load average: it says how many others wanted the cores.
const loadAtStart = loadavg()[0];
const log = (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const results = {};
for (const name of only) {
  log(`${name}: starting`);
  results[name] = await SCENARIOS[name]({ quick, log, queueType, store, ...(levels && { levels }), ...(calls && { calls }) });
}

const environment = {
  date: new Date().toISOString(),
  commit: safe(() => execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim()),
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  rabbitmq: safe(() =>
    execSync('rabbitmqctl version', { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim(),
  ),
  mode: quick ? 'quick' : 'full',
  queueType,
  store,
  durationS: Math.round((Date.now() - started) / 1000),
  loadAverage: { start: loadAtStart, end: loadavg()[0] },
};
const report = buildReport(results, environment);
console.log(report.text);
mkdirSync(outDir, { recursive: true });
const file = join(outDir, `${environment.date.replace(/[:.]/g, '-')}-${store}${quick ? '-quick' : ''}.json`);
writeFileSync(file, `${JSON.stringify({ environment, results, rows: report.rows, budgets: report.budgets }, null, 2)}\n`);
log(`results written to ${file}`);

function safe(read) {
  try {
    return read();
  } catch {
    return 'unknown';
  }
}
