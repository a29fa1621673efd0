#!/usr/bin/env node
// Per-call cost of the deployed syncs overlay on IntegrationRegistry.snapshot() (what `context.integrations()` returns
// on every request, run and tick), in process, interleaved blocks: no overlay, an overlay with nothing deployed, and an
// overlay holding deployed syncs (its memoized snapshot). Runs on the build: node bench/snapshotOverlay.cjs
const { IntegrationRegistry } = require('../packages/server/dist/integrations/IntegrationRegistry');
const { DeployedSyncs } = require('../packages/server/dist/syncs/DeployedSyncs');
const { parseIntegrationsConfig } = require('../packages/server/dist/config/loadIntegrationsConfig');
(async () => {
  const config = parseIntegrationsConfig(
    'integrations:\n  desk:\n    auth_mode: API_KEY\n    base_url: http://127.0.0.1:9\n    headers:\n      X-Api-Key: ${api_key}\n',
    { sourceName: 'bench', integrationsDir: __dirname },
  );
  const loader = { provide() {}, forgetUnder() {} };
  const sync = (name) => ({
    integration: 'desk',
    name,
    type: 'sync',
    version: '1',
    js: 'module.exports = {}',
    models: ['M'],
    modelSchemas: { M: { type: 'object' } },
    runs: 'every hour',
    autoStart: true,
  });
  const deployments = (functions) => ({
    activeVersion: async () => (functions.length ? 1 : 0),
    get: async () => ({ functions }),
  });
  const empty = new DeployedSyncs(deployments([]), loader);
  const full = new DeployedSyncs(deployments([sync('a'), sync('b'), sync('c')]), loader);
  await empty.refresh();
  await full.refresh();
  const registries = {
    none: new IntegrationRegistry(() => config, null, new Map(), __dirname),
    empty: new IntegrationRegistry(() => config, null, new Map(), __dirname, empty),
    deployed: new IntegrationRegistry(() => config, null, new Map(), __dirname, full),
  };
  if (registries.deployed.snapshot().integrations.get('desk').syncs.size !== 3) throw new Error('overlay not applied');
  const N = 2_000_000;
  const res = { none: [], empty: [], deployed: [] };
  let sink = 0;
  for (let b = 0; b < 8; b++) {
    const order = b % 2 ? ['none', 'empty', 'deployed'] : ['deployed', 'empty', 'none'];
    for (const name of order) {
      const registry = registries[name];
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < N; i++) sink += registry.snapshot().integrations.size;
      res[name].push(Number(process.hrtime.bigint() - t0) / N);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, xs] of Object.entries(res))
    console.log(`${name.padEnd(9)} ${median(xs).toFixed(1)} ns per snapshot() (median of ${xs.length} blocks)`);
  if (sink === 0) console.log('');
})();
