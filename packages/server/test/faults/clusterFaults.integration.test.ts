import { runClusterFaults, type RunResult } from './cluster/runClusterFaults';
import { reportFigures } from './faultHarness';

// The reduced form of the cluster fault harness (`npm run faults:cluster` runs all six faults): a three-node RabbitMQ
// cluster, PostgreSQL, two API processes and three workers, all of the test's own, under the mixed load (RPC and
// HTTP actions with and without keys, async actions, proxy calls, registrations with their webhooks, the sync), and
// two faults that pass reliably on a loaded 2-core machine: SIGKILL of a worker, then of an API process. The broker
// node stop, partition, PostgreSQL restart and rolling restart stay in the full harness (docs/reliability.md says
// why). It needs RabbitMQ's and PostgreSQL's scripts, as the other private-broker and database-restart tests.
describe('fault harness: a cluster under mixed load loses a worker, then an API process', () => {
  let result: RunResult;

  beforeAll(async () => {
    result = await runClusterFaults({
      faults: ['worker-kill', 'api-kill'],
      baselineMs: 4_000,
      settleMs: 4_000,
      issues: 150,
      log: () => undefined,
    });
    for (const row of result.figures) reportFigures(`cluster ${row.fault}`, { ...row, loadAverage: result.context.loadAverage });
  }, 240_000);

  it('loses no call, runs no keyed call twice, hangs no caller, and loses no record or webhook', () => {
    expect(result.figures.map((row) => row.fault)).toEqual(['worker-kill', 'api-kill']);
    for (const row of result.figures) {
      expect({ fault: row.fault, lost: row.lostExamples }).toEqual({ fault: row.fault, lost: [] });
      expect(row).toMatchObject({ lost: 0, keyedRunTwice: 0, hung: 0, webhooksLost: 0, recordsLost: 0, recordsDuplicated: 0 });
      expect(row.calls).toBeGreaterThan(50);
      expect(row.succeeded).toBeGreaterThan(row.calls / 2);
      // Every failure was one a caller is told to retry.
      expect(row.succeeded + row.failedRetryably).toBe(row.calls);
    }
    // Killing the API process refused the HTTP calls sent to it (the load balancer's job), and only those.
    const apiKill = result.figures[1]!;
    const failures = Object.keys(apiKill.outcomes).filter((key) => key !== 'ok');
    expect(failures.every((key) => key.includes('via api-1'))).toBe(true);
  });
});
