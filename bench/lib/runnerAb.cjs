// Paired A/B of the action run path alone (ActionRunner.run of the no-op action, no broker, no store): two builds'
// runners in one process, load alternating between them in blocks (A then B, then B then A), so whatever else the
// shared machine does hits both alike. Per block and level: the p50 of one run's wall time and the process's CPU
// time per run (every thread of it: the worker's main thread and the sandboxes). Prints each side's median and the
// median of B over A, then one JSON line of the raw blocks.
//   node bench/lib/runnerAb.cjs <dist of A> <dist of B> [blocks] [runs per block]
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const [distA, distB, blocksArg = '10', runsArg = '2000'] = process.argv.slice(2);
if (!distA || !distB) {
  console.error('usage: node bench/lib/runnerAb.cjs <dist of A> <dist of B> [blocks] [runs per block]');
  process.exit(2);
}
const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const cpuUs = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

function side(name, dist) {
  dist = path.resolve(dist);
  const { ActionLoader } = require(path.join(dist, 'actions', 'ActionLoader.js'));
  const { ActionRunner } = require(path.join(dist, 'actions', 'ActionRunner.js'));
  const { loadIntegrationsConfig } = require(path.join(dist, 'config', 'loadIntegrationsConfig.js'));
  const { createLogger } = require(path.join(dist, 'logger.js'));
  const config = loadIntegrationsConfig({
    yamlPath: path.join(ROOT, 'bench', 'integrations.yaml'),
    integrationsDir: path.join(ROOT, 'bench', 'integrations'),
  });
  const integration = config.integrations.get('bench');
  const action = integration.actions.get('noop');
  const runner = new ActionRunner(new ActionLoader(), createLogger('info', { write() {} }), 16);
  const connection = {
    uuid: `${name}-connection`,
    integration: 'bench',
    userId: 'u1',
    credentials: { type: 'API_KEY', api_key: 'k', raw: { api_key: 'k' } },
    additionalConfig: {},
    dateCreated: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
  };
  return { name, runner, run: () => runner.run(integration, action, connection, {}) };
}

/** `total` runs with `inFlight` at once; the wall time of each, and the process's CPU per run. */
async function block(s, inFlight, total) {
  const latencies = [];
  let started = 0;
  const cpuBefore = cpuUs();
  const wallBefore = performance.now();
  const lane = async () => {
    while (started < total) {
      started++;
      const at = performance.now();
      await s.run();
      latencies.push(performance.now() - at);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  const wallMs = performance.now() - wallBefore;
  return { p50Ms: median(latencies), cpuUsPerRun: (cpuUs() - cpuBefore) / total, perSecond: (total * 1000) / wallMs };
}

async function main() {
  const sides = [side('A', distA), side('B', distB)];
  const runs = Number(runsArg);
  const levels = [1, 16, 64];
  for (const s of sides) for (const inFlight of levels) await block(s, inFlight, 1_000); // compile, JIT, pools
  const raw = [];
  for (let b = 0; b < Number(blocksArg); b++) {
    for (const inFlight of levels) {
      const result = {};
      for (const s of b % 2 === 0 ? sides : [...sides].reverse()) result[s.name] = await block(s, inFlight, runs);
      raw.push({ block: b, inFlight, ...result });
    }
  }
  for (const inFlight of levels) {
    const rows = raw.filter((r) => r.inFlight === inFlight);
    const of = (name, key) => median(rows.map((r) => r[name][key]));
    const ratio = (key) => median(rows.map((r) => r.B[key] / r.A[key]));
    const range = (key) => {
      const values = rows.map((r) => r.B[key] / r.A[key]);
      return `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
    };
    console.log(
      `no-op run @${inFlight}: A p50 ${of('A', 'p50Ms').toFixed(3)} ms, ${of('A', 'cpuUsPerRun').toFixed(1)} µs CPU/run, ` +
        `${of('A', 'perSecond').toFixed(0)} runs/s; B p50 ${of('B', 'p50Ms').toFixed(3)} ms, ` +
        `${of('B', 'cpuUsPerRun').toFixed(1)} µs CPU/run, ${of('B', 'perSecond').toFixed(0)} runs/s; ` +
        `B/A p50 ${ratio('p50Ms').toFixed(3)} (${range('p50Ms')}), CPU ${ratio('cpuUsPerRun').toFixed(3)} (${range('cpuUsPerRun')}), ` +
        `runs/s ${ratio('perSecond').toFixed(3)} (${range('perSecond')})`,
    );
  }
  console.log(JSON.stringify({ raw }));
  await Promise.all(sides.map((s) => s.runner.close()));
  process.exit(0);
}

void main();
