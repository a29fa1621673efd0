import { ConnectionStore } from '../../src/store/ConnectionStore';
import { RefreshLocks } from '../../src/store/RefreshLocks';
import { testCipher } from '../helpers/testCipher';

describe('RefreshLocks', () => {
  let store: ConnectionStore;
  let locks: RefreshLocks;
  beforeEach(() => {
    store = new ConnectionStore(':memory:', testCipher());
    locks = new RefreshLocks(store.database);
  });
  afterEach(() => store.close());

  it('gives a lock to one holder at a time until it is released', () => {
    expect(locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(locks.tryAcquire('c1', 'b', 1_000, 10)).toBe(false);
    expect(locks.tryAcquire('c2', 'b', 1_000, 10)).toBe(true); // other Connections are not affected
    locks.release('c1', 'a');
    expect(locks.tryAcquire('c1', 'b', 1_000, 20)).toBe(true);
  });

  it('lets a lease that ran out be taken, and then ignores the late release of its old holder', () => {
    expect(locks.tryAcquire('c1', 'dead', 1_000, 0)).toBe(true);
    expect(locks.tryAcquire('c1', 'b', 1_000, 999)).toBe(false);
    expect(locks.tryAcquire('c1', 'b', 1_000, 1_000)).toBe(true);
    locks.release('c1', 'dead');
    expect(locks.tryAcquire('c1', 'c', 1_000, 1_500)).toBe(false);
  });

  it('lets a holder retake its own live lease (after a failed release), extending it', () => {
    expect(locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(locks.tryAcquire('c1', 'a', 1_000, 500)).toBe(true);
    expect(locks.tryAcquire('c1', 'b', 1_000, 1_200)).toBe(false); // held until 1500 now, not 1000
    expect(locks.tryAcquire('c1', 'b', 1_000, 1_500)).toBe(true);
  });

  it('renews only a live lease of the same holder', () => {
    expect(locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(locks.renew('c1', 'b', 1_000, 10)).toBe(false);
    expect(locks.renew('c1', 'a', 1_000, 900)).toBe(true);
    expect(locks.tryAcquire('c1', 'b', 1_000, 1_500)).toBe(false); // held until 1900 now
    expect(locks.renew('c1', 'a', 1_000, 1_900)).toBe(false); // ran out: someone else may hold it by now
    expect(locks.tryAcquire('c1', 'b', 1_000, 1_900)).toBe(true);
    expect(locks.renew('c1', 'a', 1_000, 1_950)).toBe(false);
    expect(locks.renew('c2', 'a', 1_000, 0)).toBe(false); // never taken
  });
});
