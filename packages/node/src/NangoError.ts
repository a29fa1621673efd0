/**
 * The codes a NangoError may carry: the server's error codes (`{ error: { code } }`, see docs/errors.md),
 * and these, set by the SDK itself:
 * - `http_error`: a non-2xx answer without an error code (the proxy passes the API's own errors through this way);
 * - `network_error`: the server could not be reached or the connection broke;
 * - `aborted`: the caller's AbortSignal stopped the call;
 * - `timeout`: `waitForConnection` saw no Connection in time;
 * - `invalid_argument`: a call the SDK refuses before sending it.
 */
export type NangoErrorCode = 'http_error' | 'network_error' | 'aborted' | 'timeout' | 'invalid_argument' | (string & {});

/** What a NangoError is made of. */
export interface NangoErrorDetails {
  code: NangoErrorCode;
  message: string;
  /** The HTTP status; undefined when no answer came. */
  status?: number;
  /** Seconds to wait before trying again, from the answer's Retry-After (a 429, say). */
  retryAfter?: number;
  /** The answer's body (parsed JSON, or text). */
  data?: unknown;
  /** The answer's headers, lower-case names. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * Every failure of a call: `switch (error.code)`, read `error.status` and `error.retryAfter`.
 * Unlike the official SDK (an AxiosError with `error.response.status`), the status is on the error itself;
 * `error.response` mirrors axios' `{ status, headers, data }` so code written for the official SDK keeps working.
 */
export class NangoError extends Error {
  readonly code: NangoErrorCode;
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;
  readonly data: unknown;
  readonly headers: Record<string, string>;

  constructor(details: NangoErrorDetails) {
    super(details.message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'NangoError';
    this.code = details.code;
    this.status = details.status;
    this.retryAfter = details.retryAfter;
    this.data = details.data;
    this.headers = details.headers ?? {};
  }

  /** The answer as axios shapes it, for code written against the official SDK; undefined when no answer came. */
  get response(): { status: number; headers: Record<string, string>; data: unknown } | undefined {
    return this.status === undefined ? undefined : { status: this.status, headers: this.headers, data: this.data };
  }
}

/**
 * Seconds to wait from a Retry-After value: a number of seconds, or an HTTP date (rounded up, never negative).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed));
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
