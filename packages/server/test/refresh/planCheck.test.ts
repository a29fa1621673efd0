import { nextAfterRefresh, planCheck, type CheckedConnection, type CheckTimings } from '../../src/refresh/planCheck';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NOW = 1_700_000_000_000;
const timings: CheckTimings = { intervalMs: MIN, exerciseMs: DAY, verifyMs: DAY, idleMs: DAY };
const oauth: CheckedConnection = {
  refreshable: true,
  verifiable: false,
  expiresAt: NOW + 60 * MIN,
  checkedAt: NOW,
  cooldownUntil: undefined,
  marginMs: 15 * MIN,
};
const apiKey: CheckedConnection = { ...oauth, refreshable: false, verifiable: true, expiresAt: undefined };

describe('planCheck', () => {
  it('refreshes a token that would expire within its margin before the next cycle, and waits until then otherwise', () => {
    expect(planCheck(oauth, timings, NOW)).toEqual({ act: 'wait', until: NOW + 44 * MIN });
    expect(planCheck(oauth, timings, NOW + 44 * MIN - 1)).toEqual({ act: 'wait', until: NOW + 44 * MIN });
    expect(planCheck(oauth, timings, NOW + 44 * MIN)).toEqual({ act: 'refresh', reason: 'expiry' });
    expect(planCheck({ ...oauth, expiresAt: NOW - 1 }, timings, NOW)).toEqual({ act: 'refresh', reason: 'expiry' });
  });

  it('exercises a refresh token unused for the exercise interval, unless that is 0', () => {
    const lasting = { ...oauth, expiresAt: undefined };
    expect(planCheck(lasting, timings, NOW)).toEqual({ act: 'wait', until: NOW + DAY });
    expect(planCheck(lasting, timings, NOW + DAY)).toEqual({ act: 'refresh', reason: 'exercise' });
    expect(planCheck({ ...oauth, expiresAt: NOW + 30 * DAY }, timings, NOW + DAY)).toEqual({
      act: 'refresh',
      reason: 'exercise',
    });
    // Off: looked at again after the idle time only, in case its integration changes.
    expect(planCheck(lasting, { ...timings, exerciseMs: 0 }, NOW + 5 * DAY)).toEqual({ act: 'wait', until: NOW + 6 * DAY });
  });

  it('waits out a refresh cool-down', () => {
    const cooling = { ...oauth, expiresAt: NOW - 1, cooldownUntil: NOW + 20_000 };
    expect(planCheck(cooling, timings, NOW)).toEqual({ act: 'wait', until: NOW + 20_000 });
    expect(planCheck(cooling, timings, NOW + 20_000)).toEqual({ act: 'refresh', reason: 'expiry' });
  });

  it('verifies static credentials every verification interval, unless that is 0 or they have no verification request', () => {
    expect(planCheck(apiKey, timings, NOW + DAY - 1)).toEqual({ act: 'wait', until: NOW + DAY });
    expect(planCheck(apiKey, timings, NOW + DAY)).toEqual({ act: 'verify' });
    expect(planCheck(apiKey, { ...timings, verifyMs: 0 }, NOW + 2 * DAY)).toEqual({ act: 'wait', until: NOW + 3 * DAY });
    expect(planCheck({ ...apiKey, verifiable: false }, timings, NOW + 2 * DAY)).toEqual({ act: 'wait', until: NOW + 3 * DAY });
  });

  it('leaves a Connection with nothing to refresh with to the idle look', () => {
    const stuck = { ...oauth, refreshable: false, expiresAt: NOW - 1 };
    expect(planCheck(stuck, timings, NOW)).toEqual({ act: 'wait', until: NOW + DAY });
  });
});

describe('nextAfterRefresh', () => {
  it('keeps the plan, but never sooner than the next cycle nor half the new token life', () => {
    const fresh = { ...oauth, expiresAt: NOW + 60 * MIN };
    expect(nextAfterRefresh(planCheck(fresh, timings, NOW), fresh.expiresAt, timings, NOW)).toBe(NOW + 44 * MIN);
    // Tokens that live shorter than the margin: refreshed every half life, not at every cycle.
    const short = { ...oauth, expiresAt: NOW + 10 * MIN };
    expect(nextAfterRefresh(planCheck(short, timings, NOW), short.expiresAt, timings, NOW)).toBe(NOW + 5 * MIN);
    const tiny = { ...oauth, expiresAt: NOW + 30_000 };
    expect(nextAfterRefresh(planCheck(tiny, timings, NOW), tiny.expiresAt, timings, NOW)).toBe(NOW + MIN);
  });
});
