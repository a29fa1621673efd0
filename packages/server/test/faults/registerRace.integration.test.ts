import { FaultRig, reportFigures, RIG_STORES, settle, tally } from './faultHarness';

// Two worker processes on one SQLite file (or one PostgreSQL database) and five clients race to register the same Connection: the unique
// (integration, user id) must hold across processes, and every loser must hear connection_exists, not a storage
// error or a timeout.
const ROUNDS = 3;
const CALLS = 50;
const CLIENTS = 5;

describe.each(RIG_STORES)('fault: concurrent registrations of one Connection, on %s', (store) => {
  let rig: FaultRig;

  beforeEach(async () => {
    rig = await FaultRig.start({ store });
  });

  afterEach(async () => {
    await rig.close();
  });

  it(`lets exactly one of ${CALLS} concurrent registerConnection calls win, ${ROUNDS} times`, async () => {
    await Promise.all([rig.startWorker(), rig.startWorker()]);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => rig.client()));

    for (let round = 0; round < ROUNDS; round++) {
      const userId = `racer-${round}`;
      const outcomes = await Promise.all(
        Array.from({ length: CALLS }, (_, i) =>
          settle(() => clients[i % CLIENTS]!.registerConnection('fault', userId, { api_key: `key-${i}` }, { attempt: i })),
        ),
      );
      reportFigures('register race', { round, calls: CALLS, clients: CLIENTS, outcomes: tally(outcomes) });
      expect(tally(outcomes)).toEqual({ ok: 1, connection_exists: CALLS - 1 });
      const stored = await clients[0]!.getConnectionsForUserId(userId);
      expect(stored.returnValue).toHaveLength(1);
    }
  }, 30_000);
});
