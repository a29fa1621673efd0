import { FaultRig, reportFigures, runLoad, sleep, tally, type WorkerProcess } from './faultHarness';

// Worker A gets SIGTERM while it and worker B share a steady load. A must stop taking requests, finish and
// answer those it holds within its grace period, and exit 0; B takes the rest. No call may go unanswered, and a
// graceful stop must not run anything twice.
const IN_FLIGHT = 16;
const HOLD_MS = 150;
const LOAD_BEFORE_MS = 1_000;
const LOAD_AFTER_MS = 1_500;
const GRACE_MS = 5_000;

describe('fault: SIGTERM to a worker under load', () => {
  let rig: FaultRig;

  beforeEach(async () => {
    rig = await FaultRig.start();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('answers every call, each run once, and the stopped worker exits 0 within its grace period', async () => {
    const env = { NANGO_SHUTDOWN_GRACE_MS: String(GRACE_MS) };
    const [a] = (await Promise.all([rig.startWorker(env), rig.startWorker(env)])) as [WorkerProcess, WorkerProcess];
    const nango = await rig.client({ requestTimeoutMs: 10_000 });
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });

    let stopLoadAt = Infinity;
    const load = runLoad({
      inFlight: IN_FLIGHT,
      maxCalls: 2_000,
      done: () => Date.now() >= stopLoadAt,
      call: (n) => nango.triggerAction('fault', 'hit', 'u1', { id: `term-${n}`, holdMs: HOLD_MS }),
    });
    await sleep(LOAD_BEFORE_MS);
    const sigtermAt = Date.now();
    const exited = a.stop('SIGTERM').then((code) => ({ code, afterMs: Date.now() - sigtermAt }));
    stopLoadAt = sigtermAt + LOAD_AFTER_MS;
    const outcomes = await load;

    const { code, afterMs } = await exited;
    const inFlightOnA = outcomes.filter(
      (o) =>
        (o.value?.returnValue as { pid?: number } | undefined)?.pid === a.pid &&
        o.startedAt < sigtermAt &&
        o.startedAt + o.ms > sigtermAt,
    ).length;
    const repeated = outcomes.filter((_, n) => rig.hits(`term-${n}`) > 1).length;
    reportFigures('sigterm', {
      calls: outcomes.length,
      outcomes: tally(outcomes),
      inFlightOnA,
      repeated,
      exitCode: code,
      exitMs: afterMs,
    });
    expect(code).toBe(0);
    expect(afterMs).toBeLessThan(GRACE_MS + 2_000);
    expect(a.output()).toContain('nango worker stopped');
    const unanswered = outcomes.flatMap((o, n) => (o.ok ? [] : [`term-${n}: ${String(o.error)}`]));
    expect(unanswered).toEqual([]);
    outcomes.forEach((o, n) => expect(o.value?.returnValue).toEqual({ id: `term-${n}`, pid: expect.any(Number) }));
    const notOnce = outcomes.flatMap((_, n) =>
      rig.hits(`term-${n}`) === 1 ? [] : [`term-${n} ran ${rig.hits(`term-${n}`)} times`],
    );
    expect(notOnce).toEqual([]);
    expect(inFlightOnA).toBeGreaterThan(0); // the signal did land on calls in flight on A
  }, 30_000);
});
