import type { HttpResponse } from './http';

/** How a deployed function's request is retried (Nango's `retries`, `retryOn` and `retryHeader` proxy options). */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 0: a request is sent once, as in Nango. */
  retries?: number | undefined;
  /** Statuses retried besides 5xx and 429 (Nango's `retryOn`). Default none. */
  retryOn?: readonly number[] | null | undefined;
  /**
   * Headers that say when to try again, besides `Retry-After`: `after` (seconds to wait) and `at` (epoch seconds to
   * wait until), each a name or a list of names (Nango's `retryHeader`). Default none.
   */
  retryHeader?: { after?: string | string[]; at?: string | string[] } | undefined;
}

/** What the retry loop needs from the run: its signal (a sleep ends with it) and where to say it retries. */
export interface RetryHooks {
  signal: AbortSignal;
  /** Told before each wait; default: nothing. */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
  /** Waits `ms`, or rejects with the signal's reason; default: a timer (tests pass their own). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** The first retry's wait before jitter; each next one doubles, up to MAX_BACKOFF_MS. */
export const FIRST_BACKOFF_MS = 200;
/** The longest wait between two attempts that the doubling reaches. */
export const MAX_BACKOFF_MS = 10_000;
/**
 * The longest wait a provider's Retry-After (or retryHeader) may ask for: a longer one is not waited for, and the
 * response is the function's to handle, rather than sleeping through most of the run's time limit.
 */
export const MAX_RETRY_AFTER_MS = 60_000;
/** Most retries a request may ask for: beyond, backoff alone would outlast any time limit. */
export const MAX_RETRIES = 10;

/** Codes of the worker's errors that a network failure gives (refused, reset, timed out): those are retried. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set(['http_request_failed']);

/**
 * Sends a request, and again after a wait while it fails in a way worth trying again: a 5xx, a 429, a status of
 * `retryOn`, or a network failure. The wait doubles from FIRST_BACKOFF_MS (with up to 25% jitter, so callers that
 * failed together do not come back together) unless the response says how long (Retry-After in seconds or as a date,
 * or `retryHeader`). The last response (or error) is the caller's, whatever it is.
 * @throws Error when `retries` is not a whole number from 0 to MAX_RETRIES, or the run's signal ends a wait
 */
export async function withRetries(
  send: () => Promise<HttpResponse>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<HttpResponse> {
  const retries = policy.retries ?? 0;
  if (!Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new Error(`proxy: retries must be a whole number from 0 to ${MAX_RETRIES}, got ${String(policy.retries)}`);
  }
  const sleep = hooks.sleep ?? delay;
  for (let attempt = 0; ; attempt++) {
    let response: HttpResponse;
    try {
      response = await send();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= retries || typeof code !== 'string' || !NETWORK_ERROR_CODES.has(code)) throw error;
      const wait = backoff(attempt);
      hooks.onRetry?.(attempt + 1, (error as Error).message, wait);
      await sleep(wait, hooks.signal);
      continue;
    }
    if (attempt >= retries || !retryable(response.status, policy.retryOn)) return response;
    const asked = askedWait(response.headers, policy.retryHeader);
    if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return response;
    const wait = asked ?? backoff(attempt);
    hooks.onRetry?.(attempt + 1, `status ${response.status}`, wait);
    await sleep(wait, hooks.signal);
  }
}

function retryable(status: number, retryOn: RetryPolicy['retryOn']): boolean {
  return status >= 500 || status === 429 || (retryOn ?? []).includes(status);
}

/** The wait before retry `attempt + 1`: doubling, capped, minus up to 25% at random. */
export function backoff(attempt: number): number {
  const full = Math.min(FIRST_BACKOFF_MS * 2 ** attempt, MAX_BACKOFF_MS);
  return Math.round(full * (1 - Math.random() * 0.25));
}

/**
 * How long the response asks to wait, in ms: `retryHeader.after` / `retryHeader.at` names first, then Retry-After
 * (seconds, or an HTTP date); undefined when none says (or none parses).
 */
export function askedWait(
  headers: Record<string, string>,
  retryHeader: RetryPolicy['retryHeader'],
  now = Date.now(),
): number | undefined {
  const read = (names: string | string[] | undefined) =>
    [names ?? []]
      .flat()
      .map((name) => headers[name.toLowerCase()])
      .find((value) => value !== undefined);
  const after = read(retryHeader?.after);
  if (after !== undefined && Number.isFinite(Number(after))) return Math.max(0, Number(after) * 1000);
  const at = read(retryHeader?.at);
  if (at !== undefined && Number.isFinite(Number(at))) return Math.max(0, Number(at) * 1000 - now);
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter === undefined || retryAfter === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}
