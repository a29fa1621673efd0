import { STORE_KINDS, type TestStore } from '../helpers/storeFactories';

describe.each(STORE_KINDS)('RateLimitStore on %s', (_kind, open) => {
  let test: TestStore;
  beforeEach(async () => {
    test = await open();
  });
  afterEach(() => test.dispose());

  it('holds a limit until its time, keeps the longer of two, and forgets it after', async () => {
    const limits = test.store.rateLimits;
    expect(await limits.get('c1', 1000)).toBeUndefined();
    await limits.hold('c1', { untilMs: 5000, reason: '429 retry-after' }, 1000);
    expect(await limits.get('c1', 1000)).toEqual({ untilMs: 5000, reason: '429 retry-after' });
    expect(await limits.get('c2', 1000)).toBeUndefined();
    await limits.hold('c1', { untilMs: 3000, reason: 'shorter' }, 1500);
    expect(await limits.get('c1', 2000)).toEqual({ untilMs: 5000, reason: '429 retry-after' });
    await limits.hold('c1', { untilMs: 9000, reason: 'longer' }, 2000);
    expect(await limits.get('c1', 2000)).toEqual({ untilMs: 9000, reason: 'longer' });
    expect(await limits.get('c1', 9000)).toBeUndefined();
    await limits.hold('c1', { untilMs: 12_000, reason: 'again' }, 10_000);
    expect(await limits.get('c1', 10_000)).toEqual({ untilMs: 12_000, reason: 'again' });
  });
});
