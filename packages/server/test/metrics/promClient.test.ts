import * as entry from 'prom-client';
import * as ours from '../../src/metrics/promClient';

// Our imports of prom-client's own modules (kept off its entry point at start, see the module) must be what its
// entry point exports: an upgrade that moved a file or a class fails here.
test.each(['Counter', 'Gauge', 'Histogram', 'Registry'] as const)('%s is the entry point’s class', (name) => {
  expect(ours[name]).toBe(entry[name]);
});

test('collectDefaultMetrics registers the default metrics', async () => {
  const registry = new ours.Registry();
  ours.collectDefaultMetrics({ register: registry });
  expect(await registry.metrics()).toContain('process_cpu_seconds_total');
});
