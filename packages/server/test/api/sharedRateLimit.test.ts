import { createLogger } from '@nangohq/server';
import { RATE_FLUSH_MS, SharedRateLimitStore } from '../../src/api/SharedRateLimitStore';
import type { ApiRateCounts } from '../../src/store/ApiRateCounts';
import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

/** One request counted by `store` for `key`: the count the limiter judges it by, and the ms left in its window. */
function incr(store: SharedRateLimitStore, key: string): Promise<{ current: number; ttl: number }> {
  return new Promise((resolve, reject) =>
    store.incr(key, (error, value) => (error || !value ? reject(error ?? new Error('no answer')) : resolve(value))),
  );
}

const WINDOW = 60_000;
const logger = createLogger('silent');

describe.each(STORE_KINDS)('the API rate limit across processes, on %s', (_kind, open) => {
  let test: TestStore;
  let now: number;
  let a: SharedRateLimitStore;
  let b: SharedRateLimitStore;
  beforeEach(async () => {
    test = await open();
    now = 10 * WINDOW + 1_000;
    // Two API processes on one database: each its own store object, as each process has.
    a = new SharedRateLimitStore(test.store.apiRateCounts, WINDOW, logger, () => now);
    b = new SharedRateLimitStore(test.store.apiRateCounts, WINDOW, logger, () => now);
  });
  afterEach(async () => {
    await a.close();
    await b.close();
    await test.dispose();
  });

  it("counts every process's requests, each judged at once on a total at most RATE_FLUSH_MS old", async () => {
    // A key not seen lately is read (this request added) before it is judged; then judged here until the next read.
    expect(await incr(a, 'key:1')).toEqual({ current: 1, ttl: WINDOW - 1_000 });
    expect((await incr(a, 'key:1')).current).toBe(2);
    expect((await incr(b, 'key:1')).current).toBe(2); // a's first was added when read; its second not yet
    expect((await incr(b, 'key:1')).current).toBe(3);
    await a.flush(); // adds a's second: 3 in the store
    await b.flush(); // adds b's second: 4
    expect((await incr(a, 'key:1')).current).toBe(4); // read at its flush (3), plus this one: b's last not seen yet
    now += RATE_FLUSH_MS + 1;
    expect((await incr(a, 'key:1')).current).toBe(6); // read again: every request of both, this one included
    expect((await incr(a, 'address:127.0.0.1')).current).toBe(1); // keys count apart
  });

  it('starts every window afresh, where every process agrees it starts', async () => {
    for (let i = 0; i < 3; i++) await incr(a, 'key:1');
    await a.flush();
    now += WINDOW; // the next window
    expect(await incr(b, 'key:1')).toEqual({ current: 1, ttl: WINDOW - 1_000 });
    expect((await incr(a, 'key:1')).current).toBe(2);
  });

  it('keeps the counts while the store fails, without waiting for it, and adds them once it answers again', async () => {
    let down = true;
    let tries = 0;
    const flaky: ApiRateCounts = {
      add: (counts) => (++tries, down ? Promise.reject(new Error('store down')) : test.store.apiRateCounts.add(counts)),
      prune: (start) => test.store.apiRateCounts.prune(start),
    };
    const c = new SharedRateLimitStore(flaky, WINDOW, logger, () => now);
    try {
      expect((await incr(c, 'key:1')).current).toBe(1);
      expect((await incr(c, 'key:2')).current).toBe(1);
      expect(tries).toBe(1); // the second key did not wait for a store that just failed
      await c.flush();
      expect((await incr(c, 'key:1')).current).toBe(2); // still limited on what it counted itself
      down = false;
      await c.flush();
      expect((await incr(b, 'key:1')).current).toBe(3); // c's two, b's one: none lost, none twice
    } finally {
      await c.close();
    }
  });
});
