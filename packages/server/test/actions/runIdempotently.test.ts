import { runIdempotently } from '../../src/actions/runIdempotently';
import { Semaphore } from '../../src/actions/Semaphore';
import { WorkerError } from '../../src/errors';
import { EncodedJson } from '../../src/rpc/EncodedJson';
import { ConnectionStore } from '../../src/store/ConnectionStore';
import { IdempotencyStore } from '../../src/store/IdempotencyStore';
import { testCipher } from '../helpers/testCipher';

describe('runIdempotently', () => {
  let connections: ConnectionStore;
  let store: IdempotencyStore;
  const scope = { integration: 'slack', userId: '1', key: 'order-42' };
  const limits = { leaseMs: 1_000, ttlMs: 60_000 };
  let setIntervalSpy: jest.SpyInstance;
  let clearIntervalSpy: jest.SpyInstance;
  beforeEach(() => {
    connections = new ConnectionStore(':memory:', testCipher());
    store = new IdempotencyStore(connections.database);
    setIntervalSpy = jest.spyOn(global, 'setInterval');
    clearIntervalSpy = jest.spyOn(global, 'clearInterval');
  });
  afterEach(() => {
    // No lease renewal may outlive its run.
    for (const { value } of setIntervalSpy.mock.results) expect(clearIntervalSpy).toHaveBeenCalledWith(value);
    jest.restoreAllMocks();
    connections.close();
  });
  const row = () =>
    connections.database
      .prepare('SELECT state, lease_until AS leaseUntil FROM idempotency WHERE integration = ? AND user_id = ? AND key = ?')
      .get(scope.integration, scope.userId, scope.key) as { state: string; leaseUntil: number } | undefined;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs once per key and replays the first result', async () => {
    let runs = 0;
    const run = async () => new EncodedJson(JSON.stringify({ run: ++runs }));
    expect((await runIdempotently(store, scope, limits, run)).json).toBe('{"run":1}');
    expect((await runIdempotently(store, scope, limits, run)).json).toBe('{"run":1}');
    expect((await runIdempotently(store, { ...scope, key: 'other' }, limits, run)).json).toBe('{"run":2}');
    expect((await runIdempotently(store, { ...scope, userId: '2' }, limits, run)).json).toBe('{"run":3}');
  });

  it('lets a concurrent duplicate wait for the first run', async () => {
    let runs = 0;
    const run = () => new Promise<EncodedJson>((resolve) => setTimeout(() => resolve(new EncodedJson(String(++runs))), 120));
    const results = await Promise.all([runIdempotently(store, scope, limits, run), runIdempotently(store, scope, limits, run)]);
    expect(results.map((r) => r.json)).toEqual(['1', '1']);
    expect(runs).toBe(1);
  });

  it('replays the error of a run that had started, with its code', async () => {
    const fail = async (onStart: () => void): Promise<EncodedJson> => {
      onStart();
      throw new WorkerError('action_failed', 'Slack said no');
    };
    await expect(runIdempotently(store, scope, limits, fail)).rejects.toMatchObject({
      code: 'action_failed',
      message: 'Slack said no',
    });
    let ran = false;
    await expect(runIdempotently(store, scope, limits, async () => ((ran = true), new EncodedJson('1')))).rejects.toMatchObject({
      code: 'action_failed',
    });
    expect(ran).toBe(false);
  });

  it('keeps the failure of a run that had started, even when it is not a WorkerError', async () => {
    const fail = async (onStart: () => void): Promise<EncodedJson> => {
      onStart();
      throw new TypeError('bug');
    };
    await expect(runIdempotently(store, scope, limits, fail)).rejects.toThrow('bug');
    await expect(runIdempotently(store, scope, limits, async () => new EncodedJson('1'))).rejects.toMatchObject({
      code: 'internal_error',
    });
  });

  it('releases the key when the run fails before the action started, so a retry with the key runs it', async () => {
    const refreshFails = async (): Promise<EncodedJson> => {
      throw new WorkerError('token_refresh_failed', 'token endpoint down');
    };
    await expect(runIdempotently(store, scope, limits, refreshFails)).rejects.toMatchObject({ code: 'token_refresh_failed' });
    expect(row()).toBeUndefined();
    const run = async (onStart: () => void) => (onStart(), new EncodedJson('"ran"'));
    expect((await runIdempotently(store, scope, limits, run)).json).toBe('"ran"');
  });

  it('lets a waiting duplicate run the action itself when the first run fails before starting', async () => {
    let runs = 0;
    const first = runIdempotently(store, scope, limits, async () => {
      await sleep(100);
      throw new WorkerError('connection_needs_reauthorization', 'revoked');
    });
    await sleep(10);
    const second = runIdempotently(store, scope, limits, async (onStart) => (onStart(), new EncodedJson(String(++runs))));
    await expect(first).rejects.toMatchObject({ code: 'connection_needs_reauthorization' });
    expect((await second).json).toBe('1');
  });

  it('renews the lease while the run waits to start, so a duplicate waits for it instead of calling it abandoned', async () => {
    // Lease and waits scaled so that a stalled event loop on a busy machine cannot outlast a lease by accident.
    const short = { leaseMs: 300, ttlMs: 60_000 };
    let runs = 0;
    const slow = async (onStart: () => void) => {
      await sleep(1_000); // queued for a slot, then a token refresh: far longer than one lease
      onStart();
      return new EncodedJson(String(++runs));
    };
    const first = runIdempotently(store, scope, short, slow);
    const claimedUntil = row()?.leaseUntil ?? 0;
    await sleep(600);
    expect(row()?.leaseUntil).toBeGreaterThan(claimedUntil);
    const duplicate = runIdempotently(store, scope, short, slow);
    expect((await Promise.all([first, duplicate])).map((r) => r.json)).toEqual(['1', '1']);
    expect(runs).toBe(1);
    const doneLease = row()?.leaseUntil;
    await sleep(300);
    expect(row()).toEqual({ state: 'done', leaseUntil: doneLease }); // renewal stopped with the run
  });

  it('does not run again a key whose run was abandoned (its worker died), and says the outcome is unknown', async () => {
    const now = Date.now();
    expect(store.claim(scope, now - 1, now + 60_000, now - 2)).toEqual({ kind: 'claimed' }); // a lease already over
    let ran = false;
    await expect(runIdempotently(store, scope, limits, async () => ((ran = true), new EncodedJson('1')))).rejects.toMatchObject({
      code: 'action_outcome_unknown',
    });
    expect(ran).toBe(false);
  });

  it('runs again once the kept outcome has expired', async () => {
    await runIdempotently(store, scope, { leaseMs: 1_000, ttlMs: 1 }, async () => new EncodedJson('"first"'));
    await sleep(5);
    expect((await runIdempotently(store, scope, limits, async () => new EncodedJson('"second"'))).json).toBe('"second"');
    expect(store.prune(Date.now() + 120_000)).toBe(1);
  });
});

describe('IdempotencyStore', () => {
  let connections: ConnectionStore;
  const scope = (key: string) => ({ integration: 'slack', userId: '1', key });
  const count = () => (connections.database.prepare('SELECT COUNT(*) AS n FROM idempotency').get() as { n: number }).n;
  beforeEach(() => {
    connections = new ConnectionStore(':memory:', testCipher());
  });
  afterEach(() => connections.close());

  it('prunes expired rows from claim(), at most once every pruneEveryMs', () => {
    const store = new IdempotencyStore(connections.database, { pruneEveryMs: 60_000 });
    const t0 = 1_000_000;
    store.claim(scope('a'), t0 + 1, t0 + 10, t0);
    store.complete(scope('a'), { ok: true, json: '1' }, t0 + 10);
    store.claim(scope('b'), t0 + 30_001, t0 + 30_010, t0 + 30_000); // 'a' has expired, but a prune ran just now
    expect(count()).toBe(2);
    store.claim(scope('c'), t0 + 60_001, t0 + 90_000, t0 + 60_000);
    expect(count()).toBe(1); // 'a' and 'b' are gone
  });

  it('renews and releases only a running claim, never a kept outcome', () => {
    const store = new IdempotencyStore(connections.database);
    const now = Date.now();
    store.claim(scope('a'), now + 10, now + 10, now);
    expect(store.renew(scope('a'), now + 1_000)).toBe(true);
    expect(store.claim(scope('a'), now + 10, now + 10, now + 500)).toEqual({ kind: 'running' }); // past the first lease
    store.complete(scope('a'), { ok: true, json: '1' }, now + 60_000);
    expect(store.renew(scope('a'), now + 2_000)).toBe(false);
    store.release(scope('a'));
    expect(store.claim(scope('a'), now + 10, now + 10, now)).toEqual({ kind: 'done', outcome: { ok: true, json: '1' } });
  });
});

describe('Semaphore', () => {
  it('lets at most `limit` run at once, the rest in arrival order', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (id: number) =>
      semaphore.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        order.push(id);
        running--;
      });
    await Promise.all([1, 2, 3, 4, 5].map(task));
    expect(peak).toBe(2);
    expect(order.slice(2)).toEqual([3, 4, 5]);
  });

  it('frees the place when the work throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
  });
});
