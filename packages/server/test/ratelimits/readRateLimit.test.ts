import { MAX_LEARNED_MS, readRateLimit, retryHeadersOf } from '../../src/ratelimits/readRateLimit';

const NOW = 1_700_000_000_000;
const headers = (values: Record<string, string>) => (name: string) => values[name];

describe('readRateLimit', () => {
  it('reads Retry-After as seconds or a date on a 429 or 503', () => {
    expect(readRateLimit(429, headers({ 'retry-after': '3' }), {}, NOW)).toEqual({
      untilMs: NOW + 3000,
      reason: '429 retry-after',
    });
    const date = new Date(NOW + 10_000).toUTCString();
    expect(readRateLimit(503, headers({ 'retry-after': date }), {}, NOW)?.untilMs).toBe(NOW + 10_000);
    expect(readRateLimit(500, headers({ 'retry-after': '3' }), {}, NOW)).toBeUndefined();
  });

  it('holds a bare 429 for a second, and a reset header as Unix seconds, milliseconds or a delay', () => {
    expect(readRateLimit(429, headers({}), {}, NOW)?.untilMs).toBe(NOW + 1000);
    expect(readRateLimit(429, headers({ 'x-ratelimit-reset': String(NOW / 1000 + 20) }), {}, NOW)?.untilMs).toBe(NOW + 20_000);
    expect(readRateLimit(429, headers({ 'x-ratelimit-reset': String(NOW + 5000) }), {}, NOW)?.untilMs).toBe(NOW + 5000);
    expect(readRateLimit(429, headers({ 'ratelimit-reset': '7' }), {}, NOW)?.untilMs).toBe(NOW + 7000);
  });

  it('learns from remaining 0 with a reset on a successful reply, and not from remaining 5', () => {
    const reset = String(NOW / 1000 + 30);
    expect(readRateLimit(200, headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), {}, NOW)).toEqual({
      untilMs: NOW + 30_000,
      reason: 'x-ratelimit-remaining: 0',
    });
    expect(readRateLimit(200, headers({ 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': reset }), {}, NOW)).toBeUndefined();
    expect(readRateLimit(200, headers({ 'x-ratelimit-remaining': '0' }), {}, NOW)).toBeUndefined();
  });

  it("uses the catalog's proxy.retry header names, and caps what it learns", () => {
    const retry = retryHeadersOf({ at: 'X-Reset-At', remaining: 'X-Left', after: 'X-Wait' });
    expect(readRateLimit(200, headers({ 'x-left': '0', 'x-reset-at': String(NOW / 1000 + 4) }), retry, NOW)?.untilMs).toBe(
      NOW + 4000,
    );
    expect(readRateLimit(429, headers({ 'x-wait': '2' }), retry, NOW)?.untilMs).toBe(NOW + 2000);
    expect(readRateLimit(429, headers({ 'retry-after': '999999' }), {}, NOW)?.untilMs).toBe(NOW + MAX_LEARNED_MS);
  });
});
