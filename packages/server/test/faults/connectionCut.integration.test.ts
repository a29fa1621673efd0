import { NangoError } from '@nangohq/node-client';
import { waitFor } from '../helpers/harness';
import { startPrivateBroker, type PrivateBroker } from '../../../../test/privateBroker';
import { connectionNames, FaultRig, reportFigures, runLoad, sleep, tally } from './faultHarness';

// The broker closes every connection of the client and the worker, three times, while 16 calls are in flight.
// Neither side is told to reconnect: both must come back by themselves. Calls caught by a cut may fail, but only
// with an error that says they may be retried, and none may wait past its timeout. The rig runs on a RabbitMQ
// node of its own, so `close_all_connections` cuts this test's connections and nobody else's.
const CUTS = 3;
const IN_FLIGHT = 16;
const REQUEST_TIMEOUT_MS = 5_000;
const SETTLE_MARGIN_MS = 1_000;
const RECONNECT_WITHIN_MS = 15_000;

describe('fault: every broker connection cut under load', () => {
  let broker: PrivateBroker | undefined;
  let rig: FaultRig | undefined;

  beforeAll(async () => {
    broker = await startPrivateBroker();
  }, 120_000);

  beforeEach(async () => {
    rig = await FaultRig.start({ broker: broker! });
  });

  afterEach(async () => {
    await rig?.close();
  });

  afterAll(async () => {
    await broker?.stop();
  }, 60_000);

  it(`recovers client and worker from ${CUTS} cuts by themselves; no call hangs; calls after recovery succeed`, async () => {
    if (!broker || !rig) throw new Error('beforeAll did not finish');
    const node = broker;
    const worker = await rig.startWorker();
    const nango = await rig.client({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });
    const allConnected = async () => {
      const names = await connectionNames(node);
      // The worker's own nine (replies, requests, async actions, syncs, on-event runs, provider webhooks, and its HTTP
      // API's async action publisher, on-event publisher and flow-result relay), and the node client its HTTP API
      // sends actions through.
      const worker = names.filter((name) => name.startsWith('nango-worker')).length === 9;
      const api = names.some((name) => name.startsWith('nango-server') && name.endsWith('http actions'));
      return names.includes('nango-node-client') && worker && api;
    };

    let loadDone = false;
    const load = runLoad({
      inFlight: IN_FLIGHT,
      maxCalls: 50_000,
      done: () => loadDone,
      call: (n) => nango.triggerAction('fault', 'echo', 'u1', { n }),
    });
    try {
      for (let cut = 1; cut <= CUTS; cut++) {
        await sleep(1_000);
        await waitFor(allConnected, RECONNECT_WITHIN_MS, `the client and the worker to be connected before cut ${cut}`);
        await node.ctl(['close_all_connections', 'fault test']);
      }
      await waitFor(allConnected, RECONNECT_WITHIN_MS, `the client and the worker to reconnect after cut ${CUTS}`);
      await sleep(500);
    } finally {
      loadDone = true;
    }
    const outcomes = await load;

    const slowestMs = Math.max(...outcomes.map((o) => o.ms));
    reportFigures('connection cut', { cuts: CUTS, calls: outcomes.length, outcomes: tally(outcomes), slowestMs });
    expect(worker.running).toBe(true);
    const hung = outcomes.filter((o) => o.ms > REQUEST_TIMEOUT_MS + SETTLE_MARGIN_MS).map((o) => `${o.ms} ms`);
    expect(hung).toEqual([]);
    const notRetryable = outcomes.flatMap((o) =>
      o.ok || (o.error instanceof NangoError && o.error.retryable) ? [] : [String(o.error)],
    );
    expect(notRetryable).toEqual([]);
    outcomes.forEach((o, n) => {
      if (o.ok) expect(o.value?.returnValue).toEqual({ n });
    });
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(0);

    const after = await Promise.allSettled(
      Array.from({ length: 64 }, (_, n) => nango.triggerAction('fault', 'echo', 'u1', { after: n })),
    );
    expect(after.filter((result) => result.status === 'rejected')).toEqual([]);
  }, 90_000);
});
