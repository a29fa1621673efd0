import { FaultRig, reportFigures, RIG_STORES, settle, tally, type WorkerProcess } from './faultHarness';

// Two worker processes on one store (a SQLite file, or a PostgreSQL database as on two machines) get the same keyed
// call several times at once: each key's side effect must happen exactly once, and every duplicate must get the
// first run's result, whichever worker it reached.
const KEYS = 12;
const DUPLICATES = 5;

describe.each(RIG_STORES)('fault: duplicates of keyed calls across two workers, on %s', (store) => {
  let rig: FaultRig;

  beforeEach(async () => {
    rig = await FaultRig.start({ store });
  });

  afterEach(async () => {
    await rig.close();
  });

  it(`runs each of ${KEYS} keys once for ${DUPLICATES} concurrent duplicates, and answers every one with that run`, async () => {
    const workers = (await Promise.all([rig.startWorker(), rig.startWorker()])) as [WorkerProcess, WorkerProcess];
    const nango = await rig.client({ requestTimeoutMs: 20_000 });
    await nango.registerConnection('fault', 'u1', { api_key: 'k' });
    const outcomes = await Promise.all(
      Array.from({ length: KEYS * DUPLICATES }, (_, i) => {
        const key = i % KEYS;
        return settle(() =>
          nango.triggerAction<{ id: string; pid: number }>(
            'fault',
            'hit',
            'u1',
            { id: `dup-${key}`, holdMs: 300 },
            { idempotencyKey: `key-${key}` },
          ),
        );
      }),
    );
    reportFigures('keyed duplicates', { store, calls: outcomes.length, outcomes: tally(outcomes) });
    expect(tally(outcomes)).toEqual({ ok: KEYS * DUPLICATES });
    for (let key = 0; key < KEYS; key++) {
      expect(rig.hits(`dup-${key}`)).toBe(1);
      const answers = outcomes
        .filter((_, i) => i % KEYS === key)
        .map((o) => JSON.stringify((o.value as { returnValue: unknown }).returnValue));
      expect(new Set(answers).size).toBe(1);
    }
    // Both workers took part: the duplicates really crossed processes.
    const pids = new Set(workers.map((w) => w.pid));
    const ran = new Set(Array.from({ length: KEYS }, (_, key) => rig.hitsFrom([...pids][0] as number).includes(`dup-${key}`)));
    expect(ran).toEqual(new Set([true, false]));
  }, 60_000);
});
