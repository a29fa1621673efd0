// The worker-side cost of one no-op action run, without the broker: ActionRunner.run from a given build's dist,
// 3,000 runs one at a time after a warm-up. Prints one JSON line { p50Ms, p90Ms }.
//   node bench/lib/runnerCost.cjs path/to/packages/server/dist
const path = require('node:path');

const dist = path.resolve(process.argv[2]);
const ROOT = path.join(__dirname, '..', '..');
const { ActionLoader } = require(path.join(dist, 'actions', 'ActionLoader.js'));
const { ActionRunner } = require(path.join(dist, 'actions', 'ActionRunner.js'));
const { loadIntegrationsConfig } = require(path.join(dist, 'config', 'loadIntegrationsConfig.js'));
const { createLogger } = require(path.join(dist, 'logger.js'));

async function main() {
  const config = loadIntegrationsConfig({
    yamlPath: path.join(ROOT, 'bench', 'integrations.yaml'),
    integrationsDir: path.join(ROOT, 'bench', 'integrations'),
  });
  const integration = config.integrations.get('bench');
  const action = integration.actions.get('noop');
  const runner = new ActionRunner(new ActionLoader(), createLogger('info', { write() {} }), 16);
  const connection = {
    uuid: 'u',
    integration: 'bench',
    userId: 'u1',
    credentials: { api_key: 'k', raw: { api_key: 'k' } },
    additionalConfig: {},
    dateCreated: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
  };
  for (let i = 0; i < 500; i++) await runner.run(integration, action, connection, {});
  const latencies = [];
  for (let i = 0; i < 3000; i++) {
    const started = performance.now();
    await runner.run(integration, action, connection, {});
    latencies.push(performance.now() - started);
    if (i % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 1)); // idle gaps, as between calls
  }
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({ p50Ms: latencies[1500], p90Ms: latencies[2700] }));
  await runner.close?.();
  process.exit(0);
}

void main();
