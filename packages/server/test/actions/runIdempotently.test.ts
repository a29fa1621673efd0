import { callFingerprint, runIdempotently } from '../../src/actions/runIdempotently';
import { Semaphore } from '../../src/actions/Semaphore';
import { WorkerError } from '../../src/errors';
import { EncodedJson } from '../../src/broker/EncodedJson';
import { PgIdempotencyStore } from '../../src/store/postgres/PgIdempotencyStore';
import type { PgStore } from '../../src/store/postgres/PgStore';
import { SqliteIdempotencyStore } from '../../src/store/sqlite/SqliteIdempotencyStore';
import type { SqliteStore } from '../../src/store/sqlite/SqliteStore';
import type { IdempotencyStore } from '../../src/store/Store';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const CALL = 'call-fingerprint';

describe.each(STORE_KINDS)('runIdempotently on %s', (_kind, open) => {
  let opened: TestStore;
  let store: IdempotencyStore;
  const scope = { integration: 'slack', userId: '1', key: 'order-42' };
  const limits = { leaseMs: 1_000, ttlMs: 60_000 };
  let setIntervalSpy: jest.SpyInstance;
  let clearIntervalSpy: jest.SpyInstance;
  beforeEach(async () => {
    opened = await open();
    store = opened.store.idempotency;
    setIntervalSpy = jest.spyOn(global, 'setInterval');
    clearIntervalSpy = jest.spyOn(global, 'clearInterval');
  });
  afterEach(async () => {
    // No lease renewal may outlive its run.
    for (const { value } of setIntervalSpy.mock.results) expect(clearIntervalSpy).toHaveBeenCalledWith(value);
    jest.restoreAllMocks();
    await opened.dispose();
  });
  const row = async () =>
    (
      await rawQuery<{ state: string; leaseUntil: number }>(
        opened.store,
        'SELECT state, lease_until AS "leaseUntil" FROM idempotency WHERE integration = ? AND user_id = ? AND key = ?',
        [scope.integration, scope.userId, scope.key],
      )
    )[0];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A run as the ActionRunner makes it: it awaits onStart (the claim) once it may start, then runs. */
  const started = (body: () => unknown | Promise<unknown>) => async (onStart: () => Promise<void>) => {
    await onStart();
    const value = await body();
    return value instanceof EncodedJson ? value : new EncodedJson(JSON.stringify(value));
  };

  it('runs once per key and replays the first result', async () => {
    let runs = 0;
    const run = started(() => ({ run: ++runs }));
    expect((await runIdempotently(store, scope, CALL, limits, run)).json).toBe('{"run":1}');
    expect((await runIdempotently(store, scope, CALL, limits, run)).json).toBe('{"run":1}');
    expect((await runIdempotently(store, { ...scope, key: 'other' }, CALL, limits, run)).json).toBe('{"run":2}');
    expect((await runIdempotently(store, { ...scope, userId: '2' }, CALL, limits, run)).json).toBe('{"run":3}');
  });

  it('refuses a key reused for another action or input, with its own error code, and runs nothing', async () => {
    let runs = 0;
    const run = started(() => ++runs);
    await runIdempotently(store, scope, callFingerprint('charge', { amount: 5, currency: 'EUR' }), limits, run);
    // The same input, its keys in another order: the same call, replayed.
    const again = callFingerprint('charge', { currency: 'EUR', amount: 5 });
    expect((await runIdempotently(store, scope, again, limits, run)).json).toBe('1');
    for (const other of [
      callFingerprint('charge', { amount: 6, currency: 'EUR' }),
      callFingerprint('refund', { amount: 5, currency: 'EUR' }),
    ]) {
      await expect(runIdempotently(store, scope, other, limits, run)).rejects.toMatchObject({
        code: 'idempotency_key_reused',
        message: expect.stringContaining("idempotency key 'order-42' was already used for another action or input"),
      });
    }
    expect(runs).toBe(1);
  });

  it('lets a concurrent duplicate wait for the first run', async () => {
    let runs = 0;
    const run = started(
      () => new Promise<EncodedJson>((resolve) => setTimeout(() => resolve(new EncodedJson(String(++runs))), 120)),
    );
    const results = await Promise.all([
      runIdempotently(store, scope, CALL, limits, run),
      runIdempotently(store, scope, CALL, limits, run),
    ]);
    expect(results.map((r) => r.json)).toEqual(['1', '1']);
    expect(runs).toBe(1);
  });

  it('replays the error of a run that had started, with its code', async () => {
    const fail = started(() => {
      throw new WorkerError('action_failed', 'Slack said no');
    });
    await expect(runIdempotently(store, scope, CALL, limits, fail)).rejects.toMatchObject({
      code: 'action_failed',
      message: 'Slack said no',
    });
    let ran = false;
    await expect(
      runIdempotently(
        store,
        scope,
        CALL,
        limits,
        started(() => (ran = true)),
      ),
    ).rejects.toMatchObject({
      code: 'action_failed',
    });
    expect(ran).toBe(false);
  });

  it('does not replay a retryable failure (action_timeout): the key is freed and a retry runs the action', async () => {
    let runs = 0;
    const timesOut = started(() => {
      runs++;
      throw new WorkerError('action_timeout', 'slow.action took longer than 100 ms');
    });
    await expect(runIdempotently(store, scope, CALL, limits, timesOut)).rejects.toMatchObject({ code: 'action_timeout' });
    expect(await row()).toBeUndefined();
    expect(
      (
        await runIdempotently(
          store,
          scope,
          CALL,
          limits,
          started(() => ++runs),
        )
      ).json,
    ).toBe('2');
    expect(
      (
        await runIdempotently(
          store,
          scope,
          CALL,
          limits,
          started(() => ++runs),
        )
      ).json,
    ).toBe('2'); // kept from now on
  });

  it('keeps the failure of a run that had started, even when it is not a WorkerError', async () => {
    const fail = started(() => {
      throw new TypeError('bug');
    });
    await expect(runIdempotently(store, scope, CALL, limits, fail)).rejects.toThrow('bug');
    await expect(
      runIdempotently(
        store,
        scope,
        CALL,
        limits,
        started(() => 1),
      ),
    ).rejects.toMatchObject({
      code: 'internal_error',
    });
  });

  it('claims nothing before the run starts, so a failure before it (or a worker dying while it waits) leaves no trace', async () => {
    const refreshFails = async (): Promise<EncodedJson> => {
      throw new WorkerError('token_refresh_failed', 'token endpoint down');
    };
    await expect(runIdempotently(store, scope, CALL, limits, refreshFails)).rejects.toMatchObject({
      code: 'token_refresh_failed',
    });
    expect(await row()).toBeUndefined();
    // A call waiting for its slot holds no claim: were its worker killed now, a retry would simply run it.
    let letItStart: () => void = () => undefined;
    const waiting = runIdempotently(store, scope, CALL, limits, async (onStart) => {
      await new Promise<void>((resolve) => (letItStart = resolve));
      await onStart();
      return new EncodedJson('"ran"');
    });
    await sleep(50);
    expect(await row()).toBeUndefined();
    letItStart();
    expect((await waiting).json).toBe('"ran"');
    expect((await row())?.state).toBe('done');
  });

  it('lets a waiting duplicate run the action itself when the first run fails before starting', async () => {
    let runs = 0;
    const first = runIdempotently(store, scope, CALL, limits, async () => {
      await sleep(100);
      throw new WorkerError('connection_needs_reauthorization', 'revoked');
    });
    await sleep(10);
    const second = runIdempotently(
      store,
      scope,
      CALL,
      limits,
      started(() => new EncodedJson(String(++runs))),
    );
    await expect(first).rejects.toMatchObject({ code: 'connection_needs_reauthorization' });
    expect((await second).json).toBe('1');
  });

  it('renews the lease while the run lasts, so a duplicate waits for it instead of calling it abandoned', async () => {
    // Lease and waits scaled so that a stalled event loop on a busy machine cannot outlast a lease by accident.
    const short = { leaseMs: 300, ttlMs: 60_000 };
    let runs = 0;
    const slow = started(async () => {
      await sleep(1_000); // far longer than one lease
      return new EncodedJson(String(++runs));
    });
    const first = runIdempotently(store, scope, CALL, short, slow);
    await sleep(50);
    const claimedUntil = (await row())?.leaseUntil ?? 0;
    await sleep(600);
    expect((await row())?.leaseUntil).toBeGreaterThan(claimedUntil);
    const duplicate = runIdempotently(store, scope, CALL, short, slow);
    expect((await Promise.all([first, duplicate])).map((r) => r.json)).toEqual(['1', '1']);
    expect(runs).toBe(1);
    const doneLease = (await row())?.leaseUntil;
    await sleep(300);
    expect(await row()).toEqual({ state: 'done', leaseUntil: doneLease }); // renewal stopped with the run
  });

  it('does not run again a key whose run was abandoned (its worker died), and says the outcome is unknown', async () => {
    const now = Date.now();
    expect(await store.claim(scope, CALL, now - 1, now + 60_000, now - 2)).toEqual({ kind: 'claimed' }); // a lease already over
    let ran = false;
    await expect(
      runIdempotently(
        store,
        scope,
        CALL,
        limits,
        started(() => (ran = true)),
      ),
    ).rejects.toMatchObject({
      code: 'action_outcome_unknown',
    });
    expect(ran).toBe(false);
  });

  /** The store, but its complete() fails the first `failures` times, as while the database restarts. */
  const completeFailing = (failures: number): IdempotencyStore => {
    let left = failures;
    return Object.assign(Object.create(store) as IdempotencyStore, {
      complete: (...args: Parameters<IdempotencyStore['complete']>) =>
        left-- > 0 ? Promise.reject(new WorkerError('storage_error', 'the database is restarting')) : store.complete(...args),
    });
  };

  it('keeps a success the store failed to write at first, and never runs the key again (cluster fault harness)', async () => {
    // Before: the failed write released the key, so the caller's retry with it ran the action a second time.
    let runs = 0;
    const run = started(() => ({ run: ++runs }));
    const flaky = completeFailing(2);
    const retrying = { ...limits, keepRetryMs: [10, 10, 10] };
    expect((await runIdempotently(flaky, scope, CALL, retrying, run)).json).toBe('{"run":1}');
    expect((await runIdempotently(store, scope, CALL, limits, run)).json).toBe('{"run":1}');
    expect(runs).toBe(1);
  });

  it('answers a success the store never managed to keep, and leaves the key to lapse as of unknown outcome', async () => {
    let runs = 0;
    const run = started(() => ({ run: ++runs }));
    const down = completeFailing(Number.POSITIVE_INFINITY);
    const short = { leaseMs: 50, ttlMs: 60_000, keepRetryMs: [5, 5] };
    expect((await runIdempotently(down, scope, CALL, short, run)).json).toBe('{"run":1}');
    expect((await row())?.state).not.toBe('done');
    await sleep(80); // the lease, no longer renewed, runs out
    await expect(runIdempotently(store, scope, CALL, limits, run)).rejects.toMatchObject({ code: 'action_outcome_unknown' });
    expect(runs).toBe(1);
  });

  it('runs again once the kept outcome has expired', async () => {
    await runIdempotently(
      store,
      scope,
      CALL,
      { leaseMs: 1_000, ttlMs: 1 },
      started(() => 'first'),
    );
    await sleep(5);
    expect(
      (
        await runIdempotently(
          store,
          scope,
          CALL,
          limits,
          started(() => 'second'),
        )
      ).json,
    ).toBe('"second"');
    expect(await store.prune(Date.now() + 120_000)).toBe(1);
  });

  it('keeps the outcome encrypted, like credentials, and bound to its key', async () => {
    await runIdempotently(
      store,
      scope,
      CALL,
      limits,
      started(() => ({ token: 'result-secret-123' })),
    );
    const [kept] = await rawQuery<{ outcome: string }>(opened.store, 'SELECT outcome FROM idempotency');
    expect(kept?.outcome).toMatch(/^v1:/);
    expect(kept?.outcome).not.toContain('result-secret-123');
    // Copied onto another key's row, it does not decrypt: a storage_error, never another call's result.
    await runIdempotently(
      store,
      { ...scope, key: 'other' },
      CALL,
      limits,
      started(() => 'other'),
    );
    await rawQuery(opened.store, 'UPDATE idempotency SET outcome = ? WHERE key = ?', [kept?.outcome, 'other']);
    await expect(
      runIdempotently(
        store,
        { ...scope, key: 'other' },
        CALL,
        limits,
        started(() => 'x'),
      ),
    ).rejects.toMatchObject({
      code: 'storage_error',
    });
  });
});

describe.each(STORE_KINDS)('IdempotencyStore on %s', (kind, open) => {
  let opened: TestStore;
  const scope = (key: string) => ({ integration: 'slack', userId: '1', key });
  const count = async () => Number((await rawQuery<{ n: number }>(opened.store, 'SELECT COUNT(*) AS n FROM idempotency'))[0]?.n);
  afterEach(() => opened.dispose());

  it('prunes expired rows from claim(), at most once every pruneEveryMs', async () => {
    opened = await open();
    const store =
      kind === 'sqlite'
        ? new SqliteIdempotencyStore((opened.store as SqliteStore).database, opened.cipher, { pruneEveryMs: 60_000 })
        : new PgIdempotencyStore((opened.store as PgStore).pg, opened.cipher, { pruneEveryMs: 60_000 });
    const t0 = 1_000_000;
    await store.claim(scope('a'), CALL, t0 + 1, t0 + 10, t0);
    await store.complete(scope('a'), { ok: true, json: '1' }, t0 + 10);
    await store.claim(scope('b'), CALL, t0 + 30_001, t0 + 30_010, t0 + 30_000); // 'a' has expired, but a prune ran just now
    expect(await count()).toBe(2);
    await store.claim(scope('c'), CALL, t0 + 60_001, t0 + 90_000, t0 + 60_000);
    expect(await count()).toBe(1); // 'a' and 'b' are gone
  });

  it('renews and releases only a running claim, never a kept outcome', async () => {
    opened = await open();
    const store = opened.store.idempotency;
    const now = Date.now();
    await store.claim(scope('a'), CALL, now + 10, now + 10, now);
    expect(await store.renew(scope('a'), now + 1_000)).toBe(true);
    expect(await store.claim(scope('a'), CALL, now + 10, now + 10, now + 500)).toEqual({ kind: 'running' }); // past the first lease
    await store.complete(scope('a'), { ok: true, json: '1' }, now + 60_000);
    expect(await store.renew(scope('a'), now + 2_000)).toBe(false);
    await store.release(scope('a'));
    expect(await store.claim(scope('a'), CALL, now + 10, now + 10, now)).toEqual({
      kind: 'done',
      outcome: { ok: true, json: '1' },
    });
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
