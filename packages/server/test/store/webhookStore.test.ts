import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

const delivery = (id: string, url = 'http://receiver.test/hook') => ({ id, url, type: 'auth', body: `{"id":"${id}"}` });

describe.each(STORE_KINDS)('the webhook outbox on %s', (_kind, open) => {
  let opened: TestStore;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(() => opened.dispose());

  it('stores deliveries pending, due at once, and lists them newest first with a state filter', async () => {
    const { webhooks } = opened.store;
    expect(await webhooks.nextDue()).toBeUndefined();
    await webhooks.add([delivery('a'), delivery('b', 'http://second.test/hook')], 1_000);
    await webhooks.add([delivery('c')], 2_000);
    expect(await webhooks.nextDue()).toBe(1_000);
    const listed = await webhooks.list();
    expect(listed.map((d) => d.id)).toEqual(['c', 'a', 'b']);
    expect(listed[0]).toEqual({
      id: 'c',
      url: 'http://receiver.test/hook',
      type: 'auth',
      body: '{"id":"c"}',
      state: 'pending',
      attempts: 0,
      nextAttemptAt: 2_000,
      lastStatus: null,
      lastError: null,
      createdAt: 2_000,
      updatedAt: 2_000,
    });
    expect(await webhooks.list({ state: 'failed' })).toEqual([]);
    expect(await webhooks.list({ limit: 1 })).toHaveLength(1);
    expect(await webhooks.get('b')).toMatchObject({ url: 'http://second.test/hook' });
    expect(await webhooks.get('nope')).toBeUndefined();
  });

  it('leases each due delivery to one claimer at a time, counting the attempt, until the lease ends', async () => {
    const { webhooks } = opened.store;
    await webhooks.add(
      Array.from({ length: 20 }, (_, i) => delivery(`d${i}`)),
      1_000,
    );
    // Two processes claiming at the same moment get disjoint rows.
    const [first, second] = await Promise.all([
      webhooks.claim('one', 10_000, 12, 1_500),
      webhooks.claim('two', 10_000, 12, 1_500),
    ]);
    const ids = [...(first ?? []), ...(second ?? [])].map((d) => d.id);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect([...(first ?? []), ...(second ?? [])].every((d) => d.attempts === 1)).toBe(true);
    expect(await webhooks.claim('three', 10_000, 50, 5_000)).toEqual([]); // all leased
    expect(await webhooks.nextDue()).toBe(11_500); // when the leases end
    // After the lease, another claimer takes them (the first one died mid-send).
    const again = await webhooks.claim('three', 10_000, 50, 11_500);
    expect(again).toHaveLength(20);
    expect(again.every((d) => d.attempts === 2)).toBe(true);
    // The first claimer can no longer record an outcome: it lost the lease.
    const lost = (first ?? [])[0];
    if (!lost) throw new Error('first claimer got nothing');
    expect(await webhooks.finish(lost.id, 'one', { kind: 'delivered', status: 200 }, 12_000)).toBe(false);
    expect(await webhooks.finish(lost.id, 'three', { kind: 'delivered', status: 204 }, 12_000)).toBe(true);
    expect(await webhooks.get(lost.id)).toMatchObject({ state: 'delivered', lastStatus: 204, attempts: 2, updatedAt: 12_000 });
  });

  it('records a retry (due later), a failure, and a release (due at once, attempt given back)', async () => {
    const { webhooks } = opened.store;
    await webhooks.add([delivery('r'), delivery('f'), delivery('x')], 1_000);
    await webhooks.claim('me', 60_000, 10, 1_000);
    expect(await webhooks.finish('r', 'me', { kind: 'retry', status: 503, error: 'HTTP 503', nextAttemptAt: 5_000 }, 2_000)).toBe(
      true,
    );
    expect(await webhooks.finish('f', 'me', { kind: 'failed', status: 404, error: 'HTTP 404' }, 2_000)).toBe(true);
    expect(await webhooks.release('x', 'me', 2_500)).toBe(true);
    expect(await webhooks.get('r')).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: 5_000, lastStatus: 503 });
    expect(await webhooks.get('f')).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 404, lastError: 'HTTP 404' });
    expect(await webhooks.get('x')).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: 2_500 });
    expect(await webhooks.nextDue()).toBe(2_500);
    expect((await webhooks.claim('me', 60_000, 10, 3_000)).map((d) => d.id)).toEqual(['x']);
    expect((await webhooks.claim('me', 60_000, 10, 5_000)).map((d) => d.id)).toEqual(['r']);
    // A finished delivery takes no further outcome.
    expect(await webhooks.finish('f', 'me', { kind: 'delivered', status: 200 }, 6_000)).toBe(false);
    expect((await webhooks.list({ state: 'failed' })).map((d) => d.id)).toEqual(['f']);
  });

  it('replays a failed or delivered delivery as pending with fresh attempts, and leaves a pending one alone', async () => {
    const { webhooks } = opened.store;
    await webhooks.add([delivery('f'), delivery('p')], 1_000);
    const claimed = await webhooks.claim('me', 60_000, 1, 1_000);
    expect(claimed).toHaveLength(1); // the limit holds
    const claimedId = claimed[0]?.id ?? '';
    await webhooks.finish(claimedId, 'me', { kind: 'failed', status: 400, error: 'HTTP 400' }, 2_000);
    const replayed = await webhooks.replay(claimedId, 3_000);
    expect(replayed).toMatchObject({ id: claimedId, state: 'pending', attempts: 0, nextAttemptAt: 3_000, lastStatus: 400 });
    expect((await webhooks.claim('again', 60_000, 10, 3_000)).map((d) => d.id).sort()).toEqual(['f', 'p']);
    // Pending and leased: a replay does not take it from its sender.
    const other = claimedId === 'f' ? 'p' : 'f';
    expect(await webhooks.replay(other, 4_000)).toMatchObject({ state: 'pending', attempts: 1 });
    expect(await webhooks.finish(other, 'again', { kind: 'delivered', status: 200 }, 4_500)).toBe(true);
    // A delivered one can be sent again too.
    expect(await webhooks.replay(other, 5_000)).toMatchObject({ state: 'pending', attempts: 0, lastStatus: 200 });
    expect(await webhooks.replay('missing', 5_000)).toBeUndefined();
  });

  it('prunes delivered deliveries past their time, and keeps failed and pending ones', async () => {
    const { webhooks } = opened.store;
    await webhooks.add([delivery('old'), delivery('new'), delivery('bad'), delivery('wait')], 1_000);
    await webhooks.claim('me', 60_000, 10, 1_000);
    await webhooks.finish('old', 'me', { kind: 'delivered', status: 200 }, 2_000);
    await webhooks.finish('new', 'me', { kind: 'delivered', status: 200 }, 9_000);
    await webhooks.finish('bad', 'me', { kind: 'failed', status: 400, error: 'HTTP 400' }, 2_000);
    expect(await webhooks.pruneDelivered(5_000)).toBe(1);
    expect((await webhooks.list()).map((d) => d.id).sort()).toEqual(['bad', 'new', 'wait']);
  });

  it('reports the backlog: pending deliveries and when the oldest was stored, whatever their attempts', async () => {
    const { webhooks } = opened.store;
    expect(await webhooks.backlog()).toEqual({ pending: 0, oldestCreatedAt: null });
    await webhooks.add([delivery('old')], 1_000);
    await webhooks.add([delivery('new'), delivery('done')], 3_000);
    const claimed = await webhooks.claim('me', 10_000, 10, 3_000);
    expect(claimed).toHaveLength(3);
    await webhooks.finish('done', 'me', { kind: 'delivered', status: 200 }, 3_500);
    await webhooks.finish('old', 'me', { kind: 'retry', status: 500, error: 'HTTP 500', nextAttemptAt: 60_000 }, 3_500);
    // Leased ('new') and waiting for a retry ('old') are both pending; delivered is not.
    expect(await webhooks.backlog()).toEqual({ pending: 2, oldestCreatedAt: 1_000 });
    await webhooks.finish('new', 'me', { kind: 'failed', status: 410, error: 'HTTP 410' }, 4_000);
    expect(await webhooks.backlog()).toEqual({ pending: 1, oldestCreatedAt: 1_000 });
  });
});
