import { randomUUID } from 'node:crypto';
import { rawQuery, STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const call = (id = randomUUID()) => ({
  id,
  integration: 'demo',
  userId: 'u-1',
  action: 'echo',
  input: { msg: 'a secret note' },
  idempotencyKey: 'k-1',
  maxRetries: 2,
});

describe.each(STORE_KINDS)('async actions on %s', (_kind, open) => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(() => opened.dispose());

  it('queues a call with its input sealed, lets one claim win, and keeps the outcome', async () => {
    const store = opened.store.asyncActions;
    const c = call();
    await store.create(c, 1_000, 100_000);
    const [row] = await rawQuery<{ input: string; state: string }>(
      opened.store,
      'SELECT input, state FROM async_actions WHERE id = ?',
      [c.id],
    );
    expect(row?.state).toBe('queued');
    expect(row?.input).not.toContain('secret');
    expect(await store.status(c.id, 2_000)).toEqual({ state: 'queued', integration: 'demo', userId: 'u-1' });

    const claims = await Promise.all([store.claim(c.id, 2_000, 5_000), store.claim(c.id, 2_000, 5_000)]);
    const won = claims.filter((claim) => claim !== undefined);
    expect(won).toEqual([{ ...c, attempts: 1 }]);
    expect(await store.claim(c.id, 4_000, 7_000)).toBeUndefined(); // its lease holds
    expect(await store.renew(c.id, 9_000)).toBe(true);
    expect(await store.claim(c.id, 8_000, 10_000)).toBeUndefined();
    expect(await store.status(c.id, 8_000)).toMatchObject({ state: 'running' });

    await store.finish(c.id, { ok: true, json: '{"done":1}' }, 8_500, 50_000);
    expect(await store.status(c.id, 9_000)).toEqual({
      state: 'done',
      integration: 'demo',
      userId: 'u-1',
      outcome: { ok: true, json: '{"done":1}' },
    });
    expect(await store.claim(c.id, 60_000, 70_000)).toBeUndefined(); // ended: never run again
    expect(await store.renew(c.id, 99_000)).toBe(false);
    expect(await store.status(c.id, 50_001)).toBeUndefined(); // expired
    expect(await store.prune(50_001)).toBe(1);
  });

  it('hands stranded rows to a sweep: queued too long, or running with a lapsed lease', async () => {
    const store = opened.store.asyncActions;
    const [lost, fresh, dead] = [call(), call(), call()];
    await store.create(lost, 1_000, 1_000_000);
    await store.create(fresh, 9_000, 1_000_000);
    await store.create(dead, 1_000, 1_000_000);
    await store.claim(dead.id, 2_000, 3_000);
    expect((await store.stranded(10_000, 5_000, 10)).sort()).toEqual([lost.id, dead.id].sort());
    // The dead worker's run is claimed again, counted.
    expect(await store.claim(dead.id, 10_000, 20_000)).toMatchObject({ id: dead.id, attempts: 2 });
    // A stopping worker gives its run back without counting it.
    await store.requeue(dead.id, 11_000, true);
    expect(await store.claim(dead.id, 12_000, 20_000)).toMatchObject({ attempts: 2 });
    await store.finish(dead.id, { ok: false, code: 'action_failed', message: 'no' }, 13_000, 1_000_000);
    expect(await store.status(dead.id, 14_000)).toMatchObject({
      state: 'failed',
      outcome: { ok: false, code: 'action_failed', message: 'no' },
    });
    expect(await store.stranded(14_000, 5_000, 10)).toEqual([lost.id]);
    expect(await store.status(randomUUID(), 14_000)).toBeUndefined();
  });
});
