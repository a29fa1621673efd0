import { backoffDelayMs, CancellableSleep } from '../src/backoff';

const policy = { initialDelayMs: 100, maxDelayMs: 5_000 };

describe('backoffDelayMs', () => {
  it('doubles from initialDelayMs and stops at maxDelayMs', () => {
    const delays = Array.from({ length: 9 }, (_, i) => backoffDelayMs(i + 1, policy, () => 0));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('jitters each wait down by at most 20%, never above maxDelayMs', () => {
    expect(backoffDelayMs(1, policy, () => 0.999999)).toBe(80);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(360);
    for (let attempt = 1; attempt <= 50; attempt++) {
      const delay = backoffDelayMs(attempt, policy);
      expect(delay).toBeGreaterThanOrEqual(80);
      expect(delay).toBeLessThanOrEqual(5_000);
    }
  });

  it('stays at maxDelayMs after thousands of attempts, where 2 ** attempt is Infinity', () => {
    expect(backoffDelayMs(5_000, policy, () => 0)).toBe(5_000);
  });
});

describe('CancellableSleep', () => {
  it('resolves after the delay, or at once on cancel(), leaving no timer', async () => {
    jest.useFakeTimers();
    try {
      const sleep = new CancellableSleep();
      let woke = false;
      void sleep.sleep(1_000).then(() => (woke = true));
      await jest.advanceTimersByTimeAsync(999);
      expect(woke).toBe(false);
      await jest.advanceTimersByTimeAsync(1);
      expect(woke).toBe(true);
      const cancelled = sleep.sleep(60_000);
      sleep.cancel();
      await expect(cancelled).resolves.toBeUndefined();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
