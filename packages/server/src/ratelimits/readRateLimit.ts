import type { LearnedLimit } from '../store/RateLimitStore';

/** What a providers.yaml entry may say under `proxy.retry` (Nango's names): which headers carry the limit. */
export interface RetryHeaders {
  /** Header holding when the limit lifts, as a Unix time in seconds (`x-ratelimit-reset`). */
  readonly at?: string;
  /** Header holding how many seconds to wait (`retry-after`). */
  readonly after?: string;
  /** Header holding how many calls are left (`x-ratelimit-remaining`); 0 means the limit is reached. */
  readonly remaining?: string;
}

/** A limit is never learned for longer than this, whatever a header says: a typo must not block a Connection for a day. */
export const MAX_LEARNED_MS = 60 * 60 * 1000;
/** A 429 that says nothing about when to come back holds this long. */
const BARE_429_MS = 1000;

const RESET_HEADERS = ['x-ratelimit-reset', 'ratelimit-reset', 'x-rate-limit-reset'];
const REMAINING_HEADERS = ['x-ratelimit-remaining', 'ratelimit-remaining', 'x-rate-limit-remaining'];

/** Reads `proxy.retry` of a catalog entry, leaving out what is not a header name. */
export function retryHeadersOf(retry: Readonly<Record<string, unknown>> | undefined): RetryHeaders {
  const name = (key: string): string | undefined => {
    const value = retry?.[key];
    return typeof value === 'string' && value !== '' ? value.toLowerCase() : undefined;
  };
  const at = name('at');
  const after = name('after');
  const remaining = name('remaining');
  return { ...(at && { at }), ...(after && { after }), ...(remaining && { remaining }) };
}

/**
 * The rate limit a provider's reply announces, if any: a 429 (or 503) with `Retry-After` (seconds or an HTTP date)
 * or a reset header, a bare 429 (one second), or any reply whose remaining-calls header is 0 with a reset header.
 * Reset headers are read as a Unix time in seconds (or milliseconds) when large, as seconds to wait otherwise.
 *
 * @param header the reply's header by lower-case name
 */
export function readRateLimit(
  status: number,
  header: (name: string) => string | undefined,
  retry: RetryHeaders = {},
  now: number = Date.now(),
): LearnedLimit | undefined {
  const afterName = retry.after ?? 'retry-after';
  const afterMs = delayOf(header(afterName), now);
  const resetName = [retry.at, ...RESET_HEADERS].find((name) => name !== undefined && header(name) !== undefined);
  const resetMs = resetName === undefined ? undefined : resetOf(header(resetName), now);
  if (status === 429 || status === 503) {
    if (afterMs !== undefined) return limit(now, afterMs, `${status} ${afterName}`);
    if (status === 429 && resetMs !== undefined) return limit(now, resetMs, `429 ${resetName}`);
    if (status === 429) return limit(now, BARE_429_MS, '429 without a retry header');
    return undefined;
  }
  const remainingName = [retry.remaining, ...REMAINING_HEADERS].find((name) => name !== undefined && header(name) !== undefined);
  if (remainingName !== undefined && Number(header(remainingName)) === 0) {
    const waitMs = resetMs ?? afterMs;
    if (waitMs !== undefined) return limit(now, waitMs, `${remainingName}: 0`);
  }
  return undefined;
}

function limit(now: number, waitMs: number, reason: string): LearnedLimit | undefined {
  if (waitMs <= 0) return undefined;
  return { untilMs: now + Math.min(waitMs, MAX_LEARNED_MS), reason };
}

/** `Retry-After`: delay-seconds or an HTTP date (RFC 9110 10.2.3). */
export function delayOf(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A reset header: Unix milliseconds, Unix seconds, or seconds to wait, told apart by size. */
function resetOf(value: string | undefined, now: number): number | undefined {
  const number = Number(value);
  if (value === undefined || value.trim() === '' || !Number.isFinite(number) || number < 0) return undefined;
  if (number > 1e12) return Math.max(0, number - now);
  if (number > 1e9) return Math.max(0, number * 1000 - now);
  return Math.ceil(number * 1000);
}
