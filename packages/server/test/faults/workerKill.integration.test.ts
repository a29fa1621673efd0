import { NangoError } from '@nangohq/node-client';
import { waitFor } from '../helpers/harness';
import { FaultRig, HIT_TIMEOUT_MS, reportFigures, RIG_STORES, settle, tally, type WorkerProcess } from './faultHarness';

// Worker A is SIGKILLed while it holds a full prefetch of `hit` runs, each one past its side effect and before
// its reply. Worker B, on the same queue and database, gets A's unacknowledged requests back from the broker.
// Half the calls carry an idempotency key: their side effect must happen exactly once. Without a key, delivery is
// at least once, so A's unfinished runs may be repeated by B.
const CALLS = 32;
const PREFETCH = 8;
const HOLD_MS = 2_000; // after the side effect: long enough for the kill to land before any reply
// A keyed run that A started holds its idempotency lease for the action's limit plus the worker's 10 s margin;
// B answers it once the lease has run out, so callers must wait longer than that.
const REQUEST_TIMEOUT_MS = HIT_TIMEOUT_MS + 10_000 + 12_000;

describe.each(RIG_STORES)('fault: a worker killed with SIGKILL while it runs actions, on %s', (store) => {
  let rig: FaultRig;

  beforeEach(async () => {
    rig = await FaultRig.start({ store });
  });

  afterEach(async () => {
    await rig.close();
  });

  it('lets a second worker answer every call, and runs each keyed call exactly once', async () => {
    const env = { NANGO_PREFETCH: String(PREFETCH), NANGO_MAX_CONCURRENT_ACTIONS: String(PREFETCH) };
    const [a, b] = (await Promise.all([rig.startWorker(env), rig.startWorker(env)])) as [WorkerProcess, WorkerProcess];
    const nango = await rig.client({ requestTimeoutMs: REQUEST_TIMEOUT_MS });
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });

    // Pairs, not alternate calls: the broker deals requests to A and B in turn, and A's share must hold both kinds.
    const keyed = (i: number) => Math.floor(i / 2) % 2 === 0;
    const calls = Array.from({ length: CALLS }, (_, i) =>
      settle(() =>
        nango.triggerAction(
          'fault',
          'hit',
          'u1',
          { id: `kill-${i}`, holdMs: HOLD_MS },
          keyed(i) ? { idempotencyKey: `key-${i}` } : {},
        ),
      ),
    );

    await waitFor(() => rig.hitsFrom(a.pid).length >= PREFETCH, 10_000, 'worker A to run a full prefetch');
    expect(await a.stop('SIGKILL')).toBeNull();
    const cutShort = new Set(rig.hitsFrom(a.pid)); // side effect done, reply never sent
    expect(cutShort.size).toBe(PREFETCH);
    const cutShortKinds = new Set([...cutShort].map((id) => keyed(Number(id.slice('kill-'.length)))));
    expect(cutShortKinds).toEqual(new Set([true, false])); // A held calls with and without a key

    const outcomes = await Promise.all(calls);
    const repeatedWithoutKey = outcomes.filter((_, i) => !keyed(i) && rig.hits(`kill-${i}`) > 1).length;
    reportFigures('sigkill', {
      store,
      calls: CALLS,
      cutShort: cutShort.size,
      outcomes: tally(outcomes),
      repeatedWithoutKey,
    });
    expect(b.running).toBe(true);
    const problems: string[] = [];
    outcomes.forEach((o, i) => {
      const id = `kill-${i}`;
      const where = `call ${i} (${keyed(i) ? 'keyed' : 'no key'}${cutShort.has(id) ? ', cut short on A' : ''})`;
      if (o.ms > REQUEST_TIMEOUT_MS + 1_000) problems.push(`${where}: settled after ${o.ms} ms`);
      if (o.ok && (o.value?.returnValue as { id?: string } | undefined)?.id !== id) problems.push(`${where}: wrong result`);
      // A keyed run cut short after its side effect cannot be finished by anyone: the worker says so with
      // action_outcome_unknown (README, error codes) rather than run it again. Any other error must be retryable.
      const error = o.error;
      const allowed =
        error instanceof NangoError &&
        (error.retryable || (keyed(i) && cutShort.has(id) && error.code === 'action_outcome_unknown'));
      if (!o.ok && !allowed) problems.push(`${where}: ${String(error)} (${String((error as NangoError).code)})`);
      const sideEffects = rig.hits(id);
      if (keyed(i) && sideEffects !== 1) problems.push(`${where}: side effect ran ${sideEffects} times`);
      if (!keyed(i) && o.ok && sideEffects < 1) problems.push(`${where}: succeeded without its side effect`);
    });
    expect(problems).toEqual([]);
  }, 60_000);
});
