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
  beforeEach(() => {
    connections = new ConnectionStore(':memory:', testCipher());
    store = new IdempotencyStore(connections.database);
  });
  afterEach(() => connections.close());

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

  it('replays an error outcome with its code', async () => {
    const fail = async (): Promise<EncodedJson> => {
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
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await runIdempotently(store, scope, limits, async () => new EncodedJson('"second"'))).json).toBe('"second"');
    expect(store.prune(Date.now() + 120_000)).toBe(1);
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
