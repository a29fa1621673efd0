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

  it('does not let a holder take its own live lease twice', () => {
    expect(locks.tryAcquire('c1', 'a', 1_000, 0)).toBe(true);
    expect(locks.tryAcquire('c1', 'a', 1_000, 10)).toBe(false);
  });
});
