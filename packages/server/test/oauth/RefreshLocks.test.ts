import type { RefreshLocks } from '../../src/store/Store';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

describe.each(STORE_KINDS)('RefreshLocks on %s', (_kind, open) => {
  let opened: TestStore;
  let locks: RefreshLocks;
  beforeEach(async () => {
    opened = await open();
    locks = opened.store.refreshLocks;
  });
  afterEach(() => opened.dispose());

  it('gives a lock to one holder at a time until it is released', async () => {
    expect(await locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(await locks.tryAcquire('c1', 'b', 1_000, 10)).toBe(false);
    expect(await locks.tryAcquire('c2', 'b', 1_000, 10)).toBe(true); // other Connections are not affected
    await locks.release('c1', 'a');
    expect(await locks.tryAcquire('c1', 'b', 1_000, 20)).toBe(true);
  });

  it('lets a lease that ran out be taken, and then ignores the late release of its old holder', async () => {
    expect(await locks.tryAcquire('c1', 'dead', 1_000, 0)).toBe(true);
    expect(await locks.tryAcquire('c1', 'b', 1_000, 999)).toBe(false);
    expect(await locks.tryAcquire('c1', 'b', 1_000, 1_000)).toBe(true);
    await locks.release('c1', 'dead');
    expect(await locks.tryAcquire('c1', 'c', 1_000, 1_500)).toBe(false);
  });

  it('lets a holder retake its own live lease (after a failed release), extending it', async () => {
    expect(await locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(await locks.tryAcquire('c1', 'a', 1_000, 500)).toBe(true);
    expect(await locks.tryAcquire('c1', 'b', 1_000, 1_200)).toBe(false); // held until 1500 now, not 1000
    expect(await locks.tryAcquire('c1', 'b', 1_000, 1_500)).toBe(true);
  });

  it('renews only a live lease of the same holder', async () => {
    expect(await locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(await locks.renew('c1', 'b', 1_000, 10)).toBe(false);
    expect(await locks.renew('c1', 'a', 1_000, 900)).toBe(true);
    expect(await locks.tryAcquire('c1', 'b', 1_000, 1_500)).toBe(false); // held until 1900 now
    expect(await locks.renew('c1', 'a', 1_000, 1_900)).toBe(false); // ran out: someone else may hold it by now
    expect(await locks.tryAcquire('c1', 'b', 1_000, 1_900)).toBe(true);
    expect(await locks.renew('c1', 'a', 1_000, 1_950)).toBe(false);
    expect(await locks.renew('c2', 'a', 1_000, 0)).toBe(false); // never taken
  });
});

describe.each(STORE_KINDS)('RefreshLocks on %s, many holders at once', (_kind, open) => {
  it('gives a free lock to exactly one of many concurrent takers', async () => {
    const opened = await open();
    try {
      const taken = await Promise.all(
        Array.from({ length: 16 }, (_, i) => opened.store.refreshLocks.tryAcquire('c1', `w${i}`, 10_000)),
      );
      expect(taken.filter(Boolean)).toHaveLength(1);
    } finally {
      await opened.dispose();
    }
  });
});
